/// The JSON documents a function's plug-in reads as its input, one per trigger (see Docs/FunctionsAPI.md).
enum FunctionInputs {
    /// `auth` of an input: `null` for a guest, the record (as the requester itself sees it) for a record or
    /// superuser, the key's id and name for an API key.
    static func auth(_ auth: AuthContext, schema: SchemaSnapshot) -> JSONValue {
        switch auth.identity {
        case .guest:
            return .null
        case .apiKey(let grant):
            return ["kind": "apiKey", "id": .string(grant.id), "name": .string(grant.name)]
        case .superuser(let record), .record(let record):
            if let grant = auth.apiKey { return ["kind": "apiKey", "id": .string(grant.id), "name": .string(grant.name)] }
            let kind: JSONValue = auth.isSuperuser ? "superuser" : "record"
            let json = schema.collection(record.collectionId).map {
                RecordEncoder.json(record, collection: $0, auth: auth, alwaysShowEmail: true)
            } ?? .null
            return [
                "kind": kind, "id": .string(record.id), "collectionId": .string(record.collectionId),
                "collectionName": .string(record.collectionName), "record": json,
            ]
        }
    }

    /// A record with every field as stored, hidden ones included (never passwords or the token key).
    static func record(_ record: RecordModel, in collection: CollectionModel) -> JSONValue {
        var plain = record
        plain.expand = nil
        return RecordEncoder.json(plain, collection: collection, auth: .system, alwaysShowEmail: true)
    }

    /// The input of a record hook.
    static func recordHook(
        action: String, collection: CollectionModel, record: RecordModel, original: RecordModel?, auth: AuthContext,
        schema: SchemaSnapshot
    ) -> [UInt8] {
        // The object `{action, auth, collection, original, record}` as `JSONValue.jsonBytes` writes it (keys in
        // byte order), without building it: a hook's input is made on every write it sees.
        var out: [UInt8] = []
        out.reserveCapacity(512)
        out.append(contentsOf: #"{"action":"#.utf8)
        JSONWriter.writeString(action, into: &out)
        out.append(contentsOf: #","auth":"#.utf8)
        JSONWriter.write(Self.auth(auth, schema: schema), into: &out)
        out.append(contentsOf: #","collection":"#.utf8)
        JSONWriter.writeString(collection.name, into: &out)
        out.append(contentsOf: #","original":"#.utf8)
        JSONWriter.write(original.map { Self.record($0, in: collection) } ?? .null, into: &out)
        out.append(contentsOf: #","record":"#.utf8)
        JSONWriter.write(Self.record(record, in: collection), into: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// The input of an after hook: the change as logged, with its `seq` and `actor`.
    static func afterHook(_ entry: ChangeFeedEntry) -> [UInt8] {
        // The logged record is spliced in as it was written, not parsed and re-encoded.
        let head: JSONValue = [
            "seq": .number(Double(entry.seq)), "action": .string(entry.action),
            "collection": .string(entry.collectionName), "original": .null, "auth": .null,
            "actor": .string(entry.actor),
        ]
        var text = head.jsonString
        text.removeLast()
        text += #","record":"# + entry.recordJSON + "}"
        return Array(text.utf8)
    }

    /// The input of a cron trigger.
    static func cron(schedule: String, scheduledAt: String) -> [UInt8] {
        JSONValue.object(["schedule": .string(schedule), "scheduledAt": .string(scheduledAt)]).jsonBytes
    }
}

/// A collection in PocketBase's JSON form (§3.2 of the API notes): the common keys, `viewQuery` for views,
/// and the auth options beside them for auth collections.
extension CollectionModel {
    /// Auth option keys Swiftbase reads into typed properties; every other auth key lives in `extra`.
    static let typedAuthKeys: Set<String> = ["authRule", "manageRule", "passwordAuth", "authToken", "fileToken"]
    /// Auth option keys kept verbatim in `AuthCollectionOptions.extra`.
    static let extraAuthKeys = [
        "authAlert", "oauth2", "mfa", "otp", "passwordResetToken", "emailChangeToken", "verificationToken",
        "verificationTemplate", "resetPasswordTemplate", "confirmEmailChangeTemplate",
    ]

    /// Decodes a collection. As PocketBase does, a body is read over the defaults of a new collection of its
    /// type: missing keys keep them (auth options are merged key by key), `type` defaults to `base`.
    /// Token secrets are read when present and otherwise left empty for the caller to fill.
    ///
    /// Fields without an `id` get `type + CRC32(name)` (suffixed `2…` when taken); a field without an id
    /// whose name repeats an earlier one replaces it, keeping its id.
    public init(json: [String: JSONValue]) throws(SwiftbaseError) {
        let reader = JSONOptionReader(json)
        let typeName = try reader.string("type")
        guard let type = typeName.isEmpty ? .base : Kind(rawValue: typeName) else { throw JSONOptionReader.formatError }
        self.init(
            id: try reader.string("id"), name: try reader.string("name"), type: type, system: try reader.bool("system"),
            listRule: try reader.optionalString("listRule", default: nil),
            viewRule: try reader.optionalString("viewRule", default: nil),
            createRule: try reader.optionalString("createRule", default: nil),
            updateRule: try reader.optionalString("updateRule", default: nil),
            deleteRule: try reader.optionalString("deleteRule", default: nil),
            fields: try Self.decodeFields(json["fields"]), indexes: try reader.strings("indexes"),
            created: try reader.string("created"), updated: try reader.string("updated"))
        if type == .view { viewQuery = try reader.string("viewQuery") }
        if type == .auth { auth = try AuthCollectionOptions(collectionJSON: json) }
        if type == .timeseries { timeSeries = try TimeSeriesOptions(json: json["timeseries"]) }
    }

    /// The collection as the API shows it: token secrets and OAuth2 client secrets are never included.
    public var json: JSONValue { encode(includingSecrets: false) }

    /// The collection with its write-only secrets, for storage only — never send it to a client.
    public var jsonIncludingSecrets: JSONValue { encode(includingSecrets: true) }

    private func encode(includingSecrets: Bool) -> JSONValue {
        func rule(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        var object: [String: JSONValue] = [
            "id": .string(id), "name": .string(name), "type": .string(type.rawValue), "system": .bool(system),
            "listRule": rule(listRule), "viewRule": rule(viewRule), "createRule": rule(createRule),
            "updateRule": rule(updateRule), "deleteRule": rule(deleteRule), "fields": .array(fields.map(\.json)),
            "indexes": indexes.jsonArray, "created": .string(created), "updated": .string(updated),
        ]
        switch type {
        case .base:
            break
        case .view:
            object["viewQuery"] = .string(viewQuery ?? "")
        case .timeseries:
            object["timeseries"] = (timeSeries ?? TimeSeriesOptions()).json
        case .auth:
            let options = auth ?? AuthCollectionOptions(authTokenSecret: "", fileTokenSecret: "")
            options.encode(into: &object, includingSecrets: includingSecrets)
        }
        return .object(object)
    }

    private static func decodeFields(_ value: JSONValue?) throws(SwiftbaseError) -> [FieldModel] {
        switch value {
        case nil, .null?: return []
        case .array(let items)?:
            var fields: [FieldModel] = []
            fields.reserveCapacity(items.count)
            for item in items {
                guard case .object(let object) = item else { throw JSONOptionReader.formatError }
                add(try FieldModel(json: object), to: &fields)
            }
            return fields
        default: throw JSONOptionReader.formatError
        }
    }

    /// PocketBase's `FieldsList.add`: default ids, and replacement of an earlier field by id or by name.
    private static func add(_ field: FieldModel, to fields: inout [FieldModel]) {
        var field = field
        if field.id.isEmpty {
            if !field.name.isEmpty, let i = fields.firstIndex(where: { $0.name == field.name }) {
                field.id = fields[i].id
                fields[i] = field
                return
            }
            let base = Identifiers.fieldID(type: field.type, name: field.name)
            var candidate = base
            var suffix = 2
            while suffix < 1000, fields.contains(where: { $0.id == candidate }) {
                candidate = base + String(suffix)
                suffix += 1
            }
            field.id = candidate
        } else if let i = fields.firstIndex(where: { $0.id == field.id }) {
            fields[i] = field
            return
        }
        fields.append(field)
    }
}

// MARK: - Auth options

extension AuthCollectionOptions {
    /// Reads the auth keys of a collection object over a new auth collection's defaults.
    init(collectionJSON json: [String: JSONValue]) throws(SwiftbaseError) {
        let reader = JSONOptionReader(json)
        let passwordAuth = JSONOptionReader(try reader.object("passwordAuth") ?? [:])
        let authToken = JSONOptionReader(try reader.object("authToken") ?? [:])
        let fileToken = JSONOptionReader(try reader.object("fileToken") ?? [:])
        var extra = SystemCollections.defaultAuthExtra()
        for key in CollectionModel.extraAuthKeys {
            guard let given = json[key], given != .null else { continue }
            extra[key] = Self.merged(given, over: extra[key])
        }
        self.init(
            authRule: try reader.optionalString("authRule", default: ""),
            manageRule: try reader.optionalString("manageRule", default: nil),
            passwordIdentityFields: try passwordAuth.strings("identityFields", default: ["email"]),
            passwordAuthEnabled: try passwordAuth.bool("enabled", default: true),
            authTokenDuration: try authToken.int("duration", default: 432_000),
            authTokenSecret: try authToken.string("secret"),
            fileTokenDuration: try fileToken.int("duration", default: 180),
            fileTokenSecret: try fileToken.string("secret"), extra: extra)
    }

    /// Writes the auth keys into a collection object. Without `includingSecrets`, every token `secret` and
    /// OAuth2 `clientSecret` is left out, as PocketBase never serializes them.
    func encode(into object: inout [String: JSONValue], includingSecrets: Bool) {
        object["authRule"] = authRule.map(JSONValue.string) ?? .null
        object["manageRule"] = manageRule.map(JSONValue.string) ?? .null
        object["passwordAuth"] = .object([
            "enabled": .bool(passwordAuthEnabled), "identityFields": passwordIdentityFields.jsonArray,
        ])
        var authToken: [String: JSONValue] = ["duration": .number(Double(authTokenDuration))]
        var fileToken: [String: JSONValue] = ["duration": .number(Double(fileTokenDuration))]
        if includingSecrets {
            authToken["secret"] = .string(authTokenSecret)
            fileToken["secret"] = .string(fileTokenSecret)
        }
        object["authToken"] = .object(authToken)
        object["fileToken"] = .object(fileToken)
        for (key, value) in extra where !CollectionModel.typedAuthKeys.contains(key) {
            if key == "oauth2" {
                object[key] = Self.oauth2(value, includingSecrets: includingSecrets)
            } else {
                object[key] = includingSecrets ? value : Self.redacted(key, value)
            }
        }
    }

    /// `value` without the secrets PocketBase hides for `key`.
    private static func redacted(_ key: String, _ value: JSONValue) -> JSONValue {
        guard case .object(var object) = value else { return value }
        if key.hasSuffix("Token") {
            object["secret"] = nil
        }
        return .object(object)
    }

    /// The `oauth2` options as PocketBase shows them: every provider with all its keys, and its
    /// `clientSecret` only with `includingSecrets` (never in an API answer, for superusers neither).
    private static func oauth2(_ value: JSONValue, includingSecrets: Bool) -> JSONValue {
        guard case .object(var object) = value else { return value }
        object["providers"] = .array(
            (object["providers"]?.arrayValue ?? []).map {
                OAuth2ProviderConfig.normalized($0, includingSecret: includingSecrets)
            })
        return .object(object)
    }

    /// Go's `json.Unmarshal` over an existing struct: objects merge key by key, anything else replaces.
    private static func merged(_ given: JSONValue, over base: JSONValue?) -> JSONValue {
        guard case .object(let overlay) = given, case .object(var result)? = base else { return given }
        for (key, value) in overlay where value != .null {
            result[key] = merged(value, over: result[key])
        }
        return .object(result)
    }
}

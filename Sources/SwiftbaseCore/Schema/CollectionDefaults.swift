/// Fills in what a client may leave out when it saves a collection: ids, system fields, timestamps,
/// token secrets, the auth collections' unique indexes, and index statements rewritten onto the table name.
enum CollectionDefaults {
    static func completingNew(_ input: CollectionModel, in snapshot: SchemaSnapshot) -> CollectionModel {
        var c = input
        if c.id.isEmpty {
            var id = Identifiers.collectionID(type: c.type, name: c.name)
            var suffix = 2
            while snapshot.collection(id) != nil && suffix < 1000 {
                id = Identifiers.collectionID(type: c.type, name: c.name) + String(suffix)
                suffix += 1
            }
            c.id = id
        }
        c.fields = ensuringSystemFields(c.fields, type: c.type)
        c.fields = withFieldIDs(c.fields)
        c.created = DateTime.now()
        c.updated = c.created
        if c.type == .auth {
            var auth = c.auth ?? AuthCollectionOptions(authTokenSecret: "", fileTokenSecret: "")
            auth.fillMissingSecrets()
            c.auth = auth
            c.indexes = withAuthIndexes(c.indexes, collection: c)
        }
        c.indexes = rewrittenIndexes(c.indexes, table: c.name)
        c.fields = requiringTime(c.fields, type: c.type)
        return c
    }

    static func completingUpdate(_ input: CollectionModel, previous: CollectionModel, in snapshot: SchemaSnapshot)
        -> CollectionModel
    {
        var c = input
        // System fields cannot be removed: put back any the update left out, where they were.
        for (i, field) in previous.fields.enumerated() where field.system && c.field(withID: field.id) == nil {
            c.fields.insert(field, at: min(i, c.fields.count))
        }
        c.fields = withFieldIDs(c.fields)
        if c.type == .auth {
            c.auth?.fillMissingSecrets()
            c.indexes = withAuthIndexes(c.indexes, collection: c)
        }
        if c.id == SystemCollections.superusersID { c.auth?.enforceSuperuserPolicy() }
        c.indexes = rewrittenIndexes(c.indexes, table: c.name)
        c.fields = requiringTime(c.fields, type: c.type)
        return c
    }

    /// A time series' time (its first date field) is always required: a point without one has no bucket.
    private static func requiringTime(_ fields: [FieldModel], type: CollectionModel.Kind) -> [FieldModel] {
        guard type == .timeseries else { return fields }
        var out = fields
        if let i = out.firstIndex(where: { if case .date = $0.options { true } else { false } }) { out[i].required = true }
        return out
    }

    /// PocketBase's order for a new collection: a missing `id` is put first, missing auth system fields after
    /// the fields given; a system field given by name keeps its place, with its system flags enforced (or, given
    /// with another type, is replaced in place by the system field).
    private static func ensuringSystemFields(_ fields: [FieldModel], type: CollectionModel.Kind) -> [FieldModel] {
        var out = fields
        if let i = out.firstIndex(where: { $0.name == "id" }) {
            if case .text(var options) = out[i].options {
                out[i].system = true
                out[i].required = true
                out[i].hidden = false
                options.primaryKey = true
                if options.pattern.isEmpty { options.pattern = TextFieldOptions.defaultIDPattern }
                out[i].options = .text(options)
            }
        } else {
            out.insert(SystemCollections.idField(), at: 0)
        }
        guard type == .auth else { return out }
        for systemField in SystemCollections.authSystemFields() {
            guard let i = out.firstIndex(where: { $0.name == systemField.name }) else {
                out.append(systemField)
                continue
            }
            guard out[i].type == systemField.type else {
                var replacement = systemField
                replacement.id = out[i].id
                out[i] = replacement
                continue
            }
            out[i].system = true
            switch systemField.name {
            case "password", "tokenKey":
                out[i].hidden = true
                out[i].required = true
            case "email": out[i].hidden = false
            default: break
            }
        }
        return out
    }

    static func withFieldIDs(_ fields: [FieldModel]) -> [FieldModel] {
        var used = Set(fields.map(\.id).filter { !$0.isEmpty })
        return fields.map { field in
            guard field.id.isEmpty else { return field }
            var f = field
            var id = Identifiers.fieldID(type: f.type, name: f.name)
            var n = 2
            while used.contains(id) {
                id = Identifiers.fieldID(type: f.type, name: f.name) + String(n)
                n += 1
            }
            used.insert(id)
            f.id = id
            return f
        }
    }

    private static func withAuthIndexes(_ indexes: [String], collection: CollectionModel) -> [String] {
        var out = indexes
        let parsed = indexes.compactMap { IndexDefinition(parsing: $0) }
        func hasUnique(_ column: String) -> Bool {
            parsed.contains { $0.unique && $0.columns.count == 1 && $0.columns[0].name.lowercased() == column.lowercased() }
        }
        if !hasUnique("tokenKey") {
            out.append("CREATE UNIQUE INDEX `idx_tokenKey_\(collection.id)` ON `\(collection.name)` (`tokenKey`)")
        }
        if !hasUnique("email") {
            out.append("CREATE UNIQUE INDEX `idx_email_\(collection.id)` ON `\(collection.name)` (`email`) WHERE `email` != ''")
        }
        return out
    }

    /// Indexes written for another table name (the collection was renamed, or the index was copied) are
    /// rewritten for this one; the rest keep the text they were given, as PocketBase keeps it.
    private static func rewrittenIndexes(_ indexes: [String], table: String) -> [String] {
        indexes.map { raw in
            guard let index = IndexDefinition(parsing: raw), index.table != table else { return raw }
            return index.statement(onTable: table)
        }
    }
}

/// The `fields` part of collection validation. As in PocketBase, the checks run in order and the first
/// that fails is the whole `fields` error: duplicates, required system fields, system fields kept, types
/// unchanged, reserved auth names, then every field's own settings (`fields.<index>.<key>`).
enum FieldsValidation {
    /// Names a field cannot take: filter literals and keys every record response has; nor the dialect's
    /// row-order column (PocketBase's list has SQLite's there).
    static let reservedNames: Set<String> = ["null", "true", "false", "collectionId", "collectionName", "expand"]
    /// Auth body keys that a field would shadow.
    static let reservedAuthNames: Set<String> = ["passwordConfirm", "oldPassword"]

    static func errors(_ c: CollectionModel, previous: CollectionModel?, snapshot: SchemaSnapshot) -> ErrorTree {
        var tree = duplicates(c.fields)
        if !tree.isEmpty { return tree }
        tree = requiredFields(c)
        if !tree.isEmpty { return tree }
        if c.type != .view, let previous {
            tree = systemFieldsKept(c.fields, previous: previous)
            if !tree.isEmpty { return tree }
            tree = typesUnchanged(c.fields, previous: previous)
            if !tree.isEmpty { return tree }
        }
        if c.type == .auth {
            for (i, field) in c.fields.enumerated() where reservedAuthNames.contains(field.name) {
                tree["\(i).name"] = ErrorItem(
                    "validation_reserved_field_name", "The field name is reserved and cannot be used.")
            }
            if !tree.isEmpty { return tree }
        }
        return settings(c, previous: previous, snapshot: snapshot)
    }

    // MARK: - List checks

    private static func duplicates(_ fields: [FieldModel]) -> ErrorTree {
        var tree = ErrorTree()
        var ids = Set<String>()
        var names = Set<String>()
        for (i, field) in fields.enumerated() {
            if !ids.insert(field.id).inserted {
                tree["\(i).id"] = ErrorItem(
                    "validation_duplicated_field_id", "Duplicated or invalid field id \(GoCast.quoted(field.id)).")
                return tree
            }
            if !names.insert(field.name.lowercased()).inserted {
                tree["\(i).name"] = ErrorItem(
                    "validation_duplicated_field_name", "Duplicated or invalid field name \(field.name).",
                    params: ["fieldName": .string(field.name)])
                return tree
            }
        }
        return tree
    }

    /// Every collection needs fields and an `id` primary key; auth collections their five system fields.
    private static func requiredFields(_ c: CollectionModel) -> ErrorTree {
        var tree = ErrorTree()
        if c.fields.isEmpty {
            tree[""] = .required
            return tree
        }
        func named(_ name: String) -> FieldModel? { c.fields.first { $0.name == name } }
        guard let id = named("id"), case .text(let options) = id.options, options.primaryKey else {
            tree[""] = ErrorItem("validation_missing_primary_key", "Missing or invalid \"id\" PK field.")
            return tree
        }
        guard c.type == .auth else { return tree }
        let requirements: [(String, String, Bool)] = [
            ("password", "password", true), ("tokenKey", "text", true), ("email", "email", false),
            ("emailVisibility", "bool", false), ("verified", "bool", false),
        ]
        for (name, type, mustBeHidden) in requirements {
            guard let field = named(name), field.type == type else {
                tree[""] = ErrorItem("validation_missing_\(name)_field", "System \"\(name)\" field is required.")
                return tree
            }
            if mustBeHidden, !field.hidden || !field.system {
                tree[name] = ErrorItem(
                    "validation_must_be_system_and_hidden", "The field must be marked as \"System\" and \"Hidden\".")
                return tree
            }
            if !field.system {
                tree[name] = ErrorItem("validation_must_be_system", "The field must be marked as \"System\".")
                return tree
            }
        }
        return tree
    }

    private static func systemFieldsKept(_ fields: [FieldModel], previous: CollectionModel) -> ErrorTree {
        var tree = ErrorTree()
        for old in previous.fields where old.system {
            guard let new = fields.first(where: { $0.id == old.id }), new.name == old.name else {
                tree[""] = ErrorItem("validation_system_field_change", "System fields cannot be deleted or renamed.")
                return tree
            }
        }
        return tree
    }

    private static func typesUnchanged(_ fields: [FieldModel], previous: CollectionModel) -> ErrorTree {
        var tree = ErrorTree()
        for (i, field) in fields.enumerated() {
            if let old = previous.field(withID: field.id), old.type != field.type {
                tree[String(i)] = ErrorItem("validation_field_type_change", "Field type cannot be changed.")
            }
        }
        return tree
    }

    // MARK: - Field settings

    private static func settings(_ c: CollectionModel, previous: CollectionModel?, snapshot: SchemaSnapshot)
        -> ErrorTree
    {
        // Relations may point at the collection being saved, so it is part of the schema they resolve in.
        let schema = SchemaSnapshot(
            snapshot.collections.filter { $0.id != c.id && $0.id != previous?.id } + [c], dialect: snapshot.dialect)
        let primaryKeys = c.fields.filter { if case .text(let o) = $0.options { o.primaryKey } else { false } }.count
        var tree = ErrorTree()
        for (i, field) in c.fields.enumerated() {
            var fieldErrors = ErrorTree()
            common(field, dialect: schema.dialect, into: &fieldErrors)
            contextual(field, collection: c, previous: previous, schema: schema, primaryKeys: primaryKeys, into: &fieldErrors)
            for (key, item) in field.options.behavior.validateOptions(of: field, in: schema) {
                fieldErrors[key] = item
            }
            tree.merge(fieldErrors, under: String(i))
        }
        return tree
    }

    /// `id`, `name` and `help`, which every field type checks the same way.
    private static func common(_ field: FieldModel, dialect: any SQLDialect, into errors: inout ErrorTree) {
        if field.id.isEmpty {
            errors["id"] = .required
        } else if field.id.utf8.count > 100 {
            errors["id"] = .length(min: 1, max: 100)
        }
        let name = field.name
        if name.isEmpty {
            errors["name"] = .required
        } else if name.utf8.count > 100 {
            errors["name"] = .length(min: 1, max: 100)
        } else if !Names.isWord(name) {
            errors["name"] = .matchInvalid
        } else if reservedNames.contains(name) || name == dialect.rowOrderColumn {
            errors["name"] = .notInList
        } else if Names.containsVia(name) {
            errors["name"] = .foundVia
        }
        if field.help.utf8.count > 300 { errors["help"] = .length(min: 1, max: 300) }
    }

    /// Checks that need the collection or its stored version, set before the type's own checks so they
    /// win where PocketBase runs them first.
    private static func contextual(
        _ field: FieldModel, collection: CollectionModel, previous: CollectionModel?, schema: SchemaSnapshot,
        primaryKeys: Int, into errors: inout ErrorTree
    ) {
        switch field.options {
        case .text(let o) where o.primaryKey && primaryKeys > 1:
            errors["primaryKey"] = .compositePK
        case .relation(let o) where !o.collectionId.isEmpty:
            if case .relation(let old)? = previous?.field(withID: field.id)?.options, old.collectionId != o.collectionId {
                errors["collectionId"] = .relationChange
            } else if let target = schema.collection(o.collectionId), target.id == o.collectionId,
                collection.type != .view, target.type == .view
            {
                errors["collectionId"] = .relationToView
            }
        case .autodate(let o) where field.system:
            if case .autodate(let old)? = previous?.field(withID: field.id)?.options {
                if old.onCreate != o.onCreate { errors["onCreate"] = .valuesMismatch }
                if old.onUpdate != o.onUpdate { errors["onUpdate"] = .valuesMismatch }
            }
        default:
            break
        }
    }
}

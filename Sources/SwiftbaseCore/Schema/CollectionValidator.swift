/// Validates a collection being created (`previous == nil`) or updated against the schema as stored, the
/// way PocketBase's collection validator does: one item per failing key (its first failing rule), nested
/// as the API reports them (`name`, `fields.3.name`, `fields.2.values`, `passwordAuth.identityFields`).
///
/// Rule syntax, index statements and view queries are checked elsewhere (they need the filter parser and
/// the database); this covers names, ids, fields and their options, immutable properties and auth options.
///
/// ```swift
/// let errors = CollectionValidator.validate(collection, previous: nil, in: snapshot)
/// if !errors.isEmpty { throw SwiftbaseError.validation("Failed to create collection.", errors) }
/// ```
package enum CollectionValidator {
    /// Tables that exist beside the collection tables; a collection may not take their names.
    package static let internalTableNames: Set<String> = [
        "_collections", "_params", "_migrations", "_schemaChanges", "_changes",
    ]

    package static func validate(
        _ collection: CollectionModel, previous: CollectionModel?, in snapshot: SchemaSnapshot,
        internalTables: Set<String> = internalTableNames
    ) -> ErrorData {
        var errors = ErrorTree()
        if let item = idProblem(collection, previous: previous, snapshot: snapshot) { errors["id"] = item }
        if let previous, collection.system != previous.system {
            errors["system"] = ErrorItem(
                "validation_collection_system_flag_change", "System collection state cannot be changed.")
        }
        if let previous, collection.type != previous.type {
            errors["type"] = ErrorItem("validation_collection_type_change", "Collection type cannot be changed.")
        }
        if let item = nameProblem(collection, previous: previous, snapshot: snapshot, internalTables: internalTables) {
            errors["name"] = item
        }
        errors.merge(FieldsValidation.errors(collection, previous: previous, snapshot: snapshot), under: "fields")
        ruleProblems(collection, previous: previous, into: &errors)
        if collection.type == .view, !collection.indexes.isEmpty {
            errors["indexes"] = ErrorItem("validation_indexes_not_supported", "View collections don't support indexes.")
        }
        if collection.type == .view, (collection.viewQuery ?? "").isEmpty { errors["viewQuery"] = .required }
        if collection.type == .timeseries { TimeSeriesValidation.validate(collection, into: &errors) }
        if collection.type == .auth, let auth = collection.auth {
            AuthOptionsValidation.validate(auth, collection: collection, previous: previous, into: &errors)
        }
        return errors.data
    }

    // MARK: - Identity

    private static func idProblem(_ c: CollectionModel, previous: CollectionModel?, snapshot: SchemaSnapshot)
        -> ErrorItem?
    {
        if c.id.isEmpty { return .required }
        if let previous { return c.id == previous.id ? nil : .valuesMismatch }
        if !(1...100).contains(c.id.utf8.count) { return .length(min: 1, max: 100) }
        if !Names.isWord(c.id) { return .matchInvalid }
        if snapshot.collections.contains(where: { $0.id == c.id }) {
            return ErrorItem("validation_invalid_or_existing_id", "The model id is invalid or already exists.")
        }
        return nil
    }

    private static func nameProblem(
        _ c: CollectionModel, previous: CollectionModel?, snapshot: SchemaSnapshot, internalTables: Set<String>
    ) -> ErrorItem? {
        let name = c.name
        if name.isEmpty { return .required }
        if name.utf8.count > 255 { return .length(min: 1, max: 255) }
        if Names.containsVia(name) { return .foundVia }
        if !Names.isWord(name) { return .matchInvalid }
        if let previous, previous.system, name != previous.name {
            return ErrorItem("validation_collection_system_name_change", "System collection name cannot be changed.")
        }
        let lower = name.lowercased()
        let selfID = previous?.id ?? c.id
        if snapshot.collections.contains(where: { $0.id != selfID && $0.name.lowercased() == lower }) {
            return ErrorItem(
                "validation_collection_name_exists", "Collection name must be unique (case insensitive).")
        }
        if snapshot.collections.contains(where: { $0.id == name }) {
            return ErrorItem(
                "validation_collection_name_id_duplicate", "The name must not match an existing collection id.")
        }
        if previous?.name != name,
            internalTables.contains(where: { $0.lowercased() == lower }) || snapshot.dialect.isReservedTableName(name)
        {
            return ErrorItem(
                "validation_collection_name_invalid", "The name shouldn't match with an existing internal table.")
        }
        return nil
    }

    // MARK: - Rules

    /// Views cannot have write rules; the rules of a system collection cannot change.
    private static func ruleProblems(_ c: CollectionModel, previous: CollectionModel?, into errors: inout ErrorTree) {
        let rules: [(String, String?, String?)] = [
            ("listRule", c.listRule, previous?.listRule), ("viewRule", c.viewRule, previous?.viewRule),
            ("createRule", c.createRule, previous?.createRule), ("updateRule", c.updateRule, previous?.updateRule),
            ("deleteRule", c.deleteRule, previous?.deleteRule),
        ]
        for (key, rule, old) in rules {
            if c.type == .view, ["createRule", "updateRule", "deleteRule"].contains(key), rule != nil {
                errors[key] = .mustBeNil
            } else if let previous, previous.system, rule != old {
                errors[key] = .systemRuleChange
            }
        }
    }
}

extension ErrorItem {
    static let systemRuleChange = ErrorItem(
        "validation_collection_system_rule_change", "System collection API rule cannot be changed.")
}

/// Name rules shared by collections and fields (Go's `\w` is ASCII).
enum Names {
    /// `^\w+$` with Go's ASCII `\w`.
    static func isWord(_ text: String) -> Bool {
        !text.isEmpty
            && text.utf8.allSatisfy { c in
                (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95
            }
    }

    /// `_via_` (any case) is how back-relations are written in filters, so no name may contain it.
    static func containsVia(_ text: String) -> Bool {
        text.lowercased().contains("_via_")
    }
}

/// Validation errors keyed by dotted paths (`fields.3.name`), rendered as PocketBase's nested `data`.
/// The first item set for a path wins, as each key reports only its first failing rule.
struct ErrorTree {
    private(set) var items: [(path: [String], item: ErrorItem)] = []
    private var paths: Set<[String]> = []

    var isEmpty: Bool { items.isEmpty }

    subscript(path: String) -> ErrorItem? {
        get { items.first { $0.path == Self.split(path) }?.item }
        set {
            guard let newValue else { return }
            let parts = Self.split(path)
            guard paths.insert(parts).inserted else { return }
            items.append((parts, newValue))
        }
    }

    /// Adds `other`'s items below `prefix` (at the top without one); an item at the empty path stands
    /// for `prefix` itself.
    mutating func merge(_ other: ErrorTree, under prefix: String?) {
        for (path, item) in other.items {
            guard let prefix else {
                self[path.joined(separator: ".")] = item
                continue
            }
            self[path == [""] ? prefix : ([prefix] + path).joined(separator: ".")] = item
        }
    }

    private static func split(_ path: String) -> [String] {
        path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    }

    var data: ErrorData {
        var root: [String: ErrorData] = [:]
        for (path, item) in items { Self.insert(item, at: path[...], into: &root) }
        return .fields(root)
    }

    private static func insert(_ item: ErrorItem, at path: ArraySlice<String>, into node: inout [String: ErrorData]) {
        guard let key = path.first else { return }
        if path.count == 1 {
            if node[key] == nil { node[key] = .item(item) }
            return
        }
        var children: [String: ErrorData] = [:]
        switch node[key] {
        case .fields(let existing)?: children = existing
        case .item?: return  // a whole-key error already stands for this key
        case nil: break
        }
        insert(item, at: path.dropFirst(), into: &children)
        node[key] = .fields(children)
    }
}

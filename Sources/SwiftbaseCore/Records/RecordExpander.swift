import Foundation

/// Loads `expand` paths for a batch of records: one query per path segment and collection, never one per
/// record. Each expanded collection's view rule applies with the requester's identity; what the requester
/// may not see, or paths that name no relation, are left out silently.
package struct RecordExpander: Sendable {
    package let store: any Store
    package let schema: SchemaSnapshot
    package let request: RequestInfo

    /// Up to 6 levels, as PocketBase.
    static let maxDepth = 6
    /// Back-relations expand at most this many records per parent query.
    static let maxBackRelations = 1000

    package init(store: any Store, schema: SchemaSnapshot, request: RequestInfo) {
        self.store = store
        self.schema = schema
        var request = request
        request.context = "expand"
        self.request = request
    }

    /// Longest `expand` accepted. Parsing is linear and the paths are bounded by the schema, but a value this
    /// long already names far more paths than any collection has relations.
    package static let maxLength = 8192

    /// Parses `expand=a.b,c` into a tree of path segments; longer than `maxLength` is a 400.
    package static func parse(_ expand: String) throws(SwiftbaseError) -> ExpandTree {
        guard expand.utf8.count <= maxLength else {
            throw SwiftbaseError(
                .badRequest, "Something went wrong while processing your request.",
                debugDetail: "expand longer than \(maxLength) bytes")
        }
        var tree = ExpandTree()
        for path in expand.split(separator: ",") {
            // As PocketBase reads a path: spaces removed, dots at either end trimmed, and an empty segment left
            // inside (`a..b`) names no relation.
            let trimmed = path.filter { $0 != " " }.trimmingCharacters(in: CharacterSet(charactersIn: "."))
            let segments = trimmed.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !trimmed.isEmpty, !segments.contains(where: \.isEmpty) else { continue }
            // Deeper levels are ignored, the first six still expand (PocketBase's `maxNestedRels`).
            tree.insert(segments.prefix(maxDepth))
        }
        tree.failsWholePaths = true
        return tree
    }

    /// Returns `records` with `expand` filled from `tree`.
    package func expand(_ records: [RecordModel], of collection: CollectionModel, tree: ExpandTree) async throws
        -> [RecordModel]
    {
        try await expandPaths(records, of: collection, tree: tree, wholePaths: tree.failsWholePaths).records
    }

    /// `expand`, and whether any of `tree`'s paths expanded. With `wholePaths` (an `expand` parameter), as
    /// PocketBase expands each path on its own: a path is dropped whole when, at a level that has records, a
    /// segment names no relation the requester may read — `author.nope` adds nothing, not even `author`, while
    /// `author.team,author.nope` still expands `author` with its team. A level without records expands nothing
    /// and fails no path (a post without an author answers `author.nope` with an empty `expand`).
    private func expandPaths(
        _ records: [RecordModel], of collection: CollectionModel, tree: ExpandTree, wholePaths: Bool
    ) async throws -> (records: [RecordModel], expanded: Bool) {
        guard !records.isEmpty else { return (records, true) }
        guard !tree.children.isEmpty else { return (records, false) }
        var out = records
        var anyValid = false
        for (key, subtree) in tree.children.sorted(by: { $0.key < $1.key }) {
            let relation = subtree.relation ?? key
            if let field = collection.field(named: relation), case .relation(let options) = field.options,
                let target = schema.collection(options.collectionId), mayRead(target)
            {
                let ids = Array(Set(records.flatMap { RecordService.ids(in: $0.values[field.name]) }))
                var loaded = try await load(target, condition: Self.idIn(ids, table: target.name))
                if !subtree.children.isEmpty {
                    let nested = try await expandPaths(loaded, of: target, tree: subtree, wholePaths: wholePaths)
                    guard nested.expanded || !wholePaths else { continue }
                    loaded = nested.records
                }
                anyValid = true
                var byID: [String: JSONValue] = [:]
                for r in loaded { byID[r.id] = RecordEncoder.json(r, collection: target, auth: request.auth) }
                for i in out.indices {
                    let wanted = RecordService.ids(in: out[i].values[field.name])
                    var expand = out[i].expand ?? [:]
                    if field.isMultiple {
                        let found = wanted.compactMap { byID[$0] }
                        if !found.isEmpty { expand[field.name] = .array(found) }
                    } else if let id = wanted.first, let value = byID[id] {
                        expand[field.name] = value
                    }
                    out[i].expand = expand
                }
            } else if let (source, field) = backRelation(relation, pointingTo: collection), mayRead(source) {
                let ids = records.map(\.id)
                if let slice = subtree.slice {
                    anyValid = true
                    let pages = try await loadPages(of: source, via: field, parents: ids, slice: slice, tree: subtree)
                    for i in out.indices {
                        var expand = out[i].expand ?? [:]
                        expand[key] = .array(pages[out[i].id] ?? [])
                        out[i].expand = expand
                    }
                    continue
                }
                let table = quoteIdentifier(source.name)
                let column = quoteIdentifier(field.name)
                let condition: SQLFragment
                if field.isMultiple {
                    let elements = schema.dialect.jsonArrayElements("\(table).\(column)")
                    condition =
                        SQLFragment(unsafeRaw: "EXISTS (SELECT 1 FROM \(elements) AS je WHERE je.value IN (")
                        + Self.placeholders(ids) + SQLFragment(unsafeRaw: "))")
                } else {
                    condition = SQLFragment(unsafeRaw: "\(table).\(column) IN (") + Self.placeholders(ids) + SQLFragment(unsafeRaw: ")")
                }
                var loaded = try await load(source, condition: condition, limit: Self.maxBackRelations)
                if !subtree.children.isEmpty {
                    let nested = try await expandPaths(loaded, of: source, tree: subtree, wholePaths: wholePaths)
                    guard nested.expanded || !wholePaths else { continue }
                    loaded = nested.records
                }
                anyValid = true
                let single = Self.hasUniqueIndex(source, on: field.name)
                let byParent = Self.group(loaded, by: field.name, encode: {
                    RecordEncoder.json($0, collection: source, auth: request.auth)
                })
                for i in out.indices {
                    var expand = out[i].expand ?? [:]
                    if let encoded = byParent[out[i].id] {
                        expand[key] = single ? encoded[0] : .array(encoded)
                    }
                    out[i].expand = expand
                }
            }
        }
        if anyValid {
            for i in out.indices where out[i].expand == nil { out[i].expand = [:] }
        }
        return (out, anyValid)
    }

    /// A collection the requester may never view (a `null` view rule, or outside an API key's scopes) fails its
    /// expand path as a wrong path does: it adds no `expand` key. A rule the requester may satisfy for some
    /// records only filters them.
    func mayRead(_ collection: CollectionModel) -> Bool {
        request.auth.mayExpand(into: collection) && (request.auth.isSuperuser || collection.viewRule != nil)
    }

    /// `comments_via_post` (or the legacy `comments(post)`) → the `comments` collection and its `post` field,
    /// if that field is a relation to `collection`.
    func backRelation(_ key: String, pointingTo collection: CollectionModel) -> (CollectionModel, FieldModel)? {
        var sourceName: Substring
        var fieldName: Substring
        if let range = key.range(of: "_via_") {
            sourceName = key[..<range.lowerBound]
            fieldName = key[range.upperBound...]
        } else if key.hasSuffix(")"), let open = key.firstIndex(of: "(") {
            sourceName = key[..<open]
            fieldName = key[key.index(after: open)..<key.index(before: key.endIndex)]
        } else {
            return nil
        }
        guard let source = schema.collection(String(sourceName)), let field = source.field(named: String(fieldName)),
            case .relation(let options) = field.options, options.collectionId == collection.id
        else { return nil }
        return (source, field)
    }

    private func load(_ collection: CollectionModel, condition: SQLFragment, limit: Int? = nil) async throws
        -> [RecordModel]
    {
        if !mayRead(collection) { return [] }
        var query = RecordQuery(collection)
        query.conditions.append(condition)
        if !request.auth.isSuperuser, let rule = collection.viewRule {
            query.add(try RuleCompiler.condition(rule, collection: collection, schema: schema, request: request))
        }
        let finalQuery = query
        let rows = try await store.read { conn in try conn.rows(finalQuery.select(limit: limit)) }
        return rows.map { RecordRow.record(from: $0, in: collection) }
    }

    /// The loaded back-related records, encoded once each, under every id their `field` points to — in load
    /// order, so each parent sees them as the query answered them. One pass instead of a scan per parent.
    package static func group(_ loaded: [RecordModel], by field: String, encode: (RecordModel) -> JSONValue)
        -> [String: [JSONValue]]
    {
        var byParent: [String: [JSONValue]] = [:]
        for record in loaded {
            let parents = RecordService.ids(in: record.values[field])
            guard !parents.isEmpty else { continue }
            let encoded = encode(record)
            var seen = Set<String>()
            for parent in parents where seen.insert(parent).inserted {
                byParent[parent, default: []].append(encoded)
            }
        }
        return byParent
    }

    static func idIn(_ ids: [String], table: String) -> SQLFragment {
        if ids.isEmpty { return SQLFragment(unsafeRaw: "0") }
        return SQLFragment(unsafeRaw: "\(quoteIdentifier(table)).\"id\" IN (") + placeholders(ids) + SQLFragment(unsafeRaw: ")")
    }

    static func placeholders(_ values: [String]) -> SQLFragment {
        if values.isEmpty { return SQLFragment(unsafeRaw: "NULL") }
        return SQLFragment(
            unsafeRaw: Array(repeating: "?", count: values.count).joined(separator: ", "),
            arguments: values.map { .text($0) })
    }

    static func hasUniqueIndex(_ collection: CollectionModel, on field: String) -> Bool {
        collection.indexes.compactMap { IndexDefinition(parsing: $0) }.contains {
            $0.unique && $0.columns.count == 1 && $0.columns[0].name.equalsIgnoringASCIICase(field)
        }
    }
}

/// Expand paths as a tree: `author.team,author.avatar` → author → {team, avatar}.
///
/// A child's key is where its records land under `expand`, normally the relation's own name. A transport may
/// load one relation several ways (GraphQL aliases with different arguments): such a child names the relation
/// it loads in `relation` and how in `slice`, under a key of its own.
package struct ExpandTree: Sendable, Equatable {
    package var children: [String: ExpandTree] = [:]
    /// The relation this node loads when its key is not the relation's name.
    package var relation: String?
    /// Each parent's own page of a back-relation's records (see `ExpandSlice`); nil loads them as `expand` does.
    package var slice: ExpandSlice?
    /// Set on the root of an `expand` parameter's tree: a path one of whose segments fails expands nothing, as in
    /// PocketBase. A GraphQL selection leaves it off — a relation it may not read is null under a parent that
    /// still loads.
    package var failsWholePaths = false

    package init(relation: String? = nil, slice: ExpandSlice? = nil) {
        self.relation = relation
        self.slice = slice
    }

    /// Adds `other`'s paths to this tree's (a node keeps its own relation and slice when both have one).
    package mutating func merge(_ other: ExpandTree) {
        relation = relation ?? other.relation
        slice = slice ?? other.slice
        for (key, child) in other.children {
            children[key, default: ExpandTree()].merge(child)
        }
    }

    package var isEmpty: Bool { children.isEmpty }

    mutating func insert(_ segments: ArraySlice<String>) {
        guard let first = segments.first else { return }
        children[first, default: ExpandTree()].insert(segments.dropFirst())
    }
}

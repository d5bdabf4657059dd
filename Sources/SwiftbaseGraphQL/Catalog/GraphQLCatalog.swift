import SwiftbaseCore

/// An array relationship's aggregate (`comments_via_post_aggregate { aggregate { count } }`): Hasura's
/// `<relationship>_aggregate`, over each record's related records.
struct RelationAggregateShape: Sendable {
    /// The GraphQL field name.
    let name: String
    /// The related collection's type (whose `_aggregate` type answers).
    let sourceType: String
    /// The related collection's single relation field pointing here.
    let via: FieldModel
}

/// How one collection appears in GraphQL: its type name and output fields.
struct CollectionShape: Sendable {
    let collection: CollectionModel
    /// The object type's name, also the list field's name (`posts`).
    let typeName: String
    /// Output fields in schema order: `id`, the collection's fields (with `<file>_url` after each file field),
    /// `collectionId`, `collectionName`, then back-relations.
    let fields: [FieldShape]
    /// The `_aggregate` companions of the array relationships, after the fields.
    let relationAggregates: [RelationAggregateShape]
    private let fieldIndex: [String: Int]

    init(
        collection: CollectionModel, typeName: String, fields: [FieldShape],
        relationAggregates: [RelationAggregateShape] = []
    ) {
        self.collection = collection
        self.typeName = typeName
        self.fields = fields
        self.relationAggregates = relationAggregates
        var index: [String: Int] = [:]
        for (i, field) in fields.enumerated() { index[field.name] = i }
        self.fieldIndex = index
    }

    func field(_ graphQLName: String) -> FieldShape? { fieldIndex[graphQLName].map { fields[$0] } }

    func relationAggregate(_ graphQLName: String) -> RelationAggregateShape? {
        relationAggregates.first { $0.name == graphQLName }
    }

    /// View collections are read-only: no mutations.
    var isWritable: Bool { collection.type != .view }

    /// The stored fields a create or update may set, with their GraphQL names: no autodates, files (uploads
    /// need multipart), hidden fields or `tokenKey`.
    var writableFields: [(name: String, field: FieldModel, type: ValueType)] {
        fields.compactMap { shape in
            switch shape.kind {
            case .value(let field, let type) where !isGenerated(field):
                (shape.name, field, type)
            case .relation(let field, _, let isList) where !isGenerated(field):
                (shape.name, field, isList ? .stringList : .string)
            default:
                nil
            }
        }
    }

    private func isGenerated(_ field: FieldModel) -> Bool {
        if case .autodate = field.options { return true }
        return field.name == "id"
    }
}

/// The collections GraphQL serves and their shapes, worked out from one schema snapshot with no GraphQL
/// types involved, so naming and visibility are decided (and tested) in one place.
///
/// - Every non-system collection is served; rules decide which rows an identity sees, as in REST.
/// - Never served: password fields, an auth collection's `tokenKey`, hidden fields (for superusers too: one
///   schema serves every identity).
/// - A collection whose sanitised names collide with an earlier one's (or a shared type's) is left out; a
///   field whose name collides inside its type is left out. Collections are taken in name order, so the
///   outcome does not depend on creation order.
struct GraphQLCatalog: Sendable {
    let shapes: [CollectionShape]
    private let byType: [String: Int]
    private let byCollectionID: [String: Int]
    /// Collections left out because of a name collision, for the log.
    let skipped: [String]

    init(_ snapshot: SchemaSnapshot) {
        var takenTypes = GraphQLNames.sharedTypeNames
        var takenRoots: Set<String> = []
        var included: [(CollectionModel, String)] = []
        var skipped: [String] = []
        for collection in snapshot.collections.sorted(by: { $0.name < $1.name }) where !collection.system {
            let type = GraphQLNames.sanitize(collection.name)
            let types = GraphQLNames.typeNames(of: type)
            let roots = GraphQLNames.rootFields(of: type)
            guard types.allSatisfy({ !takenTypes.contains($0) }), roots.allSatisfy({ !takenRoots.contains($0) }) else {
                skipped.append(collection.name)
                continue
            }
            takenTypes.formUnion(types)
            takenRoots.formUnion(roots)
            included.append((collection, type))
        }
        let typeByID = Dictionary(included.map { ($0.0.id, $0.1) }, uniquingKeysWith: { a, _ in a })
        var shapes: [CollectionShape] = []
        for (collection, type) in included {
            let fields = Self.fields(of: collection, in: snapshot, typeByID: typeByID)
            shapes.append(
                CollectionShape(
                    collection: collection, typeName: type, fields: fields,
                    relationAggregates: Self.relationAggregates(of: fields)))
        }
        self.shapes = shapes
        self.skipped = skipped
        byType = Dictionary(shapes.enumerated().map { ($1.typeName, $0) }, uniquingKeysWith: { a, _ in a })
        byCollectionID = Dictionary(shapes.enumerated().map { ($1.collection.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    func shape(type: String) -> CollectionShape? { byType[type].map { shapes[$0] } }

    /// The collection a query root field reads (`posts`, `posts_by_pk`, `posts_aggregate`, `posts_group_by`)
    /// and the rule that decides it (`view` for `_by_pk`, else `list`).
    func shape(queryRoot name: String) -> (CollectionShape, RecordAction)? {
        if let shape = shape(type: name) { return (shape, .list) }
        for (suffix, action) in [("_by_pk", RecordAction.view), ("_aggregate", .list), ("_group_by", .list)]
        where name.hasSuffix(suffix) {
            if let shape = shape(type: String(name.dropLast(suffix.count))) { return (shape, action) }
        }
        return nil
    }
    func shape(collectionID: String) -> CollectionShape? { byCollectionID[collectionID].map { shapes[$0] } }

    private static func fields(of collection: CollectionModel, in snapshot: SchemaSnapshot, typeByID: [String: String])
        -> [FieldShape]
    {
        var out: [FieldShape] = []
        var taken: Set<String> = []
        func add(_ name: String, _ kind: FieldShape.Kind) {
            guard !taken.contains(name) else { return }
            taken.insert(name)
            out.append(FieldShape(name: name, kind: kind))
        }
        add("id", .system("id"))
        for field in collection.fields where field.name != "id" && !field.hidden {
            if collection.isAuth && field.name == "tokenKey" { continue }
            guard let type = ValueType.of(field) else { continue }
            let name = GraphQLNames.sanitize(field.name)
            switch field.options {
            case .relation(let options):
                if let target = typeByID[options.collectionId] {
                    add(name, .relation(field, targetType: target, isList: field.isMultiple))
                } else {
                    // The target is not served (a system collection): its ids, as REST answers them.
                    add(name, .value(field, type))
                }
            case .file:
                add(name, .file(field, isList: field.isMultiple))
                add(name + "_url", .fileURL(field, isList: field.isMultiple))
            default:
                add(name, .value(field, type))
            }
        }
        add("collectionId", .system("collectionId"))
        add("collectionName", .system("collectionName"))
        for (source, field) in snapshot.references(to: collection.id).sorted(by: {
            ($0.0.name, $0.1.name) < ($1.0.name, $1.1.name)
        }) {
            guard let sourceType = typeByID[source.id], !field.hidden else { continue }
            let key = "\(source.name)_via_\(field.name)"
            let single = hasUniqueIndex(source, on: field.name)
            add(
                GraphQLNames.sanitize(key),
                .backRelation(expandKey: key, sourceType: sourceType, via: field, isList: !single))
        }
        return out
    }

    /// `comments_via_post_aggregate` beside each array relationship through a single relation field, unless
    /// the name is taken by a field.
    private static func relationAggregates(of fields: [FieldShape]) -> [RelationAggregateShape] {
        let taken = Set(fields.map(\.name))
        return fields.compactMap { field in
            guard case .backRelation(_, let sourceType, let via, true) = field.kind, !via.isMultiple,
                !taken.contains(field.name + "_aggregate")
            else { return nil }
            return RelationAggregateShape(name: field.name + "_aggregate", sourceType: sourceType, via: via)
        }
    }

    /// As `RecordExpander` decides: a back-relation through a field with a single-column unique index is one
    /// record.
    private static func hasUniqueIndex(_ collection: CollectionModel, on field: String) -> Bool {
        collection.indexes.compactMap { IndexDefinition(parsing: $0) }.contains {
            $0.unique && $0.columns.count == 1 && $0.columns[0].name.lowercased() == field.lowercased()
        }
    }
}

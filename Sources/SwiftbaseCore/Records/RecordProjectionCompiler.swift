/// Compiles a `RecordProjection` into the select list of one statement whose value, per record, is the
/// record's JSON with its related records nested: to-one relations and back-relations as correlated
/// subqueries, each related collection's view rule applied exactly as `RecordExpander` applies it for
/// `expand` (same request, `@request.context` = `expand`, same may-read decision). The dialect spells the
/// JSON functions; every value and key is bound.
///
/// Answers nil for what this statement could not answer exactly as the expander does — the caller then takes
/// the expander's path: a related rule that needs joins (its row order would be the planner's), a relation
/// from a collection to itself (the inner table name would shadow the outer one the link reads), a
/// back-relation below the first level (its 1000-record cap is per level, counted here only for the first),
/// a back-relation through a multi relation or a unique one, a paged back-relation without a limit or whose
/// filter or sort needs joins, more than 5 levels.
///
/// Each level reads only its own table and, in the link, its direct parent's: a collection met again further
/// down a path shadows the outer one only where nothing reads the outer one.
struct RecordProjectionCompiler {
    let expander: RecordExpander
    let dialect: any SQLDialect

    /// The back-relations directly under the root that a view rule filters: each one's matching-record count
    /// per root record, summed by the caller against the expander's cap of 1000 records per back-relation load.
    /// (One no rule filters counts itself, in the aggregate that builds it.)
    private(set) var backRelationCounts: [SQLFragment] = []

    private var auth: AuthContext { expander.request.auth }

    init(expander: RecordExpander) {
        self.expander = expander
        self.dialect = expander.schema.dialect
    }

    /// The JSON object of a record of `collection` (its table in scope), or nil (see the type's comment).
    mutating func object(
        _ projection: RecordProjection, of collection: CollectionModel, path: [String], isRoot: Bool
    ) throws -> SQLFragment? {
        let table = quoteIdentifier(collection.name)
        var members: [(key: String, value: SQLFragment)] = []
        for member in projection.members {
            switch member {
            case .constant(let key, let text):
                members.append((key, .bind(.text(text))))
            case .field(let key, let name, let kind):
                guard collection.field(named: name) != nil else { return nil }
                let column = "\(table).\(quoteIdentifier(name))"
                members.append((key, SQLFragment(unsafeRaw: dialect.jsonRendered(column, as: kind))))
            case .email(let key):
                guard let value = email(of: collection, table: table) else { return nil }
                members.append((key, value))
            case .toOne(let key, let field, let target, let nested):
                guard let value = try toOne(field, target: target, nested, parent: collection, path: path) else {
                    return nil
                }
                members.append((key, value))
            case .backRelation(let key, let source, let field, let nested, let slice):
                guard isRoot,
                    let value = try backRelation(source, via: field, nested, slice: slice, parent: collection, path: path)
                else { return nil }
                members.append((key, value))
            }
        }
        return dialect.jsonObject(members)
    }

    /// `RecordEncoder`'s rule for an auth record's email seen through a relation or a list without a manage
    /// rule in play: shown to superusers, to the record itself and when `emailVisibility` is on.
    private func email(of collection: CollectionModel, table: String) -> SQLFragment? {
        guard collection.isAuth, collection.field(named: "email") != nil else { return nil }
        let column = dialect.jsonRendered("\(table).\"email\"", as: .text)
        if auth.isSuperuser { return SQLFragment(unsafeRaw: column) }
        var visible = SQLFragment(unsafeRaw: dialect.truthy("\(table).\"emailVisibility\""))
        if let own = auth.record, own.collectionId == collection.id {
            visible += SQLFragment(unsafeRaw: " OR \(table).\"id\" = ?", arguments: [.text(own.id)])
        }
        return SQLFragment(unsafeRaw: "(CASE WHEN ") + visible
            + SQLFragment(unsafeRaw: " THEN \(column) ELSE NULL END)")
    }

    private mutating func toOne(
        _ field: FieldModel, target: CollectionModel, _ nested: RecordProjection, parent: CollectionModel,
        path: [String]
    ) throws -> SQLFragment? {
        guard !field.isMultiple, case .relation(let options) = field.options, options.collectionId == target.id,
            target.name.lowercased() != parent.name.lowercased(), path.count < RecordExpander.maxDepth
        else { return nil }
        guard expander.mayRead(target) else { return SQLFragment(unsafeRaw: dialect.jsonLiteral("null")) }
        guard let rule = try ruleCondition(target),
            let object = try object(nested, of: target, path: path + [target.name], isRoot: false)
        else { return nil }
        let table = quoteIdentifier(target.name)
        let link = "\(table).\"id\" = \(quoteIdentifier(parent.name)).\(quoteIdentifier(field.name))"
        let query =
            SQLFragment(unsafeRaw: "(SELECT ") + object + SQLFragment(unsafeRaw: " FROM \(table) WHERE \(link)")
            + rule + SQLFragment(unsafeRaw: " LIMIT 1)")
        return dialect.jsonEmbedded(query)
    }

    private mutating func backRelation(
        _ source: CollectionModel, via field: FieldModel, _ nested: RecordProjection, slice: ExpandSlice?,
        parent: CollectionModel, path: [String]
    ) throws -> SQLFragment? {
        guard !field.isMultiple, case .relation(let options) = field.options, options.collectionId == parent.id,
            source.name.lowercased() != parent.name.lowercased(),
            !RecordExpander.hasUniqueIndex(source, on: field.name)
        else { return nil }
        guard expander.mayRead(source) else { return SQLFragment(unsafeRaw: dialect.jsonLiteral("[]")) }
        if let slice {
            return try page(of: source, via: field, nested, slice: slice, parent: parent, path: path)
        }
        guard let rule = try ruleCondition(source),
            let object = try object(nested, of: source, path: path + [source.name], isRoot: false)
        else { return nil }
        let table = quoteIdentifier(source.name)
        let from =
            SQLFragment(
                unsafeRaw:
                    " FROM \(table) WHERE \(table).\(quoteIdentifier(field.name)) = \(quoteIdentifier(parent.name)).\"id\"")
            + rule
        if rule.sql.isEmpty {
            // No rule: the related rows are those of the relation column alone, read in the order its index (or
            // the table) holds them — insertion order, as the expander reads them. One aggregate over them builds
            // the array (no ordered subquery whose rows are JSON text to read again) and counts them: past the
            // expander's cap the value is the marker, and the caller takes the expander's path.
            let capped =
                SQLFragment(
                    unsafeRaw: "(SELECT CASE WHEN COUNT(*) > ? THEN \(dialect.jsonUnrenderableValue) ELSE ",
                    arguments: [.integer(Int64(RecordExpander.maxBackRelations))])
                + dialect.jsonArrayAggregate(of: object) + SQLFragment(unsafeRaw: " END") + from
                + SQLFragment(unsafeRaw: ")")
            return dialect.jsonEmbedded(capped)
        }
        // The expander reads them in one query without an order: per parent that is insertion order, the
        // order both the table scan and an index on the relation column give.
        let rows =
            SQLFragment(unsafeRaw: "SELECT ") + object + SQLFragment(unsafeRaw: " AS j") + from
            + SQLFragment(
                unsafeRaw: " ORDER BY \(table).\(dialect.rowOrderColumn) LIMIT ?",
                arguments: [.integer(Int64(RecordExpander.maxBackRelations))])
        backRelationCounts.append(SQLFragment(unsafeRaw: "(SELECT COUNT(*)") + from + SQLFragment(unsafeRaw: ")"))
        return dialect.jsonEmbedded(
            SQLFragment(unsafeRaw: "(SELECT \(dialect.jsonArrayAggregate("j")) FROM (") + rows
                + SQLFragment(unsafeRaw: "))"))
    }

    /// Each record's own page of a back-relation, as `RecordExpander.loadPages` reads it: the related rows the
    /// view rule and the slice's filter let through, in the slice's order (insertion order breaking ties), its
    /// `offset` skipped and at most its `limit` read, per record. Nil — the expander's path — without a
    /// `limit` (the expander then caps the whole level, which a per-record statement cannot count the same
    /// way) or when the filter, the sort or the rule needs joins.
    private mutating func page(
        of source: CollectionModel, via field: FieldModel, _ nested: RecordProjection, slice: ExpandSlice,
        parent: CollectionModel, path: [String]
    ) throws -> SQLFragment? {
        guard let limit = slice.limit else { return nil }
        let table = quoteIdentifier(source.name)
        var query = RecordQuery(source)
        query.conditions.append(
            SQLFragment(
                unsafeRaw: "\(table).\(quoteIdentifier(field.name)) = \(quoteIdentifier(parent.name)).\"id\""))
        try query.addClientTerms(
            filter: slice.filter, condition: slice.condition, sort: slice.sort, schema: expander.schema,
            request: expander.request)
        if !auth.isSuperuser, let rule = source.viewRule {
            query.add(
                try RuleCompiler.condition(rule, collection: source, schema: expander.schema, request: expander.request))
        }
        guard query.joins.isEmpty, !query.distinct,
            let object = try object(nested, of: source, path: path + [source.name], isRoot: false)
        else { return nil }
        query.orderBy.append(SQLFragment(unsafeRaw: "\(table).\(dialect.rowOrderColumn)"))
        let rows = query.select(object + SQLFragment(unsafeRaw: " AS j"), limit: limit, offset: slice.offset)
        return dialect.jsonEmbedded(
            SQLFragment(unsafeRaw: "(SELECT \(dialect.jsonArrayAggregate("j")) FROM (") + rows
                + SQLFragment(unsafeRaw: "))"))
    }

    /// ` AND (<view rule>)` for the requester, empty when no rule applies; nil when the rule needs joins.
    private func ruleCondition(_ collection: CollectionModel) throws -> SQLFragment? {
        guard !auth.isSuperuser, let rule = collection.viewRule else { return SQLFragment(unsafeRaw: "") }
        guard
            let compiled = try RuleCompiler.condition(
                rule, collection: collection, schema: expander.schema, request: expander.request)
        else { return SQLFragment(unsafeRaw: "") }
        guard compiled.joins.isEmpty, !compiled.distinct else { return nil }
        return SQLFragment(unsafeRaw: " AND (") + compiled.condition + SQLFragment(unsafeRaw: ")")
    }
}

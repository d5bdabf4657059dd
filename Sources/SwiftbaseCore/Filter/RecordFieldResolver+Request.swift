// `@request.*` and `@collection.*` identifiers.
//
// Static request values (`@request.method`, `@request.query.x`, `@request.body.title`, the plain auth
// fields) are bound as values. Paths that need rows (`@request.auth.team.name`, `@request.body.author.name`,
// `@collection.tags.name`) are joined and then walked like any field path.

extension RecordFieldResolver {
    /// Auth fields available without joining the auth collection.
    static let plainAuthFields: Set<String> = [
        "id", "collectionId", "collectionName", "email", "emailVisibility", "verified",
    ]

    mutating func resolveCollectionReference(_ state: inout PathState) throws(SwiftbaseError) -> ResolvedOperand {
        guard state.props.count >= 3 else { throw .invalidFilter("invalid @collection field path") }
        let nameAndAlias = state.props[1].split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard let joined = schema.collection(String(nameAndAlias[0])) else {
            throw .invalidFilter("failed to load collection \(nameAndAlias[0])")
        }
        let alias: String
        if nameAndAlias.count == 2, !nameAndAlias[1].isEmpty {
            alias = "__collection_alias_" + nameAndAlias[1] + joinAliasSuffix
        } else {
            alias = "__collection_" + joined.name + joinAliasSuffix
        }
        let table = SQLFragment(unsafeRaw: quoteIdentifier(joined.name))
        try registerJoin(FilterJoin(table: table, alias: alias, collectionName: joined.name))
        state.collection = joined
        state.alias = alias
        state.usesJoins = true
        state.withMultiMatch = true
        state.multiMatchAlias = "__mm_" + alias
        state.multiMatch.joins.append(FilterJoin(table: table, alias: state.multiMatchAlias))
        state.props.removeFirst(2)
        return try resolvePath(&state)
    }

    mutating func resolveRequestReference(_ state: inout PathState, identifier: String) throws(SwiftbaseError)
        -> ResolvedOperand
    {
        guard let request else { return .null }
        let props = state.props
        if props[1] == "auth" { return try resolveAuthReference(&state, request: request, identifier: identifier) }
        if props[1] == "body", props.count > 2 {
            let (name, modifier) = try IdentifierSyntax.splitModifier(props[2])
            if let field = Self.field(named: name, in: collection) {
                if case .relation(let options) = field.options, props.count > 3 {
                    return try resolveBodyRelation(&state, field: field, options: options, request: request)
                }
                if props.count == 3, let modifier {
                    switch modifier {
                    case .each: return try resolveBodyEach(field: field, request: request)
                    case .length: return try resolveBodyLength(field: field, request: request)
                    case .lower: return .lowered(Self.goString(bodyValue(request.body[field.name], of: field)))
                    case .changed: return try resolveBodyChanged(field: field)
                    case .isset: break
                    }
                }
            }
        }
        return try resolveStaticValue(Array(props.dropFirst()), request: request)
    }

    private mutating func resolveAuthReference(_ state: inout PathState, request: RequestInfo, identifier: String)
        throws(SwiftbaseError) -> ResolvedOperand
    {
        guard let record = request.auth.record,
            let authCollection = schema.collection(record.collectionId) ?? schema.collection(record.collectionName)
        else { return .null }
        if state.props.count == 3, Self.plainAuthFields.contains(state.props[2]) {
            return try resolveStaticValue(Array(state.props.dropFirst()), request: request)
        }
        let alias = "__auth_" + authCollection.name + joinAliasSuffix
        let table = SQLFragment(unsafeRaw: quoteIdentifier(authCollection.name))
        let idValue = SQLFragment.bind(.text(record.id))
        try registerJoin(
            FilterJoin(
                table: table, alias: alias,
                on: SQLFragment(unsafeRaw: FilterJSONSQL.column(alias, "id") + " = ") + idValue,
                collectionName: authCollection.name))
        state.collection = authCollection
        state.alias = alias
        state.usesJoins = true
        state.multiMatchAlias = "__mm_" + alias
        state.multiMatch.joins.append(
            FilterJoin(
                table: table, alias: state.multiMatchAlias,
                on: SQLFragment(unsafeRaw: FilterJSONSQL.column(state.multiMatchAlias, "id") + " = ") + idValue))
        state.props.removeFirst(2)
        return try resolvePath(&state)
    }

    /// `@request.body.<relation>.<path>`: the submitted ids are joined and the rest is walked from there.
    private mutating func resolveBodyRelation(
        _ state: inout PathState, field: FieldModel, options: RelationFieldOptions, request: RequestInfo
    ) throws(SwiftbaseError) -> ResolvedOperand {
        guard let target = schema.collection(options.collectionId) else {
            throw .invalidFilter("failed to load the collection of body field \(field.name)")
        }
        let ids = Self.uniqueStrings(request.body[field.name])
        if ids.isEmpty { return .null }
        let alias = "__data_" + target.name + "_" + field.name + joinAliasSuffix
        let table = SQLFragment(unsafeRaw: quoteIdentifier(target.name))
        try registerJoin(
            FilterJoin(table: table, alias: alias, on: Self.idIn(alias: alias, ids), collectionName: target.name))
        state.collection = target
        state.alias = alias
        state.usesJoins = true
        if options.maxSelect > 1 { state.withMultiMatch = true }
        state.multiMatchAlias = "__mm_" + alias
        state.multiMatch.joins.append(
            FilterJoin(table: table, alias: state.multiMatchAlias, on: Self.idIn(alias: state.multiMatchAlias, ids)))
        state.props.removeFirst(3)
        return try resolvePath(&state)
    }

    /// `@request.body.<multi field>:each`: the submitted values, bound as a JSON array, as rows.
    private mutating func resolveBodyEach(field: FieldModel, request: RequestInfo) throws(SwiftbaseError)
        -> ResolvedOperand
    {
        guard Self.isMultiValuer(field) else {
            throw .invalidFilter("field \(field.name) doesn't support multivalue operations")
        }
        let items = JSONValue.array(Self.asList(request.body[field.name])).jsonString
        let alias = "__dataEach_je_" + field.name + joinAliasSuffix
        try registerJoin(FilterJoin(table: dialect.jsonArrayElements(ofBoundText: items), alias: alias))
        var result = ResolvedOperand(
            sql: SQLFragment(unsafeRaw: FilterJSONSQL.column(alias, "value")), parameters: [.text(items)],
            usesJoins: true)
        if field.isMultiple {
            let mmAlias = "__mm_" + alias
            result.multiMatch = MultiMatchSubquery(
                fromTable: collection.name, fromAlias: "__mm_" + baseAlias, targetAlias: baseAlias,
                joins: [FilterJoin(table: dialect.jsonArrayElements(ofBoundText: items), alias: mmAlias)],
                value: SQLFragment(unsafeRaw: FilterJSONSQL.column(mmAlias, "value")))
        }
        return result
    }

    private func resolveBodyLength(field: FieldModel, request: RequestInfo) throws(SwiftbaseError) -> ResolvedOperand {
        guard Self.isMultiValuer(field) else {
            throw .invalidFilter("field \(field.name) doesn't support multivalue operations")
        }
        // Bound, but classified like PocketBase's inlined number (no parameters).
        return ResolvedOperand(sql: .bind(.integer(Int64(Self.asList(request.body[field.name]).count))))
    }

    /// `@request.body.<field>:changed` ≡ `(@request.body.<field>:isset = true && @request.body.<field> != <field>)`.
    private mutating func resolveBodyChanged(field: FieldModel) throws(SwiftbaseError) -> ResolvedOperand {
        let body = "@request.body." + field.name
        let expression = FilterExpression.conjunction([
            .comparison(FilterComparison(.identifier(body + ":isset"), .equal, .identifier("true"))),
            .comparison(FilterComparison(.identifier(body), .notEqual, .identifier(field.name))),
        ])
        let condition = try FilterCompiler.compileCondition(expression, resolver: &self)
        return ResolvedOperand(
            sql: SQLFragment(unsafeRaw: "(") + condition.sql + SQLFragment(unsafeRaw: ")"), nullFallback: .disabled,
            usesJoins: condition.usesJoins)
    }

    /// A value looked up in the request (`path` = `["body", "a", "0"]`, `["method"]`, `["auth", "id"]`…).
    private func resolveStaticValue(_ path: [String], request: RequestInfo) throws(SwiftbaseError) -> ResolvedOperand {
        var path = path
        let (last, modifier) = try IdentifierSyntax.splitModifier(path[path.count - 1])
        path[path.count - 1] = last
        var value = RequestValueLookup(request).value(at: path)
        if path.count == 2, path[0] == "body", let field = Self.field(named: last, in: collection) {
            value = bodyValue(value, of: field)
        }
        if modifier == .isset { return .constant(value == nil ? "FALSE" : "TRUE") }
        if let modifier, modifier != .lower {
            throw .invalidFilter("invalid modifier sequence \(last):\(modifier.rawValue)")
        }
        guard var bound = value.flatMap(Self.sqlValue) else { return .null }
        // Multipart bodies send numbers as text: compare them as numbers when they name a number field.
        if case .text(let text) = bound, let field = Self.field(named: last, in: collection),
            case .number = field.options,
            let number = Double(text)
        {
            bound = .real(number)
        }
        return modifier == .lower ? .lowered(bound) : .value(bound)
    }
}

extension RecordFieldResolver {
    /// A submitted field value as `@request.body.<field>` shows it: a geoPoint as PocketBase's
    /// `GeoPoint.String()`, its stored text (`lon` first), so `@request.body.loc = loc` and `loc:changed`
    /// compare like with like; anything else as it is.
    fileprivate func bodyValue(_ value: JSONValue?, of field: FieldModel) -> JSONValue? {
        guard case .geoPoint = field.options, let value else { return value }
        return .string(GeoPoint(reading: value).text)
    }
}

extension ResolvedOperand {
    /// `LOWER(?)` over a request value.
    static func lowered(_ value: SQLValue) -> ResolvedOperand {
        ResolvedOperand(sql: SQLFragment(unsafeRaw: "LOWER(?)", arguments: [value]), parameters: [value])
    }

    static func lowered(_ text: String) -> ResolvedOperand {
        lowered(.text(text))
    }
}

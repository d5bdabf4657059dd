// Field paths: plain fields, relation hops, back-relations, JSON paths and the last-segment modifiers.
//
// Each hop is walked twice, as PocketBase does: once with join aliases for the main condition
// (`posts_author`) and once inside the multi-match subquery (`__mm_posts_author`), which the compiler
// uses for "every value must match" when the path is multi-valued.

/// Walking state of one identifier.
struct PathState {
    var props: [String]
    var collection: CollectionModel
    var alias: String
    /// `@request.*` paths resolve unknown fields to NULL instead of failing.
    var nullifyMissing: Bool
    var withMultiMatch = false
    var usesJoins = false
    var multiMatchAlias: String
    var multiMatch: MultiMatchSubquery

    init(identifier: String, resolver: RecordFieldResolver) {
        props = identifier.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        collection = resolver.collection
        alias = resolver.baseAlias
        nullifyMissing = props.first == "@request"
        multiMatchAlias = "__mm_" + resolver.baseAlias
        multiMatch = MultiMatchSubquery(
            fromTable: resolver.collection.name, fromAlias: multiMatchAlias, targetAlias: resolver.baseAlias,
            value: SQLFragment(unsafeRaw: "NULL"))
    }

    /// The operand for the walked path's final expression (`sql` over the main aliases, `multiMatchValue`
    /// over the `__mm_` ones).
    func operand(_ sql: SQLFragment, multiMatchValue: SQLFragment?) -> ResolvedOperand {
        var result = ResolvedOperand.column(sql, usesJoins: usesJoins)
        if withMultiMatch, let multiMatchValue {
            var subquery = multiMatch
            subquery.value = multiMatchValue
            result.multiMatch = subquery
        }
        return result
    }
}

extension RecordFieldResolver {
    /// Resolves `state.props` from `state.collection`.
    mutating func resolvePath(_ state: inout PathState) throws(SwiftbaseError) -> ResolvedOperand {
        let total = state.props.count
        for index in 0..<total {
            let prop = state.props[index]
            if index == total - 1 { return try finalizePath(&state, prop: prop) }

            let field = Self.field(named: prop, in: state.collection)
            if let field, field.hidden, !allowHiddenFields { throw .invalidFilter("non-filterable field \(prop)") }
            if let field, Self.holdsJSONPaths(field) {
                return try resolveJSONPath(&state, field: field, path: state.props[(index + 1)...])
            }
            guard index < Self.maxNestedRelations else {
                throw .invalidFilter("max nested relations reached at \(prop)")
            }
            guard let field else {
                if try !walkBackRelation(&state, prop: prop) { return .null }
                continue
            }
            guard case .relation(let options) = field.options else {
                throw .invalidFilter("field \(prop) is not a valid relation")
            }
            guard let target = schema.collection(options.collectionId) else {
                throw .invalidFilter("failed to load the collection of field \(prop)")
            }
            // `author.id` is the stored `author` value: no join needed for single relations.
            if options.maxSelect <= 1, index == total - 2, state.props[index + 1] == "id" {
                return try finalizePath(&state, prop: field.name)
            }
            try walkRelation(&state, field: field, isMultiple: options.maxSelect > 1, target: target)
        }
        throw .invalidFilter("failed to resolve field \(state.props.joined(separator: "."))")
    }

    /// A relation hop `field` → `target`.
    private mutating func walkRelation(
        _ state: inout PathState, field: FieldModel, isMultiple: Bool, target: CollectionModel
    )
        throws(SwiftbaseError)
    {
        let column = FilterJSONSQL.column(state.alias, field.name)
        let newAlias = state.alias + "_" + field.name + joinAliasSuffix
        if isMultiple {
            let eachAlias = "__je_" + newAlias
            try registerJoin(FilterJoin(table: FilterJSONSQL.each(column, in: dialect), alias: eachAlias))
            try registerJoin(
                FilterJoin(
                    table: SQLFragment(unsafeRaw: quoteIdentifier(target.name)), alias: newAlias,
                    on: SQLFragment(
                        unsafeRaw:
                            "\(FilterJSONSQL.column(newAlias, "id")) = \(FilterJSONSQL.column(eachAlias, "value"))"),
                    collectionName: target.name))
        } else {
            try registerJoin(
                FilterJoin(
                    table: SQLFragment(unsafeRaw: quoteIdentifier(target.name)), alias: newAlias,
                    on: SQLFragment(unsafeRaw: "\(FilterJSONSQL.column(newAlias, "id")) = \(column)"),
                    collectionName: target.name))
        }
        state.collection = target
        state.alias = newAlias
        state.usesJoins = true

        if isMultiple { state.withMultiMatch = true }
        let mmColumn = FilterJSONSQL.column(state.multiMatchAlias, field.name)
        let mmAlias = state.multiMatchAlias + "_" + field.name
        if isMultiple {
            let mmEachAlias = mmAlias + "_je"
            state.multiMatch.joins.append(
                FilterJoin(table: FilterJSONSQL.each(mmColumn, in: dialect), alias: mmEachAlias))
            state.multiMatch.joins.append(
                FilterJoin(
                    table: SQLFragment(unsafeRaw: quoteIdentifier(target.name)), alias: mmAlias,
                    on: SQLFragment(
                        unsafeRaw:
                            "\(FilterJSONSQL.column(mmAlias, "id")) = \(FilterJSONSQL.column(mmEachAlias, "value"))")))
        } else {
            state.multiMatch.joins.append(
                FilterJoin(
                    table: SQLFragment(unsafeRaw: quoteIdentifier(target.name)), alias: mmAlias,
                    on: SQLFragment(unsafeRaw: "\(FilterJSONSQL.column(mmAlias, "id")) = \(mmColumn)")))
        }
        state.multiMatchAlias = mmAlias
    }

    /// A back-relation hop `<collection>_via_<field>`. Returns false when the path resolves to NULL
    /// (`@request.*` paths with an unknown back-relation).
    private mutating func walkBackRelation(_ state: inout PathState, prop: String) throws(SwiftbaseError) -> Bool {
        func missing(_ detail: String) throws(SwiftbaseError) -> Bool {
            if state.nullifyMissing { return false }
            throw .invalidFilter(detail)
        }
        guard let (collectionName, fieldName) = IdentifierSyntax.backRelation(prop) else {
            return try missing("failed to resolve field \(prop)")
        }
        guard let source = schema.collection(collectionName) else {
            return try missing("failed to load back relation collection \(collectionName)")
        }
        guard let backField = Self.field(named: fieldName, in: source), case .relation(let options) = backField.options
        else { return try missing("invalid back relation field \(fieldName)") }
        if backField.hidden, !allowHiddenFields {
            throw .invalidFilter("non-filterable back relation field \(fieldName)")
        }
        guard options.collectionId == state.collection.id else {
            return try missing("back relation field \(fieldName) does not point to \(state.collection.name)")
        }

        let isMultiple = options.maxSelect > 1
        let newAlias = state.alias + "_" + prop + joinAliasSuffix
        let table = SQLFragment(unsafeRaw: quoteIdentifier(source.name))
        try registerJoin(
            FilterJoin(
                table: table, alias: newAlias,
                on: Self.backRelationCondition(
                    from: newAlias, field: backField.name, to: state.alias, isMultiple: isMultiple, in: dialect),
                collectionName: source.name))
        state.collection = source
        state.alias = newAlias
        state.usesJoins = true

        if isMultiple {
            state.withMultiMatch = true
        } else if !state.withMultiMatch {
            // A back-relation is single-valued only when the relation field has a single-column UNIQUE index.
            state.withMultiMatch = !UniqueIndexParser.hasSingleColumnUniqueIndex(source.indexes, column: backField.name)
        }
        let mmAlias = state.multiMatchAlias + "_" + prop + joinAliasSuffix
        state.multiMatch.joins.append(
            FilterJoin(
                table: table, alias: mmAlias,
                on: Self.backRelationCondition(
                    from: mmAlias, field: backField.name, to: state.multiMatchAlias, isMultiple: isMultiple,
                    in: dialect)))
        state.multiMatchAlias = mmAlias
        return true
    }

    private static func backRelationCondition(
        from alias: String, field: String, to target: String, isMultiple: Bool, in dialect: any SQLDialect
    ) -> SQLFragment {
        let column = FilterJSONSQL.column(alias, field)
        guard isMultiple else {
            return SQLFragment(unsafeRaw: "\(column) = \(FilterJSONSQL.column(target, "id"))")
        }
        let eachAlias = "__je_" + alias
        return SQLFragment(
            unsafeRaw:
                "\(FilterJSONSQL.column(target, "id")) IN (SELECT \(FilterJSONSQL.column(eachAlias, "value")) FROM ")
            + FilterJSONSQL.each(column, in: dialect) + SQLFragment(unsafeRaw: " \(quoteIdentifier(eachAlias)))")
    }

    /// `data.a.0.b`, `location.lat`: the props after a JSON or geoPoint field form the JSON path (numeric
    /// segments are array indices).
    /// The last segment may carry `:lower`.
    private func resolveJSONPath(_ state: inout PathState, field: FieldModel, path: ArraySlice<String>)
        throws(SwiftbaseError) -> ResolvedOperand
    {
        var jsonPath = ""
        var lower = false
        for (offset, rawSegment) in path.enumerated() {
            var segment = rawSegment
            if offset == path.count - 1 {
                let (name, modifier) = try IdentifierSyntax.splitModifier(rawSegment)
                segment = name
                switch modifier {
                case nil: break
                case .lower?: lower = true
                case let other?: throw .invalidFilter("modifier \(other.rawValue) is not supported on JSON paths")
                }
            }
            guard IdentifierSyntax.isWord(Substring(segment)) else {
                throw .invalidFilter("invalid JSON path segment \(segment)")
            }
            jsonPath += segment.utf8.allSatisfy(FilterLexer.isDigit) ? "[" + segment + "]" : "." + segment
        }
        var sql = FilterJSONSQL.extract(FilterJSONSQL.column(state.alias, field.name), path: jsonPath, in: dialect)
        var mmValue = FilterJSONSQL.extract(
            FilterJSONSQL.column(state.multiMatchAlias, field.name), path: jsonPath, in: dialect)
        if lower {
            sql = Self.lower(sql)
            mmValue = Self.lower(mmValue)
        }
        var result = state.operand(sql, multiMatchValue: mmValue)
        result.nullFallback = .disabled
        return result
    }

    /// The last segment: a field of `state.collection` with an optional modifier.
    mutating func finalizePath(_ state: inout PathState, prop: String) throws(SwiftbaseError) -> ResolvedOperand {
        let (name, modifier) = try IdentifierSyntax.splitModifier(prop)
        guard let field = Self.field(named: name, in: state.collection) else {
            if state.nullifyMissing { return .null }
            throw .invalidFilter("unknown field \(name)")
        }
        if field.hidden, !allowHiddenFields { throw .invalidFilter("non-filterable field \(name)") }
        let column = FilterJSONSQL.column(state.alias, field.name)
        let mmColumn = FilterJSONSQL.column(state.multiMatchAlias, field.name)

        if modifier == .length, Self.isMultiValuer(field) {
            return state.operand(
                FilterJSONSQL.arrayLength(column, in: dialect),
                multiMatchValue: FilterJSONSQL.arrayLength(mmColumn, in: dialect))
        }
        if modifier == .each, Self.isMultiValuer(field) {
            let eachAlias = "__je_" + state.alias + "_" + field.name + joinAliasSuffix
            try registerJoin(FilterJoin(table: FilterJSONSQL.each(column, in: dialect), alias: eachAlias))
            state.usesJoins = true
            if field.isMultiple { state.withMultiMatch = true }
            let mmEachAlias = "__je_" + state.multiMatchAlias + "_" + field.name + joinAliasSuffix
            if state.withMultiMatch {
                state.multiMatch.joins.append(
                    FilterJoin(table: FilterJSONSQL.each(mmColumn, in: dialect), alias: mmEachAlias))
            }
            return state.operand(
                SQLFragment(unsafeRaw: FilterJSONSQL.column(eachAlias, "value")),
                multiMatchValue: SQLFragment(unsafeRaw: FilterJSONSQL.column(mmEachAlias, "value")))
        }

        var sql = SQLFragment(unsafeRaw: column)
        var mmValue = SQLFragment(unsafeRaw: mmColumn)
        var nullFallback = ResolvedOperand.NullFallback.auto
        if case .json = field.options {
            // Extracted so top-level JSON primitives compare like their SQL equivalents.
            sql = FilterJSONSQL.extract(column, path: "", in: dialect)
            mmValue = FilterJSONSQL.extract(mmColumn, path: "", in: dialect)
            nullFallback = .disabled
        }
        if modifier == .lower {
            sql = Self.lower(sql)
            mmValue = Self.lower(mmValue)
        }
        var result = state.operand(sql, multiMatchValue: mmValue)
        result.nullFallback = nullFallback
        // Without hidden-field access, auth emails are only matched where the owner made them visible.
        if field.name == "email", !allowHiddenFields, state.collection.isAuth {
            result.guardCondition = SQLFragment(
                unsafeRaw: "\(FilterJSONSQL.column(state.alias, "emailVisibility")) = TRUE")
        }
        return result
    }

    // MARK: - Helpers

    /// Exact-name field lookup, as PocketBase does. `id` always exists even if a schema omits it.
    static func field(named name: String, in collection: CollectionModel) -> FieldModel? {
        if let field = collection.fields.first(where: { $0.name == name }) { return field }
        if name == "id" {
            return FieldModel(name: "id", system: true, options: .text(TextFieldOptions(primaryKey: true)))
        }
        return nil
    }

    /// Field types whose stored JSON the props after them walk into (`data.a.0`, `location.lat`). A geoPoint
    /// named alone is its stored text (PocketBase extracts only a json field's top-level value).
    static func holdsJSONPaths(_ field: FieldModel) -> Bool {
        switch field.options {
        case .json, .geoPoint: true
        default: false
        }
    }

    /// Field types that hold lists and support `:each` / `:length`.
    static func isMultiValuer(_ field: FieldModel) -> Bool {
        switch field.options {
        case .select, .relation, .file: true
        default: false
        }
    }

    static func lower(_ sql: SQLFragment) -> SQLFragment {
        SQLFragment(unsafeRaw: "LOWER(") + sql + SQLFragment(unsafeRaw: ")")
    }
}

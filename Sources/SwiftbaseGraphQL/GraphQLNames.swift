/// GraphQL names for collections and fields, in Hasura's spelling (`posts`, `posts_by_pk`, `posts_bool_exp`).
///
/// GraphQL names must match `[_A-Za-z][_0-9A-Za-z]*` and may not start with `__` (introspection's prefix);
/// the GraphQL package refuses a schema with any other name. PocketBase names are `\w+`, so they may start
/// with a digit or `__`: those are made valid here, and a name that then collides with another is left out
/// of the schema by `GraphQLCatalog` rather than shadowing it.
enum GraphQLNames {
    /// `name` as a valid GraphQL name: other characters become `_`, a leading digit gets a `_` before it, and
    /// a leading `__` gets an `x` before it.
    static func sanitize(_ name: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in name.unicodeScalars {
            scalars.append(isNameCharacter(scalar) ? scalar : "_")
        }
        var out = String(scalars)
        if out.isEmpty { return "_" }
        if let first = out.unicodeScalars.first, ("0"..."9").contains(first) { out = "_" + out }
        if out.hasPrefix("__") { out = "x" + out }
        return out
    }

    private static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_": true
        default: false
        }
    }

    // MARK: - Derived names (Hasura's)

    static func boolExp(_ type: String) -> String { type + "_bool_exp" }
    static func orderBy(_ type: String) -> String { type + "_order_by" }
    static func insertInput(_ type: String) -> String { type + "_insert_input" }
    static func setInput(_ type: String) -> String { type + "_set_input" }
    static func incInput(_ type: String) -> String { type + "_inc_input" }
    static func pkColumnsInput(_ type: String) -> String { type + "_pk_columns_input" }

    static func byPK(_ type: String) -> String { type + "_by_pk" }
    static func insertOne(_ type: String) -> String { "insert_" + type + "_one" }
    static func updateByPK(_ type: String) -> String { "update_" + type + "_by_pk" }
    static func deleteByPK(_ type: String) -> String { "delete_" + type + "_by_pk" }
    static func events(_ type: String) -> String { type + "_events" }
    static func event(_ type: String) -> String { type + "_event" }
    static func aggregate(_ type: String) -> String { type + "_aggregate" }
    static func aggregateFields(_ type: String) -> String { type + "_aggregate_fields" }
    static func functionFields(_ type: String, _ function: String) -> String { type + "_" + function + "_fields" }
    static func selectColumn(_ type: String) -> String { type + "_select_column" }
    static func groupBy(_ type: String) -> String { type + "_group_by" }
    static func group(_ type: String) -> String { type + "_group" }
    static func groupKeys(_ type: String) -> String { type + "_group_keys" }

    /// Every type name one collection's GraphQL type takes (the object and its input types).
    static func typeNames(of type: String) -> [String] {
        [
            type, boolExp(type), orderBy(type), insertInput(type), setInput(type), incInput(type), pkColumnsInput(type),
            event(type), aggregate(type), aggregateFields(type), selectColumn(type), group(type), groupKeys(type),
        ] + ["sum", "avg", "min", "max"].map { functionFields(type, $0) }
    }

    /// Every root field one collection takes: queries, mutations and its subscription.
    static func rootFields(of type: String) -> [String] {
        [type, byPK(type), insertOne(type), updateByPK(type), deleteByPK(type), events(type), aggregate(type), groupBy(type)]
    }

    /// Names the shared types use; no collection may take them.
    static let sharedTypeNames: Set<String> = [
        "String", "Int", "Float", "Boolean", "ID", "JSON", "DateTime", "GeoPoint", "GeoPointInput", "order_by",
        "query_root", "mutation_root", "subscription_root",
        ScalarComparison.string.typeName, ScalarComparison.int.typeName, ScalarComparison.float.typeName,
        ScalarComparison.boolean.typeName, ScalarComparison.dateTime.typeName, ScalarComparison.stringArray.typeName,
    ]
}

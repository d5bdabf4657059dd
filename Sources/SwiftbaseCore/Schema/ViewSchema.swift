import Foundation

/// What a view collection's query makes: the fields PocketBase infers for it and the SQL of its view.
///
/// The store reports the query's columns (through a temporary view and ``SQLDialect/columnsQuery(of:)``,
/// inside the schema change's transaction); `ViewQuery` tells where each column comes from. A column that is
/// a source collection's field is that field, cloned under the column's alias; `x.id` is a single relation to
/// x's collection; `count(…)` an integer, `total(…)` a number; `cast(… as real|integer|text|boolean)` the
/// matching type; `id` the primary key text; anything else json.
struct ViewSchema {
    var fields: [FieldModel]
    /// The SELECT the view is made of: the query, wrapped so that `id` is text when SQLite does not type it so.
    var select: String

    struct Failure: Error {
        let message: String
        /// The fields of a query that ran but cannot make a view (no `id` column, or empty or repeated ids in its
        /// first rows): a save reports what is wrong with them too, as PocketBase does (no `id`:
        /// `validation_missing_primary_key`). Empty when the query did not run.
        var fields: [FieldModel] = []
    }

    static func infer(_ rawQuery: String, in snapshot: SchemaSnapshot, on conn: any StoreConnection) throws(Failure)
        -> ViewSchema
    {
        let query: String
        let parsed: ViewQuery
        do {
            query = try ViewQuery.normalized(rawQuery)
            parsed = try ViewQuery(parsing: query)
        } catch {
            throw Failure(message: error.description)
        }
        if parsed.columns.contains(where: { $0.alias == "*" }) {
            throw Failure(
                message: "wildcard columns (*) are not supported - manually type the collection field names you want the view query to have")
        }
        let columns = try columnInfo(of: query, on: conn)
        let suggested = suggestedFields(parsed, in: snapshot)
        var fields: [FieldModel] = []
        for column in columns {
            fields.append(suggested[column.name] ?? defaultField(named: column.name))
        }
        guard let idColumn = columns.first(where: { $0.name == "id" }) else {
            throw Failure(
                message: "missing required id column (you can use `(ROW_NUMBER() OVER()) as id` if you don't have one)",
                fields: CollectionDefaults.withFieldIDs(fields))
        }
        var select = query
        if idColumn.type.uppercased() != "TEXT" {
            let list = columns.map { column in
                column.name == "id" ? "CAST(\"id\" AS TEXT) \"id\"" : quoteIdentifier(column.name)
            }
            select = "SELECT \(list.joined(separator: ", ")) FROM (\(query))"
        }
        do {
            try checkSampleIDs(select, on: conn)
        } catch {
            throw Failure(message: error.message, fields: CollectionDefaults.withFieldIDs(fields))
        }
        return ViewSchema(fields: CollectionDefaults.withFieldIDs(fields), select: select)
    }

    /// The first rows' ids must be present and distinct, as PocketBase checks a dry run's sample: a quick,
    /// helpful refusal of `union` queries and the like, not a guarantee.
    private static func checkSampleIDs(_ select: String, on conn: any StoreConnection) throws(Failure) {
        let rows: [StoreRow]
        do {
            rows = try conn.rows(SQLFragment(unsafeRaw: "SELECT \"id\" FROM (\(select)) LIMIT \(sampleSize)"))
        } catch {
            throw Failure(message: StoreErrorText.message(of: error))
        }
        var seen: Set<String> = []
        for row in rows {
            guard let id = row.values.first?.textValue, !id.isEmpty else {
                throw Failure(message: "the query could return records with empty or invalid ids")
            }
            guard seen.insert(id).inserted else {
                throw Failure(message: "the query could return records with non-unique ids")
            }
        }
    }

    /// How many records a dry run shows, and how many ids a save checks.
    static let sampleSize = 10

    /// `CREATE VIEW`, then a look at its columns: SQLite creates a view over a missing table or column without
    /// complaint and refuses only to read it.
    static func create(named name: String, select: String, on conn: any StoreConnection) throws(Failure) {
        do {
            // The query stays inside a sub-SELECT: a second statement cannot ride along.
            try conn.execute(SQLFragment(unsafeRaw: "CREATE VIEW \(quoteIdentifier(name)) AS SELECT * FROM (\(select))"))
            _ = try conn.rows(conn.dialect.columnsQuery(of: name))
        } catch {
            throw Failure(message: StoreErrorText.message(of: error))
        }
    }

    static func drop(named name: String) -> SQLFragment {
        SQLFragment(unsafeRaw: "DROP VIEW IF EXISTS \(quoteIdentifier(name))")
    }

    /// What removes the view named `name`, or the table a view collection was stored as before views were
    /// made views (nothing when neither exists).
    static func drop(named name: String, on conn: any StoreConnection) throws -> [SQLFragment] {
        let kind = try conn.scalar(conn.dialect.relationKindQuery(of: name))?.textValue
        switch kind {
        case "view": return [drop(named: name)]
        case "table": return [SQLFragment(unsafeRaw: "DROP TABLE \(quoteIdentifier(name))")]
        default: return []
        }
    }

    // MARK: - Columns

    private static func columnInfo(of query: String, on conn: any StoreConnection) throws(Failure)
        -> [(name: String, type: String)]
    {
        let temporary = "_temp_" + Identifiers.randomString(length: 8)
        defer { try? conn.execute(drop(named: temporary)) }
        do {
            try conn.execute(SQLFragment(unsafeRaw: "CREATE VIEW \(quoteIdentifier(temporary)) AS SELECT * FROM (\(query))"))
            let rows = try conn.rows(conn.dialect.columnsQuery(of: temporary))
            return rows.map { ($0["name"]?.textValue ?? "", $0["type"]?.textValue ?? "") }
        } catch {
            throw Failure(message: StoreErrorText.message(of: error))
        }
    }

    // MARK: - Fields

    private static func suggestedFields(_ parsed: ViewQuery, in snapshot: SchemaSnapshot) -> [String: FieldModel] {
        var out: [String: FieldModel] = [:]
        for column in parsed.columns {
            out[column.alias] = suggestedField(column, source: parsed.source(of: column, in: snapshot))
        }
        return out
    }

    private static func suggestedField(
        _ column: ViewQuery.Identifier, source: (collection: CollectionModel, field: FieldModel)?
    ) -> FieldModel {
        let alias = column.alias
        let expression = column.original.lowercased()
        if alias == "id" { return idField() }
        if expression.hasPrefix("count(") { return field(["name": .string(alias), "type": "number", "onlyInt": true]) }
        if expression.hasPrefix("total(") { return field(["name": .string(alias), "type": "number"]) }
        if let type = castType(expression) {
            switch type {
            case "real", "decimal", "numeric": return field(["name": .string(alias), "type": "number"])
            case "int", "integer": return field(["name": .string(alias), "type": "number", "onlyInt": true])
            case "text": return field(["name": .string(alias), "type": "text"])
            case "boolean", "bool": return field(["name": .string(alias), "type": "bool"])
            default: break
            }
        }
        guard let (collection, sourceField) = source else { return defaultField(named: alias) }
        if sourceField.name.lowercased() == "id" {
            return field([
                "name": .string(alias), "type": "relation", "maxSelect": 1, "collectionId": .string(collection.id),
            ])
        }
        var clone = sourceField
        clone.id = "_clone_" + Identifiers.randomString(length: 4)
        clone.name = alias
        return clone
    }

    private static let castPattern = try? NSRegularExpression(
        pattern: #"^cast\s*\(.*\s+as\s+(\w+)\s*\)$"#, options: [.caseInsensitive, .dotMatchesLineSeparators])

    /// The type named by `cast(… as type)`, when the whole expression is one cast.
    private static func castType(_ expression: String) -> String? {
        let range = NSRange(expression.startIndex..., in: expression)
        guard let match = castPattern?.firstMatch(in: expression, range: range),
            let type = Range(match.range(at: 1), in: expression)
        else { return nil }
        return String(expression[type])
    }

    private static func idField() -> FieldModel {
        field([
            "name": "id", "type": "text", "system": true, "required": true, "primaryKey": true,
            "pattern": "^[a-z0-9]+$",
        ])
    }

    private static func defaultField(named name: String) -> FieldModel {
        name == "id" ? idField() : field(["name": .string(name), "type": "json", "maxSize": 1])
    }

    /// A field from its JSON form. The forms here are fixed but for the name, which FieldModel takes as it is.
    private static func field(_ json: [String: JSONValue]) -> FieldModel {
        do {
            return try FieldModel(json: json)
        } catch {
            return FieldModel(id: "", name: json["name"]?.stringValue ?? "", options: .json(JSONFieldOptions(maxSize: 1)))
        }
    }
}

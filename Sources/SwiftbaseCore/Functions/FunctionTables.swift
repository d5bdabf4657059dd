/// The store tables behind functions: `_functions` (one row per function: its active version, where it came
/// from, and the change-log cursor of its after hooks) and `_functionVersions` (every deployed module with the
/// config it was deployed with, so a rollback needs nothing but the store).
enum FunctionTables {
    static let functions = "_functions"

    static let createSQL = [
        """
        CREATE TABLE IF NOT EXISTS "_functions" (
            "name" TEXT PRIMARY KEY NOT NULL,
            "activeVersion" INTEGER NOT NULL,
            "source" TEXT NOT NULL,
            "cursor" INTEGER NOT NULL DEFAULT 0,
            "afterHooks" BOOLEAN NOT NULL DEFAULT FALSE,
            "created" TEXT NOT NULL,
            "updated" TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS "_functionVersions" (
            "name" TEXT NOT NULL,
            "version" INTEGER NOT NULL,
            "module" BLOB NOT NULL,
            "sha256" TEXT NOT NULL,
            "size" INTEGER NOT NULL,
            "exports" JSON NOT NULL,
            "imports" JSON NOT NULL,
            "config" JSON NOT NULL,
            "created" TEXT NOT NULL,
            PRIMARY KEY ("name", "version")
        )
        """,
    ]

    /// What a row of `_functions` joined with its active version holds, minus the module's bytes.
    struct Row: Sendable {
        var function: DeployedFunction
        var cursor: Int64
    }

    private static let selectActive = """
        SELECT f."name", f."activeVersion", f."source", f."cursor", f."created", f."updated",
               v."sha256", v."size", v."exports", v."imports", v."config"
        FROM "_functions" f JOIN "_functionVersions" v ON v."name" = f."name" AND v."version" = f."activeVersion"
        """

    static func all(on conn: any StoreConnection) throws -> [Row] {
        try conn.rows(SQLFragment(unsafeRaw: selectActive + #" ORDER BY f."name""#)).map(row(from:))
    }

    static func function(_ name: String, on conn: any StoreConnection) throws -> Row? {
        try conn.row(SQLFragment(unsafeRaw: selectActive + #" WHERE f."name" = ?"#, arguments: [.text(name)]))
            .map(row(from:))
    }

    static func versions(of name: String, on conn: any StoreConnection) throws -> [FunctionVersion] {
        try conn.rows(
            SQLFragment(
                unsafeRaw: #"SELECT "version", "sha256", "size", "created" FROM "_functionVersions" WHERE "name" = ? ORDER BY "version" DESC"#,
                arguments: [.text(name)])
        ).map { row in
            FunctionVersion(
                version: Int(row.values[0].int64Value ?? 0), sha256: row.values[1].textValue ?? "",
                size: Int(row.values[2].int64Value ?? 0), created: row.values[3].textValue ?? "")
        }
    }

    /// The module and config of one version.
    static func version(_ version: Int, of name: String, on conn: any StoreConnection) throws
        -> (module: [UInt8], config: JSONValue)?
    {
        guard
            let row = try conn.row(
                SQLFragment(
                    unsafeRaw: #"SELECT "module", "config" FROM "_functionVersions" WHERE "name" = ? AND "version" = ?"#,
                    arguments: [.text(name), .integer(Int64(version))]))
        else { return nil }
        let module: [UInt8]
        switch row.values[0] {
        case .blob(let bytes): module = bytes
        case .text(let text): module = Array(text.utf8)
        default: module = []
        }
        return (module, (try? JSONValue.parse(row.values[1].textValue ?? "{}")) ?? [:])
    }

    static func latestVersion(of name: String, on conn: any StoreConnection) throws -> Int {
        Int(
            try conn.scalar(
                SQLFragment(
                    unsafeRaw: #"SELECT MAX("version") FROM "_functionVersions" WHERE "name" = ?"#,
                    arguments: [.text(name)]))?.int64Value ?? 0)
    }

    /// Stores `module` as the next version of `function.name` and makes it active; answers the version.
    /// `cursor` is the after-hook cursor of a new function.
    static func insertVersion(
        of function: DeployedFunction, module: [UInt8], configJSON: JSONValue, cursor: Int64,
        on conn: any StoreConnection
    ) throws -> Int {
        let version = try latestVersion(of: function.name, on: conn) + 1
        try conn.execute(
            SQLFragment(
                unsafeRaw: """
                    INSERT INTO "_functionVersions" ("name", "version", "module", "sha256", "size", "exports", "imports", "config", "created")
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    .text(function.name), .integer(Int64(version)), .blob(module), .text(function.module.sha256),
                    .integer(Int64(module.count)),
                    .text(JSONValue.array(function.module.exports.map { .string($0) }).jsonString),
                    .text(JSONValue.array(function.module.imports.map { .string($0) }).jsonString),
                    .text(configJSON.jsonString), .text(function.updated),
                ]))
        try conn.execute(
            SQLFragment(
                unsafeRaw: """
                    INSERT INTO "_functions" ("name", "activeVersion", "source", "cursor", "afterHooks", "created", "updated")
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT ("name") DO UPDATE SET "activeVersion" = excluded."activeVersion",
                        "source" = excluded."source", "afterHooks" = excluded."afterHooks", "updated" = excluded."updated"
                    """,
                arguments: [
                    .text(function.name), .integer(Int64(version)), .text(function.source.rawValue), .integer(cursor),
                    .integer(function.config.hasAfterHooks ? 1 : 0), .text(function.created), .text(function.updated),
                ]))
        return version
    }

    static func activate(
        _ version: Int, of name: String, afterHooks: Bool, updated: String, on conn: any StoreConnection
    ) throws {
        try conn.execute(
            SQLFragment(
                unsafeRaw: #"UPDATE "_functions" SET "activeVersion" = ?, "afterHooks" = ?, "updated" = ? WHERE "name" = ?"#,
                arguments: [.integer(Int64(version)), .integer(afterHooks ? 1 : 0), .text(updated), .text(name)]))
    }

    static func delete(_ name: String, on conn: any StoreConnection) throws {
        try conn.execute(
            SQLFragment(unsafeRaw: #"DELETE FROM "_functionVersions" WHERE "name" = ?"#, arguments: [.text(name)]))
        try conn.execute(SQLFragment(unsafeRaw: #"DELETE FROM "_functions" WHERE "name" = ?"#, arguments: [.text(name)]))
    }

    static func saveCursor(_ cursor: Int64, of name: String, on conn: any StoreConnection) throws {
        try conn.execute(
            SQLFragment(
                unsafeRaw: #"UPDATE "_functions" SET "cursor" = ? WHERE "name" = ?"#,
                arguments: [.integer(cursor), .text(name)]))
    }

    /// The oldest cursor of a function with after hooks: what the change log must keep after.
    static func oldestAfterHookCursor(on conn: any StoreConnection) throws -> Int64? {
        try conn.scalar(SQLFragment(unsafeRaw: #"SELECT MIN("cursor") FROM "_functions" WHERE "afterHooks""#))?
            .int64Value
    }

    private static func row(from row: StoreRow) -> Row {
        let strings = { (index: Int) -> [String] in
            ((try? JSONValue.parse(row.values[index].textValue ?? "[]"))?.arrayValue ?? []).compactMap(\.stringValue)
        }
        let configJSON = (try? JSONValue.parse(row.values[10].textValue ?? "{}")) ?? [:]
        let config = (try? FunctionConfig.parse(configJSON, schema: nil, failure: "")) ?? FunctionConfig()
        let function = DeployedFunction(
            name: row.values[0].textValue ?? "", version: Int(row.values[1].int64Value ?? 0), config: config,
            module: FunctionModuleInfo(
                size: Int(row.values[7].int64Value ?? 0), sha256: row.values[6].textValue ?? "", exports: strings(8),
                imports: strings(9)),
            source: DeployedFunction.Source(rawValue: row.values[2].textValue ?? "") ?? .api,
            created: row.values[4].textValue ?? "", updated: row.values[5].textValue ?? "")
        return Row(function: function, cursor: row.values[3].int64Value ?? 0)
    }
}

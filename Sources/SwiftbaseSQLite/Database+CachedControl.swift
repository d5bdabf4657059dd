internal import GRDB

extension Database {
    /// Runs a transaction-control statement (`BEGIN`, `COMMIT`, `SAVEPOINT`, …) from the statement cache:
    /// the read and write paths issue them for every request, and preparing them anew each time cost as
    /// much as a lookup by id (issue 6).
    func executeCached(_ sql: String) throws {
        try cachedStatement(sql: sql).execute()
    }
}

internal import GRDB
import Synchronization

extension Database {
    /// `cachedStatement(sql:)` with the cache kept to `StatementCacheBudget.capacity` distinct texts per
    /// connection.
    ///
    /// GRDB's statement cache never forgets, and the SQL of a list comes from the client's filter, sort and
    /// fields: `a=1`, `a=1||a=1`, `a=1||a=1||a=1`… is a new text each, so one client could grow every
    /// connection's cache (a prepared program each) without end. Past the budget the connection's caches are
    /// emptied (`releaseMemory`) and start over; the texts an app really uses are prepared again at once.
    func boundedCachedStatement(sql: String) throws -> Statement {
        if StatementCacheBudget.shared.admit(sql, on: ObjectIdentifier(self)) == .startOver { releaseMemory() }
        return try cachedStatement(sql: sql)
    }
}

/// The distinct statement texts each connection has cached, by connection.
final class StatementCacheBudget: Sendable {
    static let shared = StatementCacheBudget()
    static let capacity = 256

    enum Admission { case cached, startOver }

    private let texts = Mutex<[ObjectIdentifier: Set<String>]>([:])

    func admit(_ sql: String, on connection: ObjectIdentifier, capacity: Int = StatementCacheBudget.capacity)
        -> Admission
    {
        texts.withLock { all in
            if all[connection]?.contains(sql) == true { return .cached }
            let full = (all[connection]?.count ?? 0) >= capacity
            if full { all[connection]?.removeAll(keepingCapacity: true) }
            all[connection, default: []].insert(sql)
            return full ? .startOver : .cached
        }
    }
}

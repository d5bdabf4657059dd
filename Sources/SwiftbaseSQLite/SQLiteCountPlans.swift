import Foundation
internal import GRDB
internal import GRDBSQLite
import Synchronization
import SwiftbaseCore

/// Chooses, per count query, between SQLite's own plan and a plain read of the main table in rowid order.
///
/// Without `sqlite_stat4` SQLite guesses that a range on an indexed column keeps a quarter of the rows, and
/// reads them through the index: one table lookup per index entry. When the range keeps most of the rows that
/// costs far more than reading the table in order (issue 6: `views > N && published = true` over 10,000 rows,
/// 2.25 ms through `idx_posts_views` against 0.9 ms for the scan). Both forms count the same rows, so choosing
/// changes only the cost. Each query text (values are bound, so one text per filter shape) keeps a moving
/// average of the CPU time of each form; the cheaper runs, and the other is tried again every `retryEvery`
/// runs. A trial is stopped (`sqlite3_progress_handler`) once it has cost twice the better average, so finding
/// out that a scan of a large table is slower never costs a full scan. Counts that are already cheap are left
/// to SQLite's plan.
final class SQLiteCountPlans: Sendable {
    enum Form: Sendable, Equatable {
        case planned, scan
    }

    struct Costs: Sendable {
        /// Moving averages of CPU nanoseconds per run.
        var planned: Double?
        var scan: Double?
        var runs = 0
    }

    /// A count whose planned form averages below this is not worth a trial of the scan.
    let worthTrying: Double
    let retryEvery: Int
    private let costs = Mutex<[String: Costs]>([:])
    private let capacity = 1024

    init(worthTrying: Duration = .microseconds(200), retryEvery: Int = 32) {
        self.worthTrying = Double(worthTrying.components.seconds) * 1e9
            + Double(worthTrying.components.attoseconds) / 1e9
        self.retryEvery = retryEvery
    }

    /// What is known about the costs of `sql` (for tests and diagnostics).
    func costs(of sql: String) -> Costs? {
        costs.withLock { $0[sql] }
    }

    /// Runs the count `planned`, or its equivalent `scan`, through `run` on `db`'s connection, and learns from
    /// the time it took.
    func count(
        planned: SQLFragment, scan: SQLFragment, on db: Database, run: (SQLFragment) throws -> SQLValue?
    ) throws -> SQLValue? {
        let (form, budget) = choose(for: planned.sql)
        let started = Self.threadCPUNanoseconds()
        do {
            let value = try Self.within(budget, on: db) { try run(form == .planned ? planned : scan) }
            record(Double(Self.threadCPUNanoseconds() - started), for: form, of: planned.sql)
            return value
        } catch let error as DatabaseError where error.resultCode == .SQLITE_INTERRUPT && budget != nil {
            // The trial ran over its budget: remember what it cost so far (at least twice the other form) and
            // answer with the form that is known to be cheaper.
            record(Double(Self.threadCPUNanoseconds() - started), for: form, of: planned.sql)
            guard db.isInsideTransaction else { throw error }
            return try run(form == .planned ? scan : planned)
        }
    }

    /// The form to run, and a CPU budget in nanoseconds when it is a trial of the form not currently preferred.
    func choose(for sql: String) -> (Form, budget: UInt64?) {
        costs.withLock { all -> (Form, budget: UInt64?) in
            var costs = all[sql] ?? Costs()
            costs.runs += 1
            if all[sql] == nil, all.count >= capacity { all.removeAll(keepingCapacity: true) }
            all[sql] = costs
            guard let planned = costs.planned else { return (.planned, nil) }
            guard let scan = costs.scan else {
                return planned < worthTrying ? (.planned, nil) : (.scan, UInt64(2 * planned))
            }
            let preferred: Form = scan < planned ? .scan : .planned
            if costs.runs % retryEvery != 0 { return (preferred, nil) }
            if preferred == .planned && planned < worthTrying { return (.planned, nil) }
            return (preferred == .planned ? .scan : .planned, UInt64(2 * min(planned, scan)))
        }
    }

    func record(_ nanoseconds: Double, for form: Form, of sql: String) {
        costs.withLock { all in
            guard var costs = all[sql] else { return }
            switch form {
            case .planned: costs.planned = costs.planned.map { $0 * 0.8 + nanoseconds * 0.2 } ?? nanoseconds
            case .scan: costs.scan = costs.scan.map { $0 * 0.8 + nanoseconds * 0.2 } ?? nanoseconds
            }
            all[sql] = costs
        }
    }

    /// Runs `body`, interrupted (`SQLITE_INTERRUPT`) once it has used `budget` nanoseconds of CPU.
    private static func within<T>(_ budget: UInt64?, on db: Database, _ body: () throws -> T) throws -> T {
        guard let budget else { return try body() }
        let deadline = UnsafeMutablePointer<UInt64>.allocate(capacity: 1)
        deadline.initialize(to: threadCPUNanoseconds() + budget)
        defer {
            sqlite3_progress_handler(db.sqliteConnection, 0, nil, nil)
            deadline.deallocate()
        }
        // Every 1,000 virtual-machine steps: a few microseconds of work, so the budget is kept to within that.
        sqlite3_progress_handler(db.sqliteConnection, 1000, { context in
            let deadline = context!.assumingMemoryBound(to: UInt64.self).pointee
            return SQLiteCountPlans.threadCPUNanoseconds() > deadline ? 1 : 0
        }, deadline)
        return try body()
    }

    /// CPU time of the calling thread: unlike wall time it does not count the time the thread was preempted,
    /// which on a loaded machine would be most of the noise.
    static func threadCPUNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}

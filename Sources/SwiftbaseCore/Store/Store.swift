/// Where collections, records and the change log live. Adapters (`SwiftbaseSQLite`, later PostgreSQL)
/// implement it; the core never sees a driver type.
///
/// `read` may run concurrently with other reads; `write` runs its body in one transaction, serialized with
/// other writes, and commits when the body returns (rolls back when it throws). Bodies are synchronous so a
/// transaction never suspends while holding the writer.
public protocol Store: Sendable {
    /// The SQL the store speaks where databases differ; the core builds its statements with it.
    var dialect: any SQLDialect { get }
    func read<T: Sendable>(_ body: @escaping @Sendable (any StoreConnection) throws -> T) async throws -> T
    func write<T: Sendable>(_ body: @escaping @Sendable (any StoreConnection) throws -> T) async throws -> T
    /// `write`, then `committed(value)` once the transaction committed and before `write` returns, in commit
    /// order: no later transaction's `committed` starts before an earlier one's has returned. What must follow
    /// the change log's `seq` (the event bus) is handed on here; it runs where the store commits, so it
    /// must be quick and must not wait.
    func write<T: Sendable>(
        _ body: @escaping @Sendable (any StoreConnection) throws -> T, committed: @escaping @Sendable (T) -> Void
    ) async throws -> T
    /// The committed state now, without a transaction; nil when the store cannot tell, or while a commit is
    /// being published (then nothing read now may be kept as current).
    func committedVersion() -> StoreVersion?
}

extension Store {
    public func committedVersion() -> StoreVersion? { nil }
}

/// One connection inside a read or a write transaction.
public protocol StoreConnection {
    /// The dialect of the store this connection belongs to (the same as ``Store/dialect``).
    var dialect: any SQLDialect { get }
    /// Runs a statement that returns no rows.
    func execute(_ statement: SQLFragment) throws
    /// Runs a query and returns every row.
    func rows(_ query: SQLFragment) throws -> [StoreRow]
    /// Rows changed by the last `execute`.
    var changedRowCount: Int { get }
    /// The count `query` answers. `scan` is the same count with the main table read in order, through no
    /// index; a store may run it instead where it has found it cheaper (both must count the same rows).
    func count(_ query: SQLFragment, orScan scan: SQLFragment) throws -> Int
    /// The store's time-series tables (rollups), nil on a store without them.
    var timeSeries: (any TimeSeriesStorage)? { get }
}

extension StoreConnection {
    /// The first row, if any.
    public func row(_ query: SQLFragment) throws -> StoreRow? {
        try rows(query).first
    }

    /// The first column of the first row.
    public func scalar(_ query: SQLFragment) throws -> SQLValue? {
        try rows(query).first?.values.first
    }

    public func count(_ query: SQLFragment, orScan scan: SQLFragment) throws -> Int {
        Int(try scalar(query)?.int64Value ?? 0)
    }

    public var timeSeries: (any TimeSeriesStorage)? { nil }
}

/// A result row: values with their column names.
public struct StoreRow: Sendable {
    public let columns: [String]
    public let values: [SQLValue]

    public init(columns: [String], values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    public subscript(column: String) -> SQLValue? {
        guard let i = columns.firstIndex(of: column) else { return nil }
        return values[i]
    }
}

/// A constraint the database refused. Adapters translate their driver's errors into this so the core can
/// answer `validation_not_unique` on the right fields.
public struct StoreConstraintError: Error, Sendable {
    public enum Kind: Sendable { case unique, foreignKey, other }
    public var kind: Kind
    /// The table and columns named by the database, when it names them.
    public var table: String?
    public var columns: [String]

    public init(kind: Kind, table: String?, columns: [String]) {
        self.kind = kind
        self.table = table
        self.columns = columns
    }
}

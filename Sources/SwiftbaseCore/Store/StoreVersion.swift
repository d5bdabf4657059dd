/// Where a store's committed state is: two versions are equal only if no write became visible between them,
/// from this process or any other.
///
/// Read without a transaction, so caches can check it on every lookup (see `RecordViewCache`). An adapter
/// keeps whatever identifies its state (the SQLite adapter, its WAL-index header) in up to six words.
public struct StoreVersion: Sendable, Equatable {
    public var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

    public init(words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)) {
        self.words = words
    }

    public static func == (lhs: StoreVersion, rhs: StoreVersion) -> Bool {
        lhs.words == rhs.words
    }
}

import Synchronization

/// Holds the current `SchemaSnapshot`. Reads are a lock and a copy of a reference-backed struct (no actor
/// hop on the request path); schema changes publish a new snapshot after their transaction committed.
public final class SchemaRegistry: Sendable {
    private let state: Mutex<(generation: Int, snapshot: SchemaSnapshot)>

    public init(_ snapshot: SchemaSnapshot) {
        state = Mutex((0, snapshot))
    }

    /// A registry holding no collection yet, for a store speaking `dialect`.
    public convenience init(dialect: any SQLDialect) {
        self.init(SchemaSnapshot([], dialect: dialect))
    }

    public var snapshot: SchemaSnapshot { state.withLock { $0.snapshot } }

    /// The snapshot with its generation, which grows with every schema change.
    public var current: (generation: Int, snapshot: SchemaSnapshot) { state.withLock { $0 } }

    /// Publishes `snapshot` unless a newer generation was published already.
    public func publish(_ snapshot: SchemaSnapshot, generation: Int) {
        state.withLock {
            if generation >= $0.generation { $0 = (generation, snapshot) }
        }
    }
}

import Synchronization

/// Records read by id, answered from memory for as long as the store's committed state has not moved.
///
/// A view whose rule lets the requester see every record of the collection (an empty rule, or a superuser)
/// needs nothing but the row. Reading it costs a read transaction, the statement and the row's decoding —
/// about a fifth of a view's CPU (perf under wrk, issue 6) — so after the first read the record is kept.
///
/// Validity is all or nothing, by `Store.committedVersion()`: every entry was read at the version the cache
/// holds, and the first lookup that finds the store at another version (any commit, from this process or
/// another) empties the cache. An entry is kept only if the version was the same before its read began
/// and after it ended, so no commit became visible in between and the read saw the latest state. A lookup
/// therefore never answers a record older than the last commit that was visible when it began. Entries also
/// carry the schema generation they were decoded under: a schema change published after its commit misses
/// them rather than answering the old shape.
package final class RecordViewCache: Sendable {
    /// Proof of the version a miss was looked up at; `insert` keeps a read only if it still holds.
    package struct Ticket: Sendable {
        fileprivate let version: StoreVersion
    }

    package enum Lookup: Sendable {
        case hit(RecordModel)
        case miss(Ticket)
        /// The store cannot tell its version now: read, and keep nothing.
        case uncached
    }

    private struct Key: Hashable {
        let collectionID: String
        let id: String
    }

    private struct Entry {
        let record: RecordModel
        let schemaGeneration: Int
        let bytes: Int
    }

    private struct State {
        var version: StoreVersion?
        var entries: [Key: Entry] = [:]
        var bytes = 0
    }

    private let store: any Store
    private let capacityBytes: Int
    private let state = Mutex(State())

    /// `capacityBytes` bounds the estimated size of the kept records; when an insert would pass it, the cache
    /// starts again empty (cheaper than tracking recency on every hit).
    package init(store: any Store, capacityBytes: Int = 32 << 20) {
        self.store = store
        self.capacityBytes = capacityBytes
    }

    package func lookup(collectionID: String, id: String, schemaGeneration: Int) -> Lookup {
        guard let version = store.committedVersion() else { return .uncached }
        return state.withLock { state in
            if state.version != version { Self.reset(&state, at: version) }
            if let entry = state.entries[Key(collectionID: collectionID, id: id)],
                entry.schemaGeneration == schemaGeneration
            {
                return .hit(entry.record)
            }
            return .miss(Ticket(version: version))
        }
    }

    /// Keeps `record`, read after `ticket` was issued, if the store is still at the ticket's version.
    package func insert(_ record: RecordModel, schemaGeneration: Int, after ticket: Ticket) {
        let bytes = Self.estimatedSize(of: record)
        guard bytes <= capacityBytes, store.committedVersion() == ticket.version else { return }
        state.withLock { state in
            guard state.version == ticket.version else { return }
            if state.bytes + bytes > capacityBytes { Self.reset(&state, at: ticket.version) }
            let key = Key(collectionID: record.collectionId, id: record.id)
            let entry = Entry(record: record, schemaGeneration: schemaGeneration, bytes: bytes)
            if let replaced = state.entries.updateValue(entry, forKey: key) { state.bytes -= replaced.bytes }
            state.bytes += bytes
        }
    }

    /// How many records are kept (for tests and metrics).
    package var count: Int { state.withLock { $0.entries.count } }

    private static func reset(_ state: inout State, at version: StoreVersion) {
        state.version = version
        state.entries.removeAll()
        state.bytes = 0
    }

    /// Bytes of the record's values, with a fixed overhead per value: a bound for the budget, not an exact size.
    static func estimatedSize(of record: RecordModel) -> Int {
        record.values.reduce(128) { total, field in total + field.key.utf8.count + estimatedSize(of: field.value) }
    }

    private static func estimatedSize(of value: JSONValue) -> Int {
        switch value {
        case .string(let s): return 32 + s.utf8.count
        case .array(let items): return items.reduce(32) { $0 + estimatedSize(of: $1) }
        case .object(let fields): return fields.reduce(32) { $0 + $1.key.utf8.count + estimatedSize(of: $1.value) }
        default: return 32
        }
    }
}

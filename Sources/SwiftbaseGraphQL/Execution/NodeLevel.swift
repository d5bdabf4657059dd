import Synchronization
import SwiftbaseCore

/// The records answered at one place of a query — the root list's, or every record below one relation key
/// of a level — shared by their `RecordNode`s, so a field that needs its own read (an array relationship's
/// `_aggregate`) reads once for the whole level instead of once per record: the first resolver to ask runs the
/// read for every record of the level, the others wait for it and take their part.
final class NodeLevel: Sendable {
    /// The records' JSON, as presented (their `expand` holds the next levels).
    let records: [JSONValue]
    private let state = Mutex(State())

    private struct State {
        var children: [String: NodeLevel] = [:]
        var reads: [String: Task<any Sendable, any Error>] = [:]
    }

    init(_ records: [JSONValue]) {
        self.records = records
    }

    /// The records' ids, each once, in order.
    var ids: [String] {
        var seen = Set<String>()
        return records.compactMap { $0["id"]?.stringValue }.filter { seen.insert($0).inserted }
    }

    /// The level below: every record under `key` in this level's records' `expand` (gathered once, when the
    /// first of them is resolved; a child holds no reference back, so levels form no cycle).
    func child(_ key: String) -> NodeLevel {
        state.withLock { state in
            if let known = state.children[key] { return known }
            var below: [JSONValue] = []
            for record in records {
                switch record["expand"]?[key] {
                case .array(let items)?: below.append(contentsOf: items)
                case .object(let object)?: below.append(.object(object))
                default: continue
                }
            }
            let level = NodeLevel(below)
            state.children[key] = level
            return level
        }
    }

    /// The result of `read` for this level under `key`: run by the first caller, shared with the rest.
    func shared<T: Sendable>(_ key: String, _ read: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = state.withLock { state in
            if let running = state.reads[key] { return running }
            let task = Task<any Sendable, any Error> { try await read() }
            state.reads[key] = task
            return task
        }
        guard let value = try await task.value as? T else {
            throw SwiftbaseError(.internalError, "Something went wrong while processing your request.")
        }
        return value
    }
}

import SwiftbaseCore
import Synchronization

/// The recent log lines of each function, in memory: the last `capacity` per function, oldest dropped first.
final class FunctionLogBook: Sendable {
    static let capacity = 1_000

    private struct Ring {
        var lines: [FunctionLogLine] = []
        /// Where the next line goes once the ring is full.
        var next = 0

        mutating func append(_ line: FunctionLogLine) {
            if lines.count < FunctionLogBook.capacity {
                lines.append(line)
            } else {
                lines[next] = line
                next = (next + 1) % FunctionLogBook.capacity
            }
        }

        /// Newest first.
        func newest(_ limit: Int) -> [FunctionLogLine] {
            let ordered = Array(lines[next...]) + Array(lines[..<next])
            return Array(ordered.suffix(limit).reversed())
        }
    }

    private let rings = Mutex<[String: Ring]>([:])

    func append(_ name: String, _ line: FunctionLogLine) {
        rings.withLock { $0[name, default: Ring()].append(line) }
    }

    func lines(_ name: String, limit: Int) -> [FunctionLogLine] {
        rings.withLock { $0[name]?.newest(max(0, limit)) ?? [] }
    }

    func remove(_ name: String) {
        rings.withLock { _ = $0.removeValue(forKey: name) }
    }

    /// A guest's log line as the API shows it.
    static func line(_ entry: PluginLogEntry) -> FunctionLogLine {
        FunctionLogLine(time: DateTime.now(), level: "\(entry.level)", message: entry.message, trigger: entry.tag ?? "")
    }
}

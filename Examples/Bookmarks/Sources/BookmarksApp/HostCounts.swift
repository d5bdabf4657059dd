import Swiftbase

/// The `hosts` collection: one record per host with the number of bookmarks pointing at it.
enum HostCounts {
    static let system = RequestInfo(auth: .system, method: "POST")

    /// Moves the counts for one committed bookmark change. Runs one change at a time, in `seq` order, so a
    /// read-then-write here never races another change.
    static func apply(_ change: ChangeLogEntry, records: RecordService) async throws {
        let host = change.record["host"]?.stringValue ?? ""
        switch change.action {
        case .create: try await add(1, to: host, records: records)
        case .delete: try await add(-1, to: host, records: records)
        case .update: try await recount(records: records)
        }
    }

    static func add(_ delta: Int, to host: String, records: RecordService) async throws {
        guard !host.isEmpty else { return }
        if let existing = try await find(host, records: records) {
            let count = Int(existing["bookmarks"]?.doubleValue ?? 0) + delta
            _ = try await records.update(
                in: "hosts", id: existing.id, input: RecordInput(["bookmarks": .number(Double(max(count, 0)))]),
                request: system)
        } else if delta > 0 {
            _ = try await records.create(
                in: "hosts", input: RecordInput(["name": .string(host), "bookmarks": .number(Double(delta))]), request: system)
        }
    }

    /// An update may have moved a bookmark to another host: count every host again.
    static func recount(records: RecordService) async throws {
        let all = try await records.list(in: "bookmarks", options: RecordListOptions(perPage: 1000), request: system)
        var counts: [String: Int] = [:]
        for bookmark in all.items { counts[bookmark["host"]?.stringValue ?? "", default: 0] += 1 }
        let hosts = try await records.list(in: "hosts", options: RecordListOptions(perPage: 1000), request: system)
        for host in hosts.items {
            let name = host["name"]?.stringValue ?? ""
            let count = counts.removeValue(forKey: name) ?? 0
            if Int(host["bookmarks"]?.doubleValue ?? 0) != count {
                _ = try await records.update(
                    in: "hosts", id: host.id, input: RecordInput(["bookmarks": .number(Double(count))]), request: system)
            }
        }
        for (name, count) in counts where !name.isEmpty {
            _ = try await records.create(
                in: "hosts", input: RecordInput(["name": .string(name), "bookmarks": .number(Double(count))]), request: system)
        }
    }

    static func find(_ host: String, records: RecordService) async throws -> RecordModel? {
        let page = try await records.list(
            in: "hosts", options: RecordListOptions(perPage: 1, filter: "name = " + quoted(host)), request: system)
        return page.items.first
    }

    /// A filter string literal: the host as a quoted value, quotes escaped.
    static func quoted(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }
}

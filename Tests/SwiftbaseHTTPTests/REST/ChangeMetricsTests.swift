import Hummingbird
import Swiftbase
import SwiftbaseTesting
import Testing

/// `/api/metrics` tells the change log's head whether or not any consumer exists.
@Suite(.timeLimit(.minutes(1)))
struct ChangeMetricsTests {
    @Test func theHeadIsReportedWithNoConsumer() async throws {
        try await SwiftbaseTestApp.make().test { client in
            let token = try await client.superuserToken()
            #expect(try await client.request(.post, "/api/collections", token: token, json: ["name": "notes"]).status == 200)
            for _ in 0..<2 { _ = try await client.request(.post, "/api/collections/notes/records", token: token, json: [:]) }
            let head = try await client.request(.get, "/api/changes", token: token).json["next"]?.doubleValue ?? -1
            #expect(head >= 2)
            let metrics = try await client.request(.get, "/api/metrics", token: token).json.stringValue ?? ""
            let line = metrics.split(separator: "\n").first { $0.hasPrefix("swiftbase_changes_head_seq ") }
            #expect(line.flatMap { Double($0.split(separator: " ")[1]) } == head)
        }
    }
}

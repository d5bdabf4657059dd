import SwiftbaseCore
import Testing

@testable import SwiftbaseFunctions

/// The small pieces behind deployed functions: allowed hosts, the log book, log tags.
@Suite("Function server pieces")
struct FunctionServerPiecesTests {
    @Test(arguments: [
        ("api.example.com", ["api.example.com"], true), ("API.example.com", ["api.example.COM"], true),
        ("a.b.example.com", ["*.example.com"], true), ("example.com", ["*.example.com"], false),
        ("evilexample.com", ["*.example.com"], false), ("anything.test", ["*"], true),
        ("api.example.com", [], false), ("127.0.0.1", ["127.0.0.1"], true), ("127.0.0.2", ["127.0.0.1"], false),
    ])
    func allowedHostsMatchAsExtismGlobsDo(host: String, patterns: [String], allowed: Bool) {
        #expect(AllowedHosts.allows(host, in: patterns) == allowed)
    }

    @Test func theLogBookKeepsTheNewestLinesNewestFirst() {
        let book = FunctionLogBook()
        let total = FunctionLogBook.capacity + 5
        for i in 0..<total {
            book.append("f", FunctionLogLine(time: "t", level: "info", message: "\(i)", trigger: "http"))
        }
        book.append("g", FunctionLogLine(time: "t", level: "warn", message: "other", trigger: ""))
        let newest = book.lines("f", limit: 3)
        #expect(newest.map(\.message) == ["\(total - 1)", "\(total - 2)", "\(total - 3)"])
        let all = book.lines("f", limit: 10_000)
        #expect(all.count == FunctionLogBook.capacity && all.last?.message == "5")
        #expect(book.lines("g", limit: 5).map(\.message) == ["other"])
        book.remove("f")
        #expect(book.lines("f", limit: 5).isEmpty && book.lines("f", limit: -1).isEmpty)
    }

    @Test func everyLineOfACallCarriesItsTag() throws {
        let logs = LogCollector()
        let plugin = try ExamplePlugins.plugin("kernel", options: PluginOptions(logLevel: .info, logHandler: logs.handler))
        let instance = try PluginInstance(plugin)
        _ = try instance.call(PluginCall("log", logTag: "cron"))
        #expect(!logs.lines.isEmpty && logs.lines.allSatisfy { $0.tag == "cron" })
    }
}

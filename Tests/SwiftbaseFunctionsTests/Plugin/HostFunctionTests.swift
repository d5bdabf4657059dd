import SwiftbaseFunctions
import Testing

/// Host functions of Swiftbase's own (`extism:host/user`) and the HTTP seam.
@Suite("Host functions")
struct HostFunctionTests {
    static let upper = UserHostFunction("upper") { context, arguments in
        let text = try context.string(at: arguments[0])
        context.log(.info, "upper(\(text))")
        return try context.allocate(text.uppercased())
    }

    @Test func aUserHostFunctionReadsAndWritesExtismMemory() throws {
        let logs = LogCollector()
        let options = PluginOptions(logHandler: logs.handler, hostFunctions: [Self.upper])
        let instance = try PluginInstance(try ExamplePlugins.plugin("host", options: options))
        #expect(try instance.call(PluginCall("shout", input: "hello, wasm")).text == "HELLO, WASM")
        #expect(logs.lines.map(\.message) == ["upper(hello, wasm)"])
    }

    @Test func theCallersHostContextReachesTheHostFunction() throws {
        let whoAmI = UserHostFunction("upper") { context, _ in
            try context.allocate((context.hostContext as? String) ?? "nobody")
        }
        let instance = try PluginInstance(
            try ExamplePlugins.plugin("host", options: PluginOptions(hostFunctions: [whoAmI])))
        #expect(try instance.call(PluginCall("shout", input: "x", hostContext: "user 42")).text == "user 42")
        #expect(try instance.call(PluginCall("shout", input: "x")).text == "nobody")
    }

    @Test func anErrorThrownByAHostFunctionEndsTheCall() throws {
        struct Refused: Error, CustomStringConvertible {
            var description: String { "the host said no" }
        }
        let refusing = UserHostFunction("upper") { _, _ in throw Refused() }
        let instance = try PluginInstance(
            try ExamplePlugins.plugin("host", options: PluginOptions(hostFunctions: [refusing])))
        #expect(
            instance.result(PluginCall("shout", input: "x"))
                == .failure(FunctionError(.hostFunctionFailed, "the host said no"))
        )
    }

    @Test func aHostFunctionGivenABadOffsetThrowsCleanly() throws {
        let bad = UserHostFunction("upper") { context, arguments in
            _ = try context.bytes(at: arguments[0] + 1)
            return 0
        }
        let instance = try PluginInstance(try ExamplePlugins.plugin("host", options: PluginOptions(hostFunctions: [bad])))
        #expect(instance.result(PluginCall("shout", input: "x")).errorCode == .trap)
    }

    @Test func httpRequestsAreRefusedByDefaultWithExtismsMessage() throws {
        let instance = try PluginInstance(try ExamplePlugins.plugin("http"))
        let request = #"{"url": "https://example.com/x", "method": "GET", "headers": {}}"#
        #expect(
            instance.result(PluginCall("get", input: request))
                == .failure(
                    FunctionError(.hostFunctionFailed, "http_request is not enabled, request to https://example.com/x is not allowed"))
        )
    }

    @Test func anHTTPClientSeesTheRequestAndThePluginSeesTheResponse() throws {
        struct Recording: PluginHTTPClient {
            func send(_ request: PluginHTTPRequest, allowedHosts: [String], timeout: Duration?) throws
                -> PluginHTTPResponse
            {
                let summary = "\(request.method) \(request.url) \(request.headers["x-test"] ?? "-") \(allowedHosts)"
                return PluginHTTPResponse(status: 201, headers: ["content-type": "text/plain"], body: Array(summary.utf8))
            }
        }
        let options = PluginOptions(allowedHosts: ["example.com"], httpClient: Recording())
        let instance = try PluginInstance(try ExamplePlugins.plugin("http", options: options))
        let request = #"{"url": "https://example.com/a", "method": "post", "headers": {"x-test": "yes"}}"#
        #expect(try instance.call(PluginCall("get", input: request)).text == #"POST https://example.com/a yes ["example.com"]"#)
        #expect(try instance.call(PluginCall("get_status", input: request)).text == "201")
        let notJSON = instance.result(PluginCall("get", input: "GET /"))
        #expect(notJSON.errorCode == .trap)
    }
}

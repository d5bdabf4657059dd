import SwiftbaseFunctions
import Testing

/// Extism's calling conventions on one instance: input, output, config, vars, errors, logging, initialisation.
@Suite("Plug-in calls")
struct PluginCallTests {
    @Test(arguments: ["", "a", "Hello, World!", "eight by", String(repeating: "0123456789", count: 100)])
    func echoReturnsTheInput(input: String) throws {
        let instance = try PluginInstance(try ExamplePlugins.plugin("echo", requiredExports: ["echo"]))
        let output = try instance.call(PluginCall("echo", input: input))
        #expect(output.text == input)
    }

    @Test func echoCarriesBinaryInput() throws {
        let bytes = (0..<300).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let instance = try PluginInstance(try ExamplePlugins.plugin("echo"))
        #expect(try instance.call(PluginCall("echo", input: bytes)).output == bytes)
    }

    @Test(arguments: [("Hello, World!", 3), ("", 0), ("AEIOU aeiou xyz", 10), ("rhythm", 0)])
    func countVowels(input: String, count: Int) throws {
        let instance = try PluginInstance(try ExamplePlugins.plugin("count_vowels"))
        #expect(try instance.call(PluginCall("count_vowels", input: input)).text == "{\"count\": \(count)}")
    }

    @Test func configValuesAreReadByKeyAndAMissingKeyFails() throws {
        let options = PluginOptions(config: ["greeting": "Bonjour", "empty": ""])
        let instance = try PluginInstance(try ExamplePlugins.plugin("kernel", options: options))
        #expect(try instance.call(PluginCall("config", input: "greeting")).text == "Bonjour")
        let missing = instance.result(PluginCall("config", input: "nope"))
        #expect(missing == .failure(FunctionError(.pluginFailed, "no config value for the key")))
        // An empty value reads as absent, as in Extism (memory_new of nothing is the null offset).
        #expect(instance.result(PluginCall("config", input: "empty")).errorCode == .pluginFailed)
        #expect(instance.isReusable, "a plug-in's own error leaves the instance usable")
    }

    @Test func varsPersistOnAnInstanceAndCanBeReplacedPerCall() throws {
        let instance = try PluginInstance(try ExamplePlugins.plugin("kernel"))
        func calls(_ output: PluginOutput) -> UInt64 {
            output.output.reversed().reduce(0) { $0 << 8 | UInt64($1) }
        }
        #expect(calls(try instance.call(PluginCall("count_calls"))) == 1)
        let second = try instance.call(PluginCall("count_calls"))
        #expect(calls(second) == 2)
        #expect(second.vars["calls"] == [2, 0, 0, 0, 0, 0, 0, 0])
        #expect(instance.vars["calls"] == [2, 0, 0, 0, 0, 0, 0, 0])
        let replaced = try instance.call(PluginCall("count_calls", vars: ["calls": [41, 0, 0, 0, 0, 0, 0, 0]]))
        #expect(calls(replaced) == 42)
        #expect(calls(try instance.call(PluginCall("count_calls", vars: [:]))) == 1)
    }

    @Test func theVarStoreIsBounded() throws {
        var limits = PluginLimits()
        limits.maxVarBytes = 4
        let instance = try PluginInstance(try ExamplePlugins.plugin("kernel", options: PluginOptions(limits: limits)))
        let result = instance.result(PluginCall("count_calls"))
        guard case .failure(let error) = result else {
            Issue.record("a 13-byte var fitted in a 4-byte store")
            return
        }
        #expect(error.code == .trap)
        #expect(error.message.contains("variable store is full"))
    }

    @Test func anErrorSetByThePluginIsTheCallsError() throws {
        let instance = try PluginInstance(try ExamplePlugins.plugin("kernel"))
        #expect(instance.result(PluginCall("fail")) == .failure(FunctionError(.pluginFailed, "this plug-in always fails")))
        #expect(
            instance.result(PluginCall("exit_code"))
                == .failure(FunctionError(.pluginFailed, "Returned non-zero exit code: 7"))
        )
        // The error does not leak into the next call.
        #expect(try instance.call(PluginCall("ready")).text == "ready")
    }

    @Test func logLinesAtOrAboveTheLevelReachTheHandler() throws {
        let logs = LogCollector()
        let instance = try PluginInstance(
            try ExamplePlugins.plugin("kernel", options: PluginOptions(logLevel: .info, logHandler: logs.handler))
        )
        #expect(try instance.call(PluginCall("log")).text == "2", "get_log_level answers info = 2")
        #expect(logs.lines == [
            PluginLogEntry(level: .info, message: "info line"),
            PluginLogEntry(level: .warn, message: "warn line"),
            PluginLogEntry(level: .error, message: "error line"),
        ])
    }

    @Test func traceLevelLogsEverythingAndOffLogsNothing() throws {
        let logs = LogCollector()
        let trace = try PluginInstance(
            try ExamplePlugins.plugin("kernel", options: PluginOptions(logLevel: .trace, logHandler: logs.handler))
        )
        #expect(try trace.call(PluginCall("log")).text == "0")
        #expect(logs.lines.map(\.level) == [.trace, .debug, .info, .warn, .error])

        let silent = LogCollector()
        let off = try PluginInstance(
            try ExamplePlugins.plugin("kernel", options: PluginOptions(logLevel: .off, logHandler: silent.handler))
        )
        #expect(try off.call(PluginCall("log")).output == [UInt8(truncatingIfNeeded: 48 &+ Int32.max)])
        #expect(silent.lines.isEmpty)
    }

    @Test func logLinesPerCallAreBounded() throws {
        let logs = LogCollector()
        var limits = PluginLimits()
        limits.maxLogLines = 2
        let instance = try PluginInstance(
            try ExamplePlugins.plugin(
                "kernel", options: PluginOptions(limits: limits, logLevel: .trace, logHandler: logs.handler))
        )
        _ = try instance.call(PluginCall("log"))
        #expect(logs.lines.map(\.message) == ["trace line", "debug line", "3 log line(s) dropped"])
    }

    @Test func theGuestRuntimeIsInitialisedBeforeTheFirstCall() throws {
        let instance = try PluginInstance(try ExamplePlugins.plugin("kernel"))
        #expect(try instance.call(PluginCall("ready")).text == "ready")
    }

    @Test func fuelUsedIsReportedAndGrowsWithTheWork() throws {
        let instance = try PluginInstance(try ExamplePlugins.plugin("count_vowels"))
        let short = try instance.call(PluginCall("count_vowels", input: "a"))
        let long = try instance.call(PluginCall("count_vowels", input: String(repeating: "a", count: 1_000)))
        #expect(short.fuelConsumed > 0)
        #expect(long.fuelConsumed > short.fuelConsumed + 1_000)
        #expect(short.coldStart && !long.coldStart)
    }

    @Test func anExportThatDoesNotExistIsReported() throws {
        let instance = try PluginInstance(try ExamplePlugins.plugin("echo"))
        #expect(instance.result(PluginCall("nope")) == .failure(FunctionError(.missingExport, "function not found: nope")))
        #expect(try instance.call(PluginCall("echo", input: "still here")).text == "still here")
    }

    @Test func wasiStdoutAndStderrAreLoggedAndFilesAreRefused() throws {
        let logs = LogCollector()
        let instance = try PluginInstance(
            try ExamplePlugins.plugin("wasi", options: PluginOptions(logHandler: logs.handler))
        )
        #expect(try instance.call(PluginCall("hello")).text == "ok")
        #expect(logs.lines == [
            PluginLogEntry(level: .info, message: "hello from WASI stdout", source: .stdout),
            PluginLogEntry(level: .error, message: "and from stderr", source: .stderr),
        ])
    }
}

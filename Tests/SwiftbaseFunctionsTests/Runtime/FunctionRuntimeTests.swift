import SwiftbaseFunctions
import Testing

/// Calls through the runtime: on guest threads, cold or warm, with the wall-clock timeout.
@Suite("Function runtime", .timeLimit(.minutes(1)))
struct FunctionRuntimeTests {
    @Test func aCallRunsOnAGuestThreadAndReturnsTheOutput() async throws {
        let runtime = FunctionRuntime(configuration: .init(threads: 2))
        let plugin = try await runtime.compile(try ExamplePlugins.wasm("count_vowels"), requiredExports: ["count_vowels"])
        let output = try await runtime.call(plugin, PluginCall("count_vowels", input: "Hello, World!"))
        #expect(output.text == #"{"count": 3}"#)
        #expect(output.coldStart)
        #expect(runtime.threadCount == 1)
    }

    @Test func compileErrorsComeBackTyped() async throws {
        let runtime = FunctionRuntime(configuration: .init(threads: 1))
        await #expect(throws: FunctionError(.missingExport, "the module has no function export handle (its exports: echo)")) {
            _ = try await runtime.compile(try ExamplePlugins.wasm("echo"), requiredExports: ["handle"])
        }
    }

    @Test func coldCallsGetANewInstanceAndWarmCallsReuseOne() async throws {
        let runtime = FunctionRuntime(configuration: .init(threads: 1))
        let cold = try ExamplePlugins.plugin("kernel")
        for _ in 0..<3 {
            let output = try await runtime.call(cold, PluginCall("count_calls"))
            #expect(output.coldStart)
            #expect(output.output.first == 1, "a new instance starts without vars")
        }
        let warm = try ExamplePlugins.plugin("kernel", options: PluginOptions(warmInstances: 1))
        var counts: [UInt8] = []
        var starts: [Bool] = []
        for _ in 0..<3 {
            let output = try await runtime.call(warm, PluginCall("count_calls"))
            counts.append(output.output.first ?? 0)
            starts.append(output.coldStart)
        }
        #expect(counts == [1, 2, 3], "a warm instance keeps its vars, as an Extism plug-in does")
        #expect(starts == [true, false, false])
        #expect(warm.idleInstanceCount == 1)
    }

    @Test func varsPassedWithACallTravelBackWithItsOutput() async throws {
        let runtime = FunctionRuntime(configuration: .init(threads: 1))
        let plugin = try ExamplePlugins.plugin("kernel")
        var vars: [String: [UInt8]] = [:]
        for expected in UInt8(1)...3 {
            let output = try await runtime.call(plugin, PluginCall("count_calls", vars: vars))
            #expect(output.output.first == expected)
            vars = output.vars
        }
    }

    @Test func aFailedWarmInstanceIsNotReused() async throws {
        let runtime = FunctionRuntime(configuration: .init(threads: 1))
        let plugin = try ExamplePlugins.plugin("bad_offsets", options: PluginOptions(warmInstances: 2))
        #expect(await runtime.result(plugin, PluginCall("load_far")).errorCode == .trap)
        #expect(plugin.idleInstanceCount == 0)
    }

    @Test func aRunawayLoopPastItsTimeoutIsStoppedAndTheThreadServesTheNextCall() async throws {
        // One guest thread: the echo call below can only run once the spinning guest has let go of it.
        let runtime = FunctionRuntime(configuration: .init(threads: 1))
        var limits = PluginLimits()
        limits.fuel = nil
        limits.timeout = .milliseconds(200)
        let spinner = try ExamplePlugins.plugin("limits", options: PluginOptions(limits: limits))
        let started = ContinuousClock.now
        #expect(await runtime.result(spinner, PluginCall("spin")) == .failure(FunctionError(.timeout, "timeout")))
        #expect(ContinuousClock.now - started < .seconds(10))
        let echo = try ExamplePlugins.plugin("echo")
        #expect(try await runtime.call(echo, PluginCall("echo", input: "next")).text == "next")
    }

    @Test func callsWaitingForAThreadTimeOutTooAndOthersAreUnaffected() async throws {
        let runtime = FunctionRuntime(configuration: .init(threads: 2))
        var limits = PluginLimits()
        limits.fuel = nil
        limits.timeout = .milliseconds(300)
        let spinner = try ExamplePlugins.plugin("limits", options: PluginOptions(limits: limits))
        let echo = try ExamplePlugins.plugin("echo")
        async let first = runtime.result(spinner, PluginCall("spin"))
        async let second = runtime.result(spinner, PluginCall("spin"))
        async let third = runtime.result(spinner, PluginCall("spin"))
        let results = await [first, second, third]
        #expect(results.allSatisfy { $0.errorCode == .timeout })
        #expect(try await runtime.call(echo, PluginCall("echo", input: "fine")).text == "fine")
    }

    @Test func cancellingTheCallerStopsTheGuest() async throws {
        let runtime = FunctionRuntime(configuration: .init(threads: 1))
        var limits = PluginLimits()
        limits.fuel = nil
        limits.timeout = nil
        let spinner = try ExamplePlugins.plugin("limits", options: PluginOptions(limits: limits))
        let task = Task { await runtime.result(spinner, PluginCall("spin")) }
        // Wait until the guest is running on the only thread, then cancel.
        while runtime.threadCount == 0 { try await Task.sleep(for: .milliseconds(1)) }
        task.cancel()
        #expect(await task.value.errorCode == .cancelled)
        let echo = try ExamplePlugins.plugin("echo")
        #expect(try await runtime.call(echo, PluginCall("echo", input: "after")).text == "after")
    }

    @Test func manyConcurrentCallsAllAnswerCorrectly() async throws {
        let runtime = FunctionRuntime(configuration: .init(threads: 2))
        let plugin = try ExamplePlugins.plugin("count_vowels", options: PluginOptions(warmInstances: 2))
        let outputs = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for index in 0..<50 {
                group.addTask {
                    let input = String(repeating: "a", count: index)
                    return (index, try await runtime.call(plugin, PluginCall("count_vowels", input: input)).text)
                }
            }
            return try await group.reduce(into: [Int: String]()) { $0[$1.0] = $1.1 }
        }
        #expect(outputs.count == 50)
        for (index, text) in outputs { #expect(text == "{\"count\": \(index)}") }
        #expect(runtime.threadCount <= 2)
    }
}

/// Fresh instances made ahead of cold calls.
@Suite("Prepared instances", .timeLimit(.minutes(1)))
struct PreparedInstanceTests {
    @Test func aColdCallTakesAPreparedFreshInstanceAndTheRuntimeMakesTheNext() async throws {
        let runtime = FunctionRuntime(configuration: .init(threads: 1))
        let plugin = try await runtime.compile(
            try ExamplePlugins.wasm("kernel"), options: PluginOptions(preparedInstances: 2))
        for _ in 0..<4 {
            while plugin.preparedInstanceCount < 2 { try await Task.sleep(for: .milliseconds(1)) }
            let output = try await runtime.call(plugin, PluginCall("count_calls"))
            #expect(output.coldStart)
            #expect(output.output.first == 1, "a prepared instance has no state from an earlier call")
        }
        while plugin.preparedInstanceCount < 2 { try await Task.sleep(for: .milliseconds(1)) }
        #expect(plugin.idleInstanceCount == 0)
        // The guest runtime was initialised while preparing.
        #expect(try await runtime.call(plugin, PluginCall("ready")).text == "ready")
    }
}

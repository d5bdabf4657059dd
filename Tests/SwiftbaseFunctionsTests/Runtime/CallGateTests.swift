import Dispatch
import Synchronization
import SwiftbaseFunctions
import Testing

/// `PluginOptions.maxConcurrentCalls`: calls past the bound wait in the plug-in's line and run as earlier ones end.
@Suite("Concurrent call bound", .timeLimit(.minutes(1)))
struct CallGateTests {
    /// A host function (`extism:host/user upper`, imported by the `host` example) that counts the calls inside it
    /// and holds each until the test lets it go.
    final class Turnstile: Sendable {
        private let counts = Mutex<(inside: Int, most: Int, entered: Int)>((0, 0, 0))
        private let gate = DispatchSemaphore(value: 0)

        var function: UserHostFunction {
            UserHostFunction("upper") { [self] context, arguments in
                counts.withLock { $0.inside += 1; $0.most = max($0.most, $0.inside); $0.entered += 1 }
                gate.wait()
                counts.withLock { $0.inside -= 1 }
                return try context.allocate(try context.string(at: arguments[0]).uppercased())
            }
        }

        var entered: Int { counts.withLock { $0.entered } }
        var most: Int { counts.withLock { $0.most } }
        func letOneGo() { gate.signal() }
    }

    @Test func callsPastTheBoundWaitAndAllAnswer() async throws {
        let runtime = FunctionRuntime(configuration: .init(threads: 4))
        let turnstile = Turnstile()
        let plugin = try ExamplePlugins.plugin(
            "host", options: PluginOptions(hostFunctions: [turnstile.function], warmInstances: 2, maxConcurrentCalls: 2))
        try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<5 {
                group.addTask { try await runtime.call(plugin, PluginCall("shout", input: "call \(index)")).text }
            }
            // Two calls get in; the other three wait in line, not on threads of their own.
            while turnstile.entered < 2 { try await Task.sleep(for: .milliseconds(1)) }
            try await Task.sleep(for: .milliseconds(50))
            #expect(turnstile.entered == 2)
            for _ in 0..<5 { turnstile.letOneGo() }
            var answers: [String] = []
            for try await answer in group { answers.append(answer) }
            #expect(answers.sorted() == (0..<5).map { "CALL \($0)" })
        }
        #expect(turnstile.most == 2)
        #expect(runtime.threadCount <= 2, "a call in line runs on the thread that finished the one before it")
    }

    @Test func aCallOnTheCallersThreadNeedsAFreePlace() async throws {
        let runtime = FunctionRuntime(configuration: .init(threads: 2))
        let turnstile = Turnstile()
        let plugin = try ExamplePlugins.plugin(
            "host", options: PluginOptions(hostFunctions: [turnstile.function], maxConcurrentCalls: 1))
        let held = Task { try await runtime.call(plugin, PluginCall("shout", input: "first")).text }
        while turnstile.entered < 1 { try await Task.sleep(for: .milliseconds(1)) }
        let refused = try await Self.onAThreadOfItsOwn { try runtime.callOnCurrentThread(plugin, PluginCall("shout", input: "x")) }
        #expect(refused == nil, "no free place: the caller is told, and waits through call(_:_:) instead")
        turnstile.letOneGo()
        #expect(try await held.value == "FIRST")
        turnstile.letOneGo()
        let ran = try await Self.onAThreadOfItsOwn { try runtime.callOnCurrentThread(plugin, PluginCall("shout", input: "second")) }
        #expect(ran?.text == "SECOND")
    }

    @Test func aCallWaitingInLineTimesOutAndLeavesTheLine() async throws {
        let runtime = FunctionRuntime(configuration: .init(threads: 2))
        let turnstile = Turnstile()
        var limits = PluginLimits()
        limits.timeout = .milliseconds(200)
        let plugin = try ExamplePlugins.plugin(
            "host", options: PluginOptions(limits: limits, hostFunctions: [turnstile.function], maxConcurrentCalls: 1))
        let held = Task { await runtime.result(plugin, PluginCall("shout", input: "held")) }
        while turnstile.entered < 1 { try await Task.sleep(for: .milliseconds(1)) }
        // Waits in line behind the held call past its own timeout: answered by the clock, never run.
        #expect(await runtime.result(plugin, PluginCall("shout", input: "late")).errorCode == .timeout)
        turnstile.letOneGo()
        _ = await held.value
        turnstile.letOneGo()
        #expect(try await runtime.call(plugin, PluginCall("shout", input: "next")).text == "NEXT")
        #expect(turnstile.entered == 2, "the timed-out call never entered the plug-in")
    }

    /// Runs `body` on a thread that is not Swift's cooperative pool (`callOnCurrentThread` blocks it).
    static func onAThreadOfItsOwn<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }
}

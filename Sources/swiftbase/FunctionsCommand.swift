import ArgumentParser
import Foundation
import SwiftbaseFunctions
import Synchronization

/// `swiftbase functions …` — run and measure Extism plug-ins from the command line, as `extism call` does.
struct FunctionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "functions",
        abstract: "Deploys and inspects functions on a running server; runs and measures Extism plug-ins locally.",
        subcommands: [
            FunctionsDeployCommand.self, FunctionsListCommand.self, FunctionsLogsCommand.self, FunctionsCallCommand.self,
            FunctionsBenchCommand.self,
        ])
}

/// What `call` and `bench` share: the module, the export, the input and the plug-in's options.
struct PluginArguments: ParsableArguments {
    @Argument(help: "The plug-in: a .wasm file.")
    var module: String

    @Argument(help: "The export to call.")
    var export: String

    @Option(help: "The input, as text.")
    var input: String?

    @Option(name: .customLong("input-file"), help: "Read the input from this file instead.")
    var inputFile: String?

    @Option(name: .customLong("config"), help: "A config value, KEY=VALUE (repeatable).")
    var config: [String] = []

    @Option(name: .customLong("log-level"), help: "trace, debug, info, warn, error or off.")
    var logLevel: String = "info"

    @Option(help: "Instruction budget per call (0: unlimited).")
    var fuel: UInt64 = 100_000_000

    @Option(name: .customLong("memory-mb"), help: "Memory the plug-in may use, in MiB.")
    var memoryMB: Int = 64

    @Option(name: .customLong("timeout-ms"), help: "Wall-clock limit per call, in milliseconds (0: none).")
    var timeoutMS: Int = 10_000

    func inputBytes() throws -> [UInt8] {
        if let inputFile { return Array(try Data(contentsOf: URL(fileURLWithPath: inputFile))) }
        return Array((input ?? "").utf8)
    }

    func options(logHandler: (@Sendable (PluginLogEntry) -> Void)?, warmInstances: Int) throws -> PluginOptions {
        guard let level = PluginLogLevel(name: logLevel) else { throw ValidationError("Unknown log level \(logLevel).") }
        var values: [String: String] = [:]
        for pair in config {
            guard let equals = pair.firstIndex(of: "=") else { throw ValidationError("--config wants KEY=VALUE.") }
            values[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        let limits = PluginLimits(
            fuel: fuel == 0 ? nil : fuel, memoryBytes: memoryMB << 20,
            timeout: timeoutMS == 0 ? nil : .milliseconds(timeoutMS))
        return PluginOptions(
            config: values, limits: limits, logLevel: level, logHandler: logHandler, warmInstances: warmInstances)
    }

    func wasm() throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: module)))
    }
}

/// `swiftbase functions call MODULE EXPORT` — calls an export and prints its output (or, with `--json`, the output,
/// the error and the log lines of each call as JSON).
struct FunctionsCallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call", abstract: "Calls an export of a plug-in and prints its output.")

    @OptionGroup var plugin: PluginArguments

    @Option(help: "Call this many times on one instance (vars and memory carry over, as in Extism).")
    var times: Int = 1

    @Flag(help: "Print a JSON array, one {output (base64), error, logs, vars} object per call.")
    var json = false

    func run() async throws {
        let logs = CollectedLogs()
        let options = try plugin.options(logHandler: logs.append, warmInstances: 1)
        let runtime = FunctionRuntime(configuration: .init(threads: 1))
        let compiled: Plugin
        do {
            compiled = try await runtime.compile(try plugin.wasm(), options: options)
        } catch {
            throw ValidationError("The plug-in was refused: \(error)")
        }
        var reports: [[String: Any]] = []
        var failed = false
        let input = try plugin.inputBytes()
        for _ in 0..<max(1, times) {
            var report: [String: Any] = [:]
            do {
                let output = try await runtime.call(compiled, PluginCall(plugin.export, input: input))
                report["output"] = Data(output.output).base64EncodedString()
                report["vars"] = output.vars.mapValues { Data($0).base64EncodedString() }
                if !json { FileHandle.standardOutput.write(Data(output.output)) }
            } catch {
                failed = true
                report["error"] = ["code": "\(error.code)", "message": error.message]
                if !json { FileHandle.standardError.write(Data("error: \(error)\n".utf8)) }
            }
            report["logs"] = logs.take().map {
                ["level": "\($0.level)", "message": $0.message, "source": $0.source.rawValue]
            }
            reports.append(report)
        }
        if json {
            let data = try JSONSerialization.data(withJSONObject: reports, options: [.sortedKeys])
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        } else if failed {
            throw ExitCode(1)
        }
    }
}

/// Log lines of the calls so far, taken after each call.
private final class CollectedLogs: Sendable {
    private let entries = Mutex<[PluginLogEntry]>([])

    var append: @Sendable (PluginLogEntry) -> Void {
        { [self] entry in entries.withLock { $0.append(entry) } }
    }

    func take() -> [PluginLogEntry] {
        entries.withLock { entries in
            let taken = entries
            entries = []
            return taken
        }
    }
}

/// `swiftbase functions bench MODULE EXPORT` — per-call latency of a plug-in, cold (a new instance from the
/// compiled module for every call) and warm (one instance reused), measured in-process; then the same through
/// `FunctionRuntime` (a guest-thread hop and an async answer added), and cold calls that find a prepared fresh
/// instance (`PluginOptions.preparedInstances`). Prints JSON with microseconds.
struct FunctionsBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measures cold and warm call latency of a plug-in (JSON, microseconds).")

    @OptionGroup var plugin: PluginArguments

    @Option(help: "Measured calls per mode.")
    var iterations = 5_000

    @Option(help: "Calls per mode before measuring.")
    var warmup = 500

    @Flag(help: "Measure only the in-process cold calls (for profiling them alone, e.g. under perf).")
    var coldOnly = false

    func run() async throws {
        let options = try plugin.options(logHandler: nil, warmInstances: 1)
        let compiled = try Plugin(wasm: try plugin.wasm(), options: options, requiredExports: [plugin.export])
        let call = PluginCall(plugin.export, input: try plugin.inputBytes())
        let clock = ContinuousClock()
        var modes: [String: Any] = [:]

        modes["cold"] = try measure(clock) { _ = try PluginInstance(compiled).call(call) }
        if coldOnly {
            let data = try JSONSerialization.data(withJSONObject: modes, options: [.sortedKeys, .prettyPrinted])
            FileHandle.standardOutput.write(data + Data("\n".utf8))
            return
        }
        let instance = try PluginInstance(compiled)
        modes["warm"] = try measure(clock) { _ = try instance.call(call) }

        let runtime = FunctionRuntime(configuration: .init(threads: 1))
        let coldPlugin = try Plugin(
            wasm: try plugin.wasm(), options: try plugin.options(logHandler: nil, warmInstances: 0))
        modes["runtime_cold"] = try await measureAsync(clock) { _ = try await runtime.call(coldPlugin, call) }
        modes["runtime_warm"] = try await measureAsync(clock) { _ = try await runtime.call(compiled, call) }

        // Cold calls that find a prepared fresh instance: between calls (untimed) the runtime gets to make the
        // next one, as it does on a server between requests.
        var preparedOptions = try plugin.options(logHandler: nil, warmInstances: 0)
        preparedOptions.preparedInstances = 1
        let prepared = try await runtime.compile(try plugin.wasm(), options: preparedOptions)
        modes["runtime_prepared"] = try await measureAsync(clock, between: {
            while prepared.preparedInstanceCount == 0 { try? await Task.sleep(for: .microseconds(50)) }
        }) { _ = try await runtime.call(prepared, call) }

        let output = try PluginInstance(compiled).call(call)
        modes["output"] = output.text
        modes["fuel_per_call"] = output.fuelConsumed
        let data = try JSONSerialization.data(withJSONObject: modes, options: [.sortedKeys, .prettyPrinted])
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }

    private func measure(_ clock: ContinuousClock, _ body: () throws -> Void) throws -> [String: Double] {
        var samples: [Duration] = []
        samples.reserveCapacity(iterations)
        for index in 0..<(warmup + iterations) {
            let start = clock.now
            try body()
            if index >= warmup { samples.append(clock.now - start) }
        }
        return Self.summary(samples)
    }

    private func measureAsync(
        _ clock: ContinuousClock, between: () async -> Void = {}, _ body: () async throws -> Void
    ) async throws -> [String: Double] {
        var samples: [Duration] = []
        samples.reserveCapacity(iterations)
        for index in 0..<(warmup + iterations) {
            await between()
            let start = clock.now
            try await body()
            if index >= warmup { samples.append(clock.now - start) }
        }
        return Self.summary(samples)
    }

    static func summary(_ samples: [Duration]) -> [String: Double] {
        let micros = samples.map { Double($0.components.attoseconds) / 1e12 + Double($0.components.seconds) * 1e6 }
            .sorted()
        func percentile(_ p: Double) -> Double {
            micros.isEmpty ? 0 : micros[min(micros.count - 1, Int((p / 100) * Double(micros.count)))]
        }
        let mean = micros.isEmpty ? 0 : micros.reduce(0, +) / Double(micros.count)
        return ["p50_us": percentile(50), "p99_us": percentile(99), "mean_us": mean, "n": Double(micros.count)]
    }
}

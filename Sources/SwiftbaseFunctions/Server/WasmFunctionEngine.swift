internal import Foundation
public import SwiftbaseCore
import Synchronization

/// The core's `FunctionEngine` on this module's runtime: compiles deployed modules into ``Plugin``s with their
/// limits, config and the records host functions, keeps the running version of each function, bounds how many
/// calls of one function run at once, and keeps each function's recent log lines.
public final class WasmFunctionEngine: FunctionEngine {
    /// Hears every call: for metrics.
    public typealias Observer = @Sendable (_ function: String, _ call: FunctionCallReport) -> Void


    private let runtime: FunctionRuntime
    private let records: FunctionRecordsAPI
    private let httpClient: any PluginHTTPClient
    private let observer: Observer?
    private let running = Mutex<[String: WasmCompiledFunction]>([:])
    private let logBook = FunctionLogBook()

    /// Guest threads for a server: calls block their thread while a host call waits (a record write queued
    /// behind the store's writer, an `http_request`), so a server needs many more than it has cores — with too
    /// few, calls whose writes run before hooks of functions could hold every thread while the hooks wait for one.
    /// Each function's `concurrency` bounds how many of them one function uses.
    public static let serverThreads = 64

    /// - Parameters:
    ///   - records: what `records_*` host calls run through.
    ///   - httpClient: who sends the plug-ins' `http_request`s (it checks their `allowedHosts`).
    public init(
        runtime: FunctionRuntime = FunctionRuntime(configuration: .init(threads: WasmFunctionEngine.serverThreads)),
        records: FunctionRecordsAPI,
        httpClient: any PluginHTTPClient = RefusingPluginHTTPClient(), observer: Observer? = nil
    ) {
        self.runtime = runtime
        self.records = records
        self.httpClient = httpClient
        self.observer = observer
    }

    public func compile(_ module: [UInt8], name: String, config: FunctionConfig) async throws -> any CompiledFunction {
        let logBook = logBook
        var limits = PluginLimits()
        limits.fuel = config.limits.fuel
        limits.memoryBytes = config.limits.memoryMB << 20
        limits.timeout = config.limits.timeout
        let options = PluginOptions(
            config: config.config, limits: limits, logLevel: .info,
            logHandler: { entry in logBook.append(name, FunctionLogBook.line(entry)) },
            allowedHosts: config.allowedHosts, httpClient: httpClient,
            hostFunctions: RecordsHostFunctions.make(records), warmInstances: config.limits.concurrency,
            maxConcurrentCalls: config.limits.concurrency)
        do throws(FunctionError) {
            let plugin = try await runtime.compile(module, options: options, requiredExports: config.exports.sorted())
            let info = FunctionModuleInfo(
                size: module.count, sha256: FunctionService.sha256(module), exports: plugin.callableExports,
                imports: plugin.imports)
            return WasmCompiledFunction(name: name, info: info, plugin: plugin, limits: config.limits)
        } catch {
            let code = error.code == .missingExport ? "validation_missing_export" : "validation_invalid_module"
            throw SwiftbaseError.validation(
                "Failed to deploy the function.", .items(["module": ErrorItem(code, error.message)]))
        }
    }

    public func install(_ function: any CompiledFunction) {
        guard let compiled = function as? WasmCompiledFunction else { return }
        running.withLock { $0[compiled.name] = compiled }
    }

    public func remove(_ name: String) {
        running.withLock { _ = $0.removeValue(forKey: name) }
        logBook.remove(name)
    }

    public func call(_ name: String, _ call: FunctionCall) async throws(FunctionCallError) -> [UInt8] {
        guard let function = running.withLock({ $0[name] }) else {
            throw FunctionCallError(.notFound, "no function \"\(name)\" is running")
        }
        let limits = function.limits
        let started = ContinuousClock.now
        // At most `limits.concurrency` calls run at once: the plug-in's own bound, waiting included in the timeout.
        let context = FunctionHostContext(identity: call.identity, allowsRecordCalls: call.allowsRecordCalls)
        do throws(FunctionError) {
            let output = try await runtime.call(
                function.plugin, PluginCall(call.export, input: call.input, hostContext: context, logTag: call.trigger))
            report(name, call, started: started, fuel: output.fuelConsumed, error: nil)
            return output.output
        } catch {
            let failure = Self.failure(error, limits: limits)
            report(name, call, started: started, fuel: 0, error: failure)
            throw failure
        }
    }

    public func callOnCurrentThread(_ name: String, _ call: FunctionCall) throws(FunctionCallError) -> [UInt8]? {
        guard let function = running.withLock({ $0[name] }) else {
            throw FunctionCallError(.notFound, "no function \"\(name)\" is running")
        }
        let started = ContinuousClock.now
        let context = FunctionHostContext(identity: call.identity, allowsRecordCalls: call.allowsRecordCalls)
        do throws(FunctionError) {
            guard
                let output = try runtime.callOnCurrentThread(
                    function.plugin, PluginCall(call.export, input: call.input, hostContext: context, logTag: call.trigger))
            else { return nil }
            report(name, call, started: started, fuel: output.fuelConsumed, error: nil)
            return output.output
        } catch {
            let failure = Self.failure(error, limits: function.limits)
            report(name, call, started: started, fuel: 0, error: failure)
            throw failure
        }
    }

    private static func failure(_ error: FunctionError, limits: FunctionLimits) -> FunctionCallError {
        let timedOut = error.code == .timeout || error.code == .cancelled
        return FunctionCallError(
            timedOut ? .timeout : .failed, timedOut ? "it ran past its \(limits.timeoutMs) ms limit" : error.message)
    }

    public func logs(_ name: String, limit: Int) -> [FunctionLogLine] {
        logBook.lines(name, limit: limit)
    }

    public func log(_ name: String, _ line: FunctionLogLine) {
        logBook.append(name, line)
    }

    private func report(
        _ name: String, _ call: FunctionCall, started: ContinuousClock.Instant, fuel: UInt64,
        error: FunctionCallError?
    ) {
        if let error {
            logBook.append(
                name,
                FunctionLogLine(
                    time: DateTime.now(), level: "error", message: "\(call.export) failed: \(error.message)",
                    trigger: call.trigger))
        }
        observer?(
            name,
            FunctionCallReport(
                trigger: call.trigger,
                outcome: error.map { $0.kind == .timeout ? .timeout : .error } ?? .success,
                duration: ContinuousClock.now - started, fuel: fuel))
    }
}

/// What one call did, for metrics.
public struct FunctionCallReport: Sendable {
    public enum Outcome: String, Sendable {
        case success, error, timeout
    }

    public var trigger: String
    public var outcome: Outcome
    public var duration: Duration
    public var fuel: UInt64
}

/// A module compiled for one function.
struct WasmCompiledFunction: CompiledFunction {
    let name: String
    let info: FunctionModuleInfo
    let plugin: Plugin
    let limits: FunctionLimits
}

/// What the records host functions know of the call they run in (``PluginCall/hostContext``).
struct FunctionHostContext: Sendable {
    let identity: AuthContext
    let allowsRecordCalls: Bool
}

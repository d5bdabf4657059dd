import Foundation
import Synchronization
import SwiftbaseFunctions
import WAT

/// The example plug-ins of `Examples/functions/wat`, compiled from their text at test time, so the tests and the
/// examples (and the reference check under Extism) run the very same modules.
enum ExamplePlugins {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Examples/functions/wat")

    static func wasm(_ name: String) throws -> [UInt8] {
        let text = try String(contentsOf: directory.appendingPathComponent("\(name).wat"), encoding: .utf8)
        return try wat2wasm(text)
    }

    static func plugin(
        _ name: String, options: PluginOptions = PluginOptions(), requiredExports: [String] = []
    ) throws -> Plugin {
        try Plugin(wasm: try wasm(name), options: options, requiredExports: requiredExports)
    }

    /// Compiles WAT written in a test.
    static func plugin(wat: String, options: PluginOptions = PluginOptions()) throws -> Plugin {
        try Plugin(wasm: try wat2wasm(wat), options: options)
    }
}

/// Collects a plug-in's log lines for assertions.
final class LogCollector: Sendable {
    private let entries = Mutex<[PluginLogEntry]>([])

    var handler: @Sendable (PluginLogEntry) -> Void {
        { [self] entry in entries.withLock { $0.append(entry) } }
    }

    var lines: [PluginLogEntry] {
        entries.withLock { entries in
            let copy = entries
            return copy
        }
    }
}

extension Result where Failure == FunctionError {
    /// The error's code, or `nil` for a success.
    var errorCode: FunctionError.Code? {
        if case .failure(let error) = self { return error.code }
        return nil
    }
}

extension FunctionRuntime {
    /// The call's result as a value, so a test can look at a failure without `#expect(throws:)` gymnastics.
    func result(_ plugin: Plugin, _ call: PluginCall) async -> Result<PluginOutput, FunctionError> {
        do {
            return .success(try await self.call(plugin, call))
        } catch {
            return .failure(error)
        }
    }
}

extension PluginInstance {
    func result(_ call: PluginCall) -> Result<PluginOutput, FunctionError> {
        do {
            return .success(try self.call(call))
        } catch {
            return .failure(error)
        }
    }
}

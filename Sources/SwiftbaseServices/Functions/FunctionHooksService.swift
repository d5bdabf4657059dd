public import ServiceLifecycle
public import SwiftbaseCore

/// Runs functions' after hooks with the app; at shutdown it stops them, each worker saving its cursor, then
/// runs `onStop` (closing what functions used, such as their HTTP client).
public struct FunctionHooksService: Service {
    let functions: FunctionService
    let onStop: @Sendable () async -> Void

    public init(functions: FunctionService, onStop: @escaping @Sendable () async -> Void = {}) {
        self.functions = functions
        self.onStop = onStop
    }

    public func run() async throws {
        functions.startAfterHooks()
        try? await gracefulShutdown()
        await functions.stopAfterHooks()
        await onStop()
    }
}

public import ServiceLifecycle
public import SwiftbaseCore

/// Runs functions' after hooks with the app; at shutdown it stops them, each worker saving its cursor.
public struct FunctionHooksService: Service {
    let functions: FunctionService

    public init(functions: FunctionService) {
        self.functions = functions
    }

    public func run() async throws {
        functions.startAfterHooks()
        try? await gracefulShutdown()
        await functions.stopAfterHooks()
    }
}

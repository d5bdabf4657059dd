public import Logging
public import ServiceLifecycle
public import SwiftbaseCore

/// Runs the app's after-commit record hooks (`RecordHooks.onRecordAfterCommit`) in `seq` order. At graceful
/// shutdown it delivers what was committed until then and stops; start it before the server and it stops
/// after the server drained, so every change a request made is delivered.
public struct RecordHookDeliveryService: Service {
    let hooks: RecordHooks
    let logger: Logger

    public init(hooks: RecordHooks, logger: Logger) {
        self.hooks = hooks
        self.logger = logger
    }

    public func run() async throws {
        let logger = logger
        await withGracefulShutdownHandler {
            await hooks.deliverCommitted { entry, error in
                logger.error(
                    "an after-commit record hook failed",
                    metadata: [
                        "sb.seq": "\(entry.seq)", "sb.collection": "\(entry.collectionName)",
                        "sb.record": "\(entry.recordId)", "sb.error": "\(error)",
                    ])
            }
        } onGracefulShutdown: {
            hooks.finishDelivery()
        }
    }
}

public import ServiceLifecycle
public import SwiftbaseCore

/// Runs the app's `CronScheduler` with the other services. On graceful shutdown no new run starts and the
/// runs going (a backup being written) are waited for; cancellation cancels them.
public struct CronSchedulerService: Service {
    let scheduler: CronScheduler

    public init(scheduler: CronScheduler) {
        self.scheduler = scheduler
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await scheduler.run()
        } onGracefulShutdown: {
            scheduler.shutdown()
        }
    }
}

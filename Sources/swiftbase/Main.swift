import ArgumentParser
import Foundation

/// The process entry point: before any task starts, NIO's event loops become Swift Concurrency's global
/// executor (see `EventLoopGlobalExecutor`); `SB_GLOBAL_EXECUTOR=default` keeps Swift's own thread pool.
@main
enum SwiftbaseMain {
    /// Which executor runs global jobs, as `serve` reports it at start; written once, before any task exists.
    nonisolated(unsafe) static var globalExecutor = "Swift's default thread pool"

    static func main() async {
        if ProcessInfo.processInfo.environment["SB_GLOBAL_EXECUTOR"] != "default", EventLoopGlobalExecutor.install() {
            globalExecutor = "NIO's event loops"
        }
        await SwiftbaseCommand.main()
    }
}

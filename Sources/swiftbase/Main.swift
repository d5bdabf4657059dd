import ArgumentParser
import Foundation

/// The process entry point: before any task starts, NIO's event loops become Swift Concurrency's global
/// executor (see `EventLoopGlobalExecutor`); `SB_GLOBAL_EXECUTOR=default` keeps Swift's own thread pool.
@main
enum SwiftbaseMain {
    static func main() async {
        if ProcessInfo.processInfo.environment["SB_GLOBAL_EXECUTOR"] != "default" {
            EventLoopGlobalExecutor.install()
        }
        await SwiftbaseCommand.main()
    }
}

import Dispatch

/// Blocking work — CPU-heavy (bcrypt, image decoding, deflate) or waiting on the disk (large files,
/// backups) — run on a dispatch queue, off the threads that run async tasks. In the server those are NIO's
/// event loops (see the executable's `EventLoopGlobalExecutor`): work left there stalls every connection
/// of its loop until it ends.
package enum BlockingWork {
    package static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try body() })
            }
        }
    }

    package static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(returning: body()) }
        }
    }
}

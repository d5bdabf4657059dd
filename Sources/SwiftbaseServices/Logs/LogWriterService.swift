public import ServiceLifecycle
public import SwiftbaseCore

/// Runs the request logs' batch writer (see `LogBatchWriter`) while the app runs, and at graceful shutdown
/// stores what is still buffered. It starts before the HTTP server and so stops after it: the requests drained
/// at shutdown are logged, then flushed here.
public struct LogWriterService: Service {
    let writer: LogBatchWriter

    public init(writer: LogBatchWriter) {
        self.writer = writer
    }

    public func run() async throws {
        let writer = self.writer
        await withGracefulShutdownHandler {
            await writer.run()
        } onGracefulShutdown: {
            writer.stop()
        }
        // A failed round leaves entries buffered; a few more tries before giving up on them.
        for _ in 0..<3 where await !writer.flush() {}
    }
}

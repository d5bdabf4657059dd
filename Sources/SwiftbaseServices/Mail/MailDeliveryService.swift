public import Logging
public import ServiceLifecycle
public import SwiftbaseCore

/// Sends the mails of `MailQueue` one after another with `mailer`. At graceful shutdown it stops taking new
/// ones and sends those already queued — for at most `drainLimit`, so a mail server that hangs cannot hold
/// the process — before it returns (the HTTP server, stopped first, queues no more).
public struct MailDeliveryService: Service {
    let queue: MailQueue
    let mailer: any Mailer
    let logger: Logger
    let drainLimit: Duration

    public init(queue: MailQueue, mailer: any Mailer, logger: Logger, drainLimit: Duration = .seconds(5)) {
        self.queue = queue
        self.mailer = mailer
        self.logger = logger
        self.drainLimit = drainLimit
    }

    public func run() async throws {
        let (queue, limit) = (self.queue, drainLimit)
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await deliverAll() }
            group.addTask {
                try await gracefulShutdown()
                queue.finish()
                try await Task.sleep(for: limit)
            }
            // Whichever ends first: the queue drained after shutdown, or the drain time ran out.
            _ = try? await group.next()
            group.cancelAll()
        }
    }

    private func deliverAll() async {
        for await job in queue.jobs {
            if Task.isCancelled { break }
            do {
                try await mailer.send(job.message)
            } catch {
                logger.error(
                    "failed to send email", metadata: ["sb.error": "\(error)", "sb.mail.subject": "\(job.message.subject)"])
                await job.onFailure()
            }
        }
    }
}

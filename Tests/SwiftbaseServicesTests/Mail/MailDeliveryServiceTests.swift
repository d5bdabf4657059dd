import Foundation
import Logging
import ServiceLifecycleTestKit
import SwiftbaseCore
import Synchronization
import Testing

@testable import SwiftbaseServices

@Suite("Mail delivery service", .timeLimit(.minutes(1)))
struct MailDeliveryServiceTests {
    /// Records what it was asked to send; sends to `hang@…` never finish unless cancelled (which it records),
    /// to `fail@…` throw.
    final class RecordingMailer: Mailer {
        let sent = Mutex<[String]>([])
        let cancelled = Mutex<[String]>([])
        func send(_ message: MailMessage) async throws {
            let to = message.to.first ?? ""
            if to.hasPrefix("hang") {
                do {
                    try await Task.sleep(for: .seconds(3600))
                } catch {
                    cancelled.withLock { $0.append(to) }
                    throw error
                }
            }
            if to.hasPrefix("fail") { throw SMTPError(description: "refused") }
            sent.withLock { $0.append(to) }
        }
    }

    func message(_ to: String) -> MailMessage {
        MailMessage(from: "a@x.io", to: [to], subject: "s", html: "h", text: "t")
    }

    @Test func sendsInOrderReportsFailuresAndDrainsAtShutdown() async throws {
        let queue = MailQueue()
        let mailer = RecordingMailer()
        let failures = Mutex(0)
        queue.enqueue(message("one@x.io"))
        queue.enqueue(message("fail@x.io"), onFailure: { failures.withLock { $0 += 1 } })
        queue.enqueue(message("two@x.io"))
        let service = MailDeliveryService(queue: queue, mailer: mailer, logger: Logger(label: "test"))
        try await testGracefulShutdown { trigger in
            trigger.triggerGracefulShutdown()
            try await service.run()
        }
        #expect(mailer.sent.withLock { $0 } == ["one@x.io", "two@x.io"])
        #expect(failures.withLock { $0 } == 1)
        #expect(queue.enqueue(message("late@x.io")) == false)
    }

    @Test func aHangingMailServerCannotHoldShutdown() async throws {
        let queue = MailQueue()
        let mailer = RecordingMailer()
        queue.enqueue(message("hang@x.io"))
        queue.enqueue(message("after@x.io"))
        let service = MailDeliveryService(
            queue: queue, mailer: mailer, logger: Logger(label: "test"), drainLimit: .milliseconds(100))
        try await testGracefulShutdown { trigger in
            trigger.triggerGracefulShutdown()
            // Returns once the drain limit passes, not after the hour-long send (the suite's limit is a minute).
            try await service.run()
        }
        // The hanging send was cancelled, not waited for, and nothing after it was sent.
        #expect(mailer.cancelled.withLock { $0 } == ["hang@x.io"])
        #expect(mailer.sent.withLock { $0 }.isEmpty)
        #expect(queue.enqueue(message("late@x.io")) == false)
    }
}

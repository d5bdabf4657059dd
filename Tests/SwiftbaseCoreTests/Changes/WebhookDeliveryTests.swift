import Foundation
import Testing

@testable import SwiftbaseCore

struct WebhookDeliveryTests {
    @Test func deliveriesGetIdsInTheOrderOfTheirTime() {
        let start = Date(timeIntervalSince1970: 1_765_000_000)
        let attempt = WebhookAttempt(outcome: .succeeded, status: 200)
        let ids = (0..<500).map { step in
            let message = WebhookMessage(id: "msg_\(step)", type: "record.create", seq: Int64(step), body: [])
            return WebhookDelivery(
                webhookId: "w", message: message, attempt: attempt, status: .succeeded, nextAttempt: "",
                now: start.addingTimeInterval(Double(step) * 0.002)
            ).id
        }
        #expect(ids == ids.sorted())
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.count == 15 })
    }

    @Test func aDeliveryIsStampedWithItsTime() {
        let now = Date(timeIntervalSince1970: 1_765_000_000.25)
        let delivery = WebhookDelivery(
            webhookId: "w", message: WebhookMessage(id: "msg_1", type: "record.create", seq: 1, body: []),
            attempt: WebhookAttempt(outcome: .httpError, status: 500), status: .failed, nextAttempt: "", now: now)
        #expect(delivery.created == DateTime.format(now))
        #expect(delivery.updated == delivery.created)
    }
}

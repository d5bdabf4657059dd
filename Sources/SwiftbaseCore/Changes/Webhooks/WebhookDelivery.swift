package import Foundation

/// One message's delivery to one webhook, as the deliveries log (`_webhookDeliveries`) keeps it: its state
/// (`pending` while attempts remain, then `succeeded` or `failed`), how many attempts were made and what the
/// last one got back.
public struct WebhookDelivery: Sendable, Equatable {
    public enum Status: String, Sendable { case pending, succeeded, failed }

    public var id: String
    public var webhookId: String
    public var messageId: String
    /// The change delivered; nil for a test message.
    public var seq: Int64?
    public var type: String
    /// The body, kept while it may be sent again from here (pending, failed, tests); a delivered change's body
    /// is rebuilt from the change log when it is re-sent.
    public var payload: [UInt8]
    public var status: Status
    public var attempts: Int
    /// The last attempt's HTTP status; 0 when it got none.
    public var responseStatus: Int
    /// The first 1 KiB of the last attempt's response body.
    public var responseBody: String
    public var durationMs: Double
    /// Why the last attempt failed; empty when it did not.
    public var error: String
    /// When a pending delivery is tried next; empty otherwise.
    public var nextAttempt: String
    public var created: String
    public var updated: String

    /// A delivery of `message` after its first attempt, at `now`. Its id is time-ordered, so the deliveries a
    /// busy webhook logs append to the table's primary key instead of landing at random places in it.
    package init(webhookId: String, message: WebhookMessage, attempt: WebhookAttempt, status: Status, nextAttempt: String, now date: Date) {
        let now = DateTime.format(date)
        id = Identifiers.timeOrderedID(millisecondsSince1970: Int64((date.timeIntervalSince1970 * 1000).rounded(.down)))
        self.webhookId = webhookId
        messageId = message.id
        seq = message.seq
        type = message.type
        payload = message.body
        self.status = .pending
        attempts = 0
        responseStatus = 0
        responseBody = ""
        durationMs = 0
        error = ""
        self.nextAttempt = ""
        created = now
        updated = now
        record(attempt, status: status, nextAttempt: nextAttempt, now: now)
    }

    init(row: StoreRow) {
        id = row["id"]?.textValue ?? ""
        webhookId = row["webhookId"]?.textValue ?? ""
        messageId = row["messageId"]?.textValue ?? ""
        seq = row["seq"]?.int64Value
        type = row["type"]?.textValue ?? ""
        payload = Array((row["payload"]?.textValue ?? "").utf8)
        status = (row["status"]?.textValue).flatMap(Status.init(rawValue:)) ?? .failed
        attempts = Int(row["attempts"]?.int64Value ?? 0)
        responseStatus = Int(row["responseStatus"]?.int64Value ?? 0)
        responseBody = row["responseBody"]?.textValue ?? ""
        durationMs = row["durationMs"]?.doubleValue ?? 0
        error = row["error"]?.textValue ?? ""
        nextAttempt = row["nextAttempt"]?.textValue ?? ""
        created = row["created"]?.textValue ?? ""
        updated = row["updated"]?.textValue ?? ""
    }

    /// Folds in the result of another attempt.
    mutating func record(_ attempt: WebhookAttempt, status: Status, nextAttempt: String, now: String) {
        attempts += 1
        self.status = status
        responseStatus = attempt.status
        responseBody = attempt.body
        durationMs = attempt.durationMs
        error = attempt.error
        self.nextAttempt = nextAttempt
        updated = now
        if status == .succeeded && seq != nil { payload = [] }
    }

    /// The JSON the API answers (the payload is not part of it).
    public var json: JSONValue {
        [
            "id": .string(id), "webhookId": .string(webhookId), "messageId": .string(messageId),
            "seq": seq.map { .number(Double($0)) } ?? .null, "type": .string(type), "status": .string(status.rawValue),
            "attempts": .number(Double(attempts)), "responseStatus": .number(Double(responseStatus)),
            "responseBody": .string(responseBody), "durationMs": .number((durationMs * 1000).rounded() / 1000),
            "error": .string(error), "nextAttempt": .string(nextAttempt), "created": .string(created),
            "updated": .string(updated),
        ]
    }

    static let columns = [
        "id", "webhookId", "messageId", "seq", "type", "payload", "status", "attempts", "responseStatus", "responseBody",
        "durationMs", "error", "nextAttempt", "created", "updated",
    ]

    var arguments: [SQLValue] {
        [
            .text(id), .text(webhookId), .text(messageId), seq.map { .integer($0) } ?? .null, .text(type),
            .text(String(decoding: payload, as: UTF8.self)), .text(status.rawValue), .integer(Int64(attempts)),
            .integer(Int64(responseStatus)), .text(responseBody), .real(durationMs), .text(error), .text(nextAttempt),
            .text(created), .text(updated),
        ]
    }
}

/// One message as a webhook sends it: its id (`webhook-id`, the same for every attempt, and across restarts
/// — receivers deduplicate by it), its type, and the JSON body
/// `{"type","timestamp","data":{"seq","collection","record","actor"}}`, built once and sent as it is on every
/// attempt (only `webhook-timestamp` and the signature change).
public struct WebhookMessage: Sendable, Equatable {
    public var id: String
    public var type: String
    public var seq: Int64?
    public var body: [UInt8]

    public init(id: String, type: String, seq: Int64?, body: [UInt8]) {
        self.id = id
        self.type = type
        self.seq = seq
        self.body = body
    }

    /// The message for a logged change; the record is spliced in as logged, never re-encoded.
    public init(change entry: ChangeFeedEntry, webhookId: String) {
        id = Self.messageId(webhookId: webhookId, seq: entry.seq)
        type = "record." + entry.action
        seq = entry.seq
        var out: [UInt8] = []
        out.reserveCapacity(entry.recordJSON.utf8.count + 160)
        out.append(contentsOf: #"{"type":"#.utf8)
        JSONWriter.write(.string(type), into: &out)
        out.append(contentsOf: #","timestamp":"#.utf8)
        JSONWriter.write(.string(Self.rfc3339(entry.created)), into: &out)
        out.append(contentsOf: #","data":{"seq":"#.utf8)
        out.append(contentsOf: String(entry.seq).utf8)
        out.append(contentsOf: #","collection":"#.utf8)
        JSONWriter.write(.string(entry.collectionName), into: &out)
        out.append(contentsOf: #","record":"#.utf8)
        out.append(contentsOf: entry.recordJSON.utf8)
        out.append(contentsOf: #","actor":"#.utf8)
        JSONWriter.write(.string(entry.actor), into: &out)
        out.append(contentsOf: "}}".utf8)
        body = out
    }

    /// `POST /api/webhooks/{id}/test`'s message: `{"type":"webhook.test","timestamp","data":{"webhookId"}}`.
    public static func test(webhookId: String, now: String) -> WebhookMessage {
        let body: JSONValue = [
            "type": "webhook.test", "timestamp": .string(rfc3339(now)), "data": ["webhookId": .string(webhookId)],
        ]
        var out: [UInt8] = []
        JSONWriter.write(body, into: &out)
        return WebhookMessage(
            id: "msg_test_" + RandomString.make(length: 15, alphabet: RandomString.lowercaseAlphanumeric),
            type: "webhook.test", seq: nil, body: out)
    }

    /// Stable per webhook and change, so a re-sent message (a retry, or after a crash) keeps its id.
    static func messageId(webhookId: String, seq: Int64) -> String { "msg_\(webhookId)_\(seq)" }

    /// PocketBase's `2026-12-05 22:45:45.123Z` as RFC 3339 (`T` between date and time).
    static func rfc3339(_ dateTime: String) -> String {
        guard dateTime.utf8.count > 10 else { return dateTime }
        var bytes = Array(dateTime.utf8)
        if bytes[10] == UInt8(ascii: " ") { bytes[10] = UInt8(ascii: "T") }
        return String(decoding: bytes, as: UTF8.self)
    }
}

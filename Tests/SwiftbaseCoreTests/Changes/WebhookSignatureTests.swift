import Foundation
@testable import SwiftbaseCore
import SwiftbaseSQLite
import Testing

/// Standard Webhooks signing, checked against the specification's published example (the same value the
/// `standardwebhooks` Python library computes), and the secrets Swiftbase makes.
@Suite("Webhook signatures and input")
struct WebhookSignatureTests {
    @Test func signsAsTheStandardWebhooksExample() throws {
        let signer = try #require(WebhookSignature(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        let signature = signer.sign(
            messageId: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Array(#"{"test": 2432232314}"#.utf8))
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        // Any other id, time or body signs differently.
        #expect(signer.sign(messageId: "msg_other", timestamp: 1_614_265_330, body: Array(#"{"test": 2432232314}"#.utf8)) != signature)
        #expect(signer.sign(messageId: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_331, body: Array(#"{"test": 2432232314}"#.utf8)) != signature)
    }

    @Test func newSecretsAreTwentyFourRandomBytesAndOnlyWellFormedSecretsSign() throws {
        let secrets = (0..<50).map { _ in WebhookSignature.newSecret() }
        #expect(Set(secrets).count == 50)
        for secret in secrets {
            #expect(secret.hasPrefix("whsec_"))
            #expect(Data(base64Encoded: String(secret.dropFirst(6)))?.count == 24)
            #expect(WebhookSignature(secret: secret) != nil)
        }
        for bad in ["", "whsec_", "whsec_not base64!", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "sk_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"] {
            #expect(WebhookSignature(secret: bad) == nil, "\(bad)")
        }
    }

    @Test func theMessageBodyCarriesTheChangeAndTheLoggedRecordAsItIs() throws {
        let entry = ChangeFeedEntry(
            seq: 42, created: "2026-12-05 22:45:45.123Z", collectionId: "c1", collectionName: "posts", recordId: "r1",
            action: "update", recordJSON: #"{"id":"r1","n":1.50,"title":"a \"q\""}"#, actor: "u1")
        let message = WebhookMessage(change: entry, webhookId: "w1")
        #expect(message.id == "msg_w1_42" && message.type == "record.update" && message.seq == 42)
        let text = String(decoding: message.body, as: UTF8.self)
        #expect(text.contains(#""record":{"id":"r1","n":1.50,"title":"a \"q\""}"#))
        let json = try JSONValue.parse(text)
        #expect(json["type"] == "record.update")
        #expect(json["timestamp"] == "2026-12-05T22:45:45.123Z")
        #expect(json["data"]?["seq"] == 42 && json["data"]?["collection"] == "posts" && json["data"]?["actor"] == "u1")
    }

    @Test func inputIsCheckedFieldByField() throws {
        var webhook = Webhook(
            id: "w", name: "", url: "", collectionIds: [], actions: ChangeLogEntry.Action.allCases, filter: "", enabled: true,
            headers: [:], secret: "", cursor: 0, consecutiveFailures: 3, disabledReason: "", created: "", updated: "")
        let schema = SchemaSnapshot([], dialect: SQLiteDialect())
        let bad: [String: JSONValue] = [
            "name": "", "url": "ftp://example.com", "collections": ["missing"], "actions": ["create", "upsert"],
            "headers": ["webhook-id": "x", "bad name": "y"], "enabled": "yes",
        ]
        let error = try #require(throws: SwiftbaseError.self) { try WebhookInput.apply(bad, to: &webhook, schema: schema) }
        let fields = Set(error.data.json.objectValue?.keys.map { $0 } ?? [])
        #expect(fields == ["name", "url", "collections", "actions", "headers", "enabled"])
        try WebhookInput.apply(
            ["name": " hook ", "url": "https://example.com/in?x=1", "actions": ["delete", "create"], "headers": ["X-Team": "a"]],
            to: &webhook, schema: schema)
        #expect(webhook.name == "hook" && webhook.url == "https://example.com/in?x=1")
        #expect(webhook.actions == [.create, .delete] && webhook.headers == ["X-Team": "a"])
        // A filter needs collections to be read against.
        #expect(throws: SwiftbaseError.self) { try WebhookInput.apply(["filter": "n > 1"], to: &webhook, schema: schema) }
        for url in ["http://", "https:// spaces.com", "example.com/hook", "javascript:alert(1)"] {
            #expect(!WebhookInput.isTargetURL(url), "\(url)")
        }
    }
}

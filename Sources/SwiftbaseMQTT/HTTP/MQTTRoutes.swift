import Foundation
public import Hummingbird
public import SwiftbaseCore
public import SwiftbaseHTTP

/// `/api/mqtt/clients` for superusers: the broker's sessions (connected or waiting offline), and `DELETE
/// /api/mqtt/clients/{clientID}` to disconnect one (audited as `mqtt.disconnect`).
public struct MQTTRoutes: Sendable {
    let broker: MQTTBroker
    let audit: AuditLog

    public init(broker: MQTTBroker, audit: AuditLog) {
        self.broker = broker
        self.audit = audit
    }

    public func add(to router: Router<SwiftbaseRequestContext>) {
        let broker = broker
        let audit = audit
        router.get("/api/mqtt/clients") { _, context in
            try context.requireSuperuser()
            let items = broker.clients().map(Self.json)
            return JSONResponse.make(["items": .array(items), "totalItems": .number(Double(items.count))])
        }
        router.delete("/api/mqtt/clients/:clientID") { _, context in
            try context.requireSuperuser()
            let clientID = context.parameters.get("clientID").map { $0.removingPercentEscapes() ?? $0 } ?? ""
            guard broker.disconnect(clientID: clientID, now: .now) else {
                throw SwiftbaseError.notFound("No MQTT client with this identifier is connected.")
            }
            audit.record(
                AuditEvent(event: "mqtt.disconnect", actor: context.auth.auditActor, ip: context.clientIP, target: clientID))
            return Response(status: .noContent)
        }
    }

    static func json(_ client: MQTTClientInfo) -> JSONValue {
        [
            "clientId": .string(client.clientID),
            "connected": .bool(client.connected),
            "protocol": client.version.map { .string($0.description) } ?? .null,
            "identity": client.identity.map { .string($0) } ?? .null,
            "keepAlive": client.keepAlive.map { .number(Double($0)) } ?? .null,
            "subscriptions": .array(client.subscriptions.map { .string($0) }),
            "inflight": .number(Double(client.inflight)),
            "queued": .number(Double(client.queued)),
            "sessionExpiryInterval": .number(Double(client.sessionExpiryInterval)),
        ]
    }
}

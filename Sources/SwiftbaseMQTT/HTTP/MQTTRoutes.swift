import Foundation
public import Hummingbird
public import SwiftbaseCore
public import SwiftbaseHTTP

/// `/api/mqtt/clients` for superusers: the broker's sessions (connected or waiting offline); `DELETE
/// /api/mqtt/clients/{clientID}` disconnects one, its session kept for its expiry (audited as `mqtt.disconnect`),
/// and with `?discardSession=true` ends its session too, connected or offline (audited as `mqtt.discard`).
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
        router.delete("/api/mqtt/clients/:clientID") { request, context in
            try context.requireSuperuser()
            let clientID = context.parameters.get("clientID").map { $0.removingPercentEscapes() ?? $0 } ?? ""
            let actor = context.auth.auditActor
            if try Self.discardsSession(request) {
                guard broker.discardSession(clientID: clientID, now: .now) else {
                    throw SwiftbaseError.notFound("No MQTT session with this client identifier.")
                }
                audit.record(AuditEvent(event: "mqtt.discard", actor: actor, ip: context.clientIP, target: clientID))
                return Response(status: .noContent)
            }
            guard broker.disconnect(clientID: clientID, now: .now) else {
                throw SwiftbaseError.notFound("No MQTT client with this identifier is connected.")
            }
            audit.record(AuditEvent(event: "mqtt.disconnect", actor: actor, ip: context.clientIP, target: clientID))
            return Response(status: .noContent)
        }
    }

    /// `?discardSession=true` (or `1`): the session goes too, not only the connection; anything but a boolean is a
    /// 400 rather than a disconnect the caller did not ask for.
    static func discardsSession(_ request: Request) throws(SwiftbaseError) -> Bool {
        guard let value = request.uri.queryParameters.get("discardSession") else { return false }
        switch value.lowercased() {
        case "true", "1": return true
        case "false", "0", "": return false
        default: throw SwiftbaseError(.badRequest, "discardSession must be true or false.")
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

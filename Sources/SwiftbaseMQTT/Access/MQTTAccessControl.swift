import Foundation
public import SwiftbaseCore
import Synchronization

/// Who may publish and subscribe to what: `mqtt.acl` (see `MQTTACL`) and API keys' topic scopes, with rules run by
/// the core's filter machinery (`RecordService.requestRuleAllows`) for the client's identity. Each denial is
/// written to the audit log as `mqtt.denied` — at most once a minute per client, action and topic, so a device
/// retrying in a loop cannot flood it.
///
/// Fast path: the ACL is parsed once per settings change, and a rule's answer is kept per connection (it depends
/// only on the identity, fixed for the connection's life) until the settings change, so most packets are
/// decided without a database read or a suspension.
public final class MQTTAccessControl: Sendable {
    let records: RecordService
    let audit: AuditLog
    private let acl: Mutex<(generation: Int, acl: MQTTACL)>

    public init(settings: SettingsService, records: RecordService, audit: AuditLog) {
        self.records = records
        self.audit = audit
        acl = Mutex((generation: 0, acl: MQTTACL(settings: settings.snapshot)))
        settings.onChange { [weak self] json in
            let parsed = MQTTACL(settings: json)
            self?.acl.withLock { $0 = (generation: $0.generation + 1, acl: parsed) }
        }
    }

    /// The ACL in force, and a number that changes with it.
    var current: (generation: Int, acl: MQTTACL) { acl.withLock { $0 } }

    /// The access state of a connection that was just accepted.
    public func connection(identity: AuthContext, clientID: String, clientIP: String) -> MQTTConnectionAccess {
        MQTTConnectionAccess(control: self, identity: identity, clientID: clientID, clientIP: clientIP)
    }

    /// `connection`, with the ACL's rules already run for it (`MQTTConnectionAccess.prepare`): what a transport
    /// asks for before it answers CONNACK.
    public func preparedConnection(identity: AuthContext, clientID: String, clientIP: String) async
        -> MQTTConnectionAccess
    {
        let access = connection(identity: identity, clientID: clientID, clientIP: clientIP)
        await access.prepare()
        return access
    }

    /// Writes a denial to the audit log (throttled, see the type's comment).
    func recordDenial(_ action: MQTTAction, topic: String, access: MQTTConnectionAccess) {
        let event = AuditEvent(
            event: "mqtt.denied", actor: access.identity.auditActor, ip: access.clientIP, target: topic,
            details: ["action": .string(action.rawValue), "clientId": .string(access.clientID)])
        audit.record(event, atMostEvery: 60, per: access.clientID + "\u{0}" + action.rawValue + "\u{0}" + topic)
    }
}

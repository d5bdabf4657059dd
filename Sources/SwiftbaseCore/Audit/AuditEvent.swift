/// One privileged or security-relevant thing that happened: who (`actor`, e.g. `_superusers:abc…`,
/// `users:xyz…`, `apikey:k1…`, `guest`), from where (`ip`), what (`event`, e.g. `collection.update`,
/// `auth.login_failed`, `rule.denied`), to what (`target`), and the details that matter for that event.
/// Never a password, token or key.
public struct AuditEvent: Sendable, Equatable {
    public var created: String
    public var event: String
    public var actor: String
    public var ip: String
    public var target: String
    public var details: JSONValue

    public init(event: String, actor: String, ip: String, target: String, details: JSONValue = [:], created: String? = nil) {
        self.created = created ?? DateTime.now()
        self.event = event
        self.actor = actor
        self.ip = ip
        self.target = target
        self.details = details
    }
}

/// What an error asks the audit log to remember when it reaches the client (a rule or scope denial, a
/// failed login), filled in with the requester and address by the transport.
public struct AuditNote: Sendable, Equatable {
    public var event: String
    public var target: String

    public init(event: String, target: String) {
        self.event = event
        self.target = target
    }
}

extension AuthContext {
    /// How the audit log names this requester.
    public var auditActor: String {
        switch identity {
        case .guest: return "guest"
        case .apiKey(let grant): return "apikey:" + grant.id
        case .superuser(let record), .record(let record):
            if let grant = apiKey { return "apikey:" + grant.id }
            return (record.collectionName.isEmpty ? "system" : record.collectionName) + ":" + record.id
        }
    }
}

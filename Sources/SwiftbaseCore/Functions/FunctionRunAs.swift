/// Who a function acts as when it calls the records API (`runAs` in its config).
public enum FunctionRunAs: Sendable, Equatable {
    /// The identity of whoever triggered it (an HTTP trigger's caller); rules apply.
    case caller
    /// Nobody: rules apply as to a guest.
    case guest
    /// Every collection, no rules; the change log names the function as the actor.
    case superuser
    /// An API key's reach: superuser inside the scopes, 403 outside; the change log names the function.
    case scopes([APIKeyScope])

    /// The actor the change log records for writes the function makes on its own authority.
    public static func actor(of function: String) -> String { "function:\(function)" }

    /// The identity a call acts with: `caller` for `.caller`, else the function's own.
    public func identity(function: String, caller: AuthContext) -> AuthContext {
        switch self {
        case .caller:
            return caller
        case .guest:
            return .guest
        case .superuser:
            let actor = RecordModel(
                collectionId: FunctionTables.functions, collectionName: FunctionTables.functions,
                values: ["id": .string(Self.actor(of: function))])
            return AuthContext(.superuser(actor))
        case .scopes(let scopes):
            return AuthContext(.apiKey(APIKeyGrant(id: Self.actor(of: function), name: function, scopes: scopes)))
        }
    }

    public var json: JSONValue {
        switch self {
        case .caller: "caller"
        case .guest: "guest"
        case .superuser: "superuser"
        case .scopes(let scopes):
            [
                "scopes": .array(
                    scopes.map { scope in
                        [
                            "collection": .string(scope.collection),
                            "actions": .array(
                                RecordAction.allCases.filter(scope.actions.contains).map { .string($0.rawValue) }),
                        ]
                    })
            ]
        }
    }
}

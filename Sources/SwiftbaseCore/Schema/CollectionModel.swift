/// A collection: its identity, its API rules, its fields and indexes, and (for auth collections) its
/// auth options. One table per collection, one column per field.
public struct CollectionModel: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case base, auth, view
        /// Points in time with tags and values, rolled up per minute and hour (see `TimeSeriesLayout`).
        case timeseries
    }

    public var id: String
    public var name: String
    public var type: Kind
    public var system: Bool
    /// `nil` = superusers only, `""` = anyone, otherwise a filter expression.
    public var listRule: String?
    public var viewRule: String?
    public var createRule: String?
    public var updateRule: String?
    public var deleteRule: String?
    public var fields: [FieldModel]
    /// Raw `CREATE [UNIQUE] INDEX` statements as PocketBase stores them.
    public var indexes: [String]
    public var created: String
    public var updated: String
    /// Only for `view` collections.
    public var viewQuery: String?
    /// Only for `auth` collections.
    public var auth: AuthCollectionOptions?
    /// Only for `timeseries` collections.
    public var timeSeries: TimeSeriesOptions?

    public init(
        id: String = "", name: String, type: Kind = .base, system: Bool = false, listRule: String? = nil,
        viewRule: String? = nil, createRule: String? = nil, updateRule: String? = nil, deleteRule: String? = nil,
        fields: [FieldModel] = [], indexes: [String] = [], created: String = "", updated: String = "",
        viewQuery: String? = nil, auth: AuthCollectionOptions? = nil, timeSeries: TimeSeriesOptions? = nil
    ) {
        self.id = id
        self.name = name
        self.type = type
        self.system = system
        self.listRule = listRule
        self.viewRule = viewRule
        self.createRule = createRule
        self.updateRule = updateRule
        self.deleteRule = deleteRule
        self.fields = fields
        self.indexes = indexes
        self.created = created
        self.updated = updated
        self.viewQuery = viewQuery
        self.auth = auth
        self.timeSeries = timeSeries
    }

    /// Case-insensitive lookup, as PocketBase resolves field names.
    public func field(named name: String) -> FieldModel? {
        if let exact = fields.first(where: { $0.name == name }) { return exact }
        let lower = name.lowercased()
        return fields.first { $0.name.lowercased() == lower }
    }

    public func field(withID id: String) -> FieldModel? {
        fields.first { $0.id == id }
    }

    public var isAuth: Bool { type == .auth }
}

/// Options of an `auth` collection. Keys Swiftbase acts on are typed; every other key of PocketBase's auth
/// options (templates, oauth2, otp, mfa…) is kept verbatim in `extra` so it round-trips.
public struct AuthCollectionOptions: Sendable, Equatable {
    public var authRule: String?
    public var manageRule: String?
    public var passwordIdentityFields: [String]
    public var passwordAuthEnabled: Bool
    /// Seconds an auth token lives.
    public var authTokenDuration: Int
    /// Write-only signing secret of auth tokens (never serialized).
    public var authTokenSecret: String
    /// Seconds a file token lives.
    public var fileTokenDuration: Int
    public var fileTokenSecret: String
    public var extra: [String: JSONValue]

    public init(
        authRule: String? = "", manageRule: String? = nil, passwordIdentityFields: [String] = ["email"],
        passwordAuthEnabled: Bool = true, authTokenDuration: Int = 432_000, authTokenSecret: String,
        fileTokenDuration: Int = 180, fileTokenSecret: String, extra: [String: JSONValue] = [:]
    ) {
        self.authRule = authRule
        self.manageRule = manageRule
        self.passwordIdentityFields = passwordIdentityFields
        self.passwordAuthEnabled = passwordAuthEnabled
        self.authTokenDuration = authTokenDuration
        self.authTokenSecret = authTokenSecret
        self.fileTokenDuration = fileTokenDuration
        self.fileTokenSecret = fileTokenSecret
        self.extra = extra
    }
}

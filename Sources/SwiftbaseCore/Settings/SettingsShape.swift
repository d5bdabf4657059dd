/// The shape of the settings document (`GET`/`PATCH /api/settings`): which keys exist and what each holds.
/// A patch is merged over the stored document the way Go's `encoding/json` fills an existing struct —
/// objects key by key, arrays replaced whole with elements starting from zero values, unknown keys ignored,
/// `null` leaving a value as it is — and a value of the wrong type fails the whole patch.
indirect enum SettingsShape: Sendable {
    case string
    case integer
    /// Any finite number (fractions allowed).
    case number
    case bool
    case strings
    /// A rule: a string, or `null` (nobody), which is kept rather than read as "leave as it is". Zero: `null`.
    case rule
    /// An object of strings under any keys (`mqtt.ingest[].fields`), replaced whole.
    case stringMap
    case list(SettingsShape)
    case object([(key: String, shape: SettingsShape)])

    /// The zero value of this shape (`""`, `0`, `false`, `[]`, an object of zero values).
    var zero: JSONValue {
        switch self {
        case .string: ""
        case .integer, .number: 0
        case .bool: false
        case .strings, .list: []
        case .rule: .null
        case .stringMap: [:]
        case .object(let members): .object(Dictionary(uniqueKeysWithValues: members.map { ($0.key, $0.shape.zero) }))
        }
    }

    struct TypeMismatch: Error {
        var path: String
    }

    /// `patch` merged over `current`; throws `TypeMismatch` where a value cannot be read as this shape.
    func merge(_ patch: JSONValue, over current: JSONValue, path: String = "") throws(TypeMismatch) -> JSONValue {
        if patch == .null { return current }
        switch self {
        case .string:
            guard case .string = patch else { throw TypeMismatch(path: path) }
            return patch
        case .integer:
            guard case .number(let n) = patch, n.rounded() == n, n.magnitude < 9_007_199_254_740_992 else {
                throw TypeMismatch(path: path)
            }
            return patch
        case .number:
            guard case .number(let n) = patch, n.isFinite else { throw TypeMismatch(path: path) }
            return patch
        case .bool:
            guard case .bool = patch else { throw TypeMismatch(path: path) }
            return patch
        case .strings:
            guard case .array(let items) = patch, items.allSatisfy({ if case .string = $0 { true } else { false } })
            else { throw TypeMismatch(path: path) }
            return patch
        case .rule:
            guard case .string = patch else { throw TypeMismatch(path: path) }
            return patch
        case .stringMap:
            guard case .object(let members) = patch, members.values.allSatisfy({ $0.stringValue != nil }) else {
                throw TypeMismatch(path: path)
            }
            return patch
        case .list(let element):
            guard case .array(let items) = patch else { throw TypeMismatch(path: path) }
            var out: [JSONValue] = []
            for (index, item) in items.enumerated() {
                out.append(try element.merge(item, over: element.zero, path: path + ".\(index)"))
            }
            return .array(out)
        case .object(let members):
            guard case .object(let given) = patch else { throw TypeMismatch(path: path) }
            var out = current.objectValue ?? zero.objectValue ?? [:]
            for (key, shape) in members {
                guard let value = given[key] else { continue }
                out[key] = try shape.merge(value, over: out[key] ?? shape.zero, path: path + "." + key)
            }
            return .object(out)
        }
    }
}

extension SettingsShape {
    static let s3: SettingsShape = .object([
        ("enabled", .bool), ("bucket", .string), ("region", .string), ("endpoint", .string), ("accessKey", .string),
        ("secret", .string), ("forcePathStyle", .bool),
    ])

    static let rateLimitRule: SettingsShape = .object([
        ("label", .string), ("audience", .string), ("duration", .integer), ("maxRequests", .integer),
    ])

    /// Every key PocketBase 0.40 has, so its SDKs and dashboards find what they expect.
    static let settings: SettingsShape = .object([
        ("superuserIPs", .strings),
        ("smtp", .object([
            ("enabled", .bool), ("port", .integer), ("host", .string), ("username", .string), ("password", .string),
            ("authMethod", .string), ("tls", .bool), ("localName", .string),
        ])),
        ("backups", .object([("cron", .string), ("cronMaxKeep", .integer), ("s3", s3)])),
        ("s3", s3),
        ("meta", .object([
            ("accentColor", .string), ("appName", .string), ("appURL", .string), ("senderName", .string),
            ("senderAddress", .string), ("hideControls", .bool),
        ])),
        ("rateLimits", .object([("rules", .list(rateLimitRule)), ("excludedIPs", .strings), ("enabled", .bool)])),
        ("trustedProxy", .object([("headers", .strings), ("useLeftmostIP", .bool)])),
        ("batch", .object([("enabled", .bool), ("maxRequests", .integer), ("timeout", .integer), ("maxBodySize", .integer)])),
        // Swiftbase's own: how long the change log keeps entries (days; 0 keeps them forever).
        ("changes", .object([("maxAgeDays", .integer)])),
        // Swiftbase's own: webhook delivery (retries in seconds, failures before disabling, private targets).
        ("webhooks", .object([
            ("retrySchedule", .list(.number)), ("disableAfterFailures", .integer), ("allowPrivateTargets", .bool),
            ("timeout", .number),
        ])),
        // Swiftbase's own: what functions' `http_request` may reach beyond public addresses.
        ("functions", .object([("allowPrivateHosts", .bool)])),
        // Swiftbase's own: whether GraphQL answers introspection (`__schema`, `__type`), and the bounds of one
        // operation (selection depth, fields per selection set, records it may answer, seconds it may run).
        ("graphql", .object([
            ("introspection", .bool), ("maxDepth", .integer), ("maxBreadth", .integer), ("maxCost", .integer),
            ("timeout", .number),
        ])),
        // Swiftbase's own: who may connect to the MQTT broker (anonymous clients; the auth collection logins use),
        // the longest keep-alive it grants (seconds, 0: what the client asks), what clients may publish and
        // subscribe to (`acl`), and which topics become records (`ingest`).
        ("mqtt", .object([
            ("allowAnonymous", .bool), ("authCollection", .string), ("maxKeepAlive", .integer),
            ("acl", .list(.object([("topic", .string), ("publish", .rule), ("subscribe", .rule)]))),
            ("ingest", .list(.object([("topic", .string), ("collection", .string), ("fields", .stringMap)]))),
        ])),
        ("logs", .object([
            ("maxDataSize", .integer), ("maxDays", .integer), ("minLevel", .integer), ("logIP", .bool),
            ("logAuthId", .bool),
        ])),
    ])

    /// Write-only values: stored, used, never answered.
    static let secretPaths: [[String]] = [["smtp", "password"], ["s3", "secret"], ["backups", "s3", "secret"]]

    /// The settings of a new data directory: PocketBase's defaults, value for value.
    static var defaults: JSONValue {
        let merged = try? settings.merge(
            [
                "smtp": ["port": 587, "host": "smtp.example.com"],
                "backups": ["cronMaxKeep": 3],
                "meta": [
                    "accentColor": "#1055c9", "appName": "Acme", "appURL": "http://localhost:8090",
                    "senderName": "Support", "senderAddress": "support@example.com",
                ],
                "rateLimits": [
                    "rules": [
                        ["label": "*:auth", "audience": "", "duration": 3, "maxRequests": 2],
                        ["label": "*:create", "audience": "", "duration": 5, "maxRequests": 20],
                        ["label": "/api/batch", "audience": "", "duration": 1, "maxRequests": 3],
                        ["label": "/api/", "audience": "", "duration": 10, "maxRequests": 300],
                    ]
                ],
                "batch": ["maxRequests": 50, "timeout": 3],
                "changes": ["maxAgeDays": 7],
                "webhooks": [
                    "retrySchedule": .array(WebhookSettings.defaultRetrySchedule.map { .number($0) }),
                    "disableAfterFailures": 20, "timeout": 10,
                ],
                "graphql": [
                    "introspection": true, "maxDepth": .number(Double(GraphQLSettings.defaults.maxDepth)),
                    "maxBreadth": .number(Double(GraphQLSettings.defaults.maxBreadth)),
                    "maxCost": .number(Double(GraphQLSettings.defaults.maxCost)),
                    "timeout": .number(GraphQLSettings.defaults.timeout),
                ],
                "logs": ["maxDays": 5, "logIP": true],
            ], over: settings.zero)
        return merged ?? settings.zero
    }
}

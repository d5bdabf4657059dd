import Synchronization

/// The app settings (`_params` row `settings`), as PocketBase keeps them: one JSON document with every key
/// of `SettingsShape`, PocketBase's defaults for a new data directory, secrets stored but never answered.
/// Reads come from an in-memory snapshot (no database hop on the request path); a save validates, stores,
/// swaps the snapshot and tells the listeners (the rate limiter resets its counters).
public final class SettingsService: Sendable {
    let store: any Store
    private let current = Mutex<JSONValue>(SettingsShape.defaults)
    /// `trustedProxy` read once per change, as every request asks for it.
    private let proxy = Mutex<TrustedProxy>(.none)
    /// `superuserIPs` parsed once per change: every request with a superuser's credential asks.
    private let superuserIPs = Mutex<IPAllowList>(IPAllowList([])!)
    private let listeners = Mutex<[@Sendable (JSONValue) -> Void]>([])
    private let validators = Mutex<[@Sendable (JSONValue) -> [String: ErrorData]]>([])

    static let paramID = "settings"
    static let saveFailed = "An error occurred while saving the new settings."
    static let loadFailed = "An error occurred while loading the submitted data."

    /// With `encryptionKey` (32 bytes, checked by the caller with `PocketBaseSettingsCipher.validate`), every
    /// save stores the settings sealed under it, as PocketBase's `--encryptionEnv` does; without, in plain JSON.
    public init(store: any Store, encryptionKey: String? = nil) {
        self.store = store
        self.encryptionKey = encryptionKey
    }

    let encryptionKey: String?

    /// Loads the stored settings (over the defaults, so keys added since are filled in). Stored settings that are
    /// not plain JSON are opened with the key: without it, or with another one, the load fails
    /// (`SettingsLoadFailure`) rather than start on defaults that the next save would write over them. Plain
    /// settings load with or without a key, and are sealed at the first save once a key is given.
    public func load() async throws {
        let stored = try await store.read { conn in
            try conn.scalar(
                SQLFragment(unsafeRaw: #"SELECT "value" FROM "_params" WHERE "id" = ?"#, arguments: [.text(Self.paramID)]))
        }
        guard let text = stored?.textValue, let json = try plainOrOpened(text),
            let merged = try? SettingsShape.settings.merge(json, over: SettingsShape.defaults)
        else { return }
        current.withLock { $0 = merged }
        proxy.withLock { $0 = TrustedProxy(settings: merged) }
        superuserIPs.withLock { $0 = Self.superuserIPs(in: merged) }
        notify(merged)
    }

    /// Calls `listener` after every successful save (and load) with the new settings.
    public func onChange(_ listener: @escaping @Sendable (JSONValue) -> Void) {
        listeners.withLock { $0.append(listener) }
    }

    /// Adds checks a module makes on a settings document before it is saved (the MQTT ACL's topics and rules):
    /// `validate` answers field errors keyed by section, merged into PocketBase's nested error shape.
    public func addValidator(_ validate: @escaping @Sendable (JSONValue) -> [String: ErrorData]) {
        validators.withLock { $0.append(validate) }
    }

    /// The settings with their secrets, for the server's own use.
    public var snapshot: JSONValue { current.withLock { $0 } }

    /// Which headers name the client behind a proxy (see `TrustedProxy`).
    public var trustedProxy: TrustedProxy { proxy.withLock { $0 } }

    /// Whether a superuser may act from `clientIP` (the trusted proxy's answer, else the peer): always when
    /// `superuserIPs` is empty, else only from a listed address or subnet — PocketBase's whitelist, checked on
    /// every request made with a superuser's credential and on every superuser login.
    public func allowsSuperuser(from clientIP: String) -> Bool {
        superuserIPs.withLock { list in list.isEmpty || list.contains(clientIP) }
    }

    /// Replaces `superuserIPs` (the CLI's `superuser ips`; no addresses clears the restriction), validated as
    /// a settings save is.
    public func setSuperuserIPs(_ addresses: [String]) async throws {
        _ = try await update(["superuserIPs": .array(addresses.map(JSONValue.string))])
    }

    private static func superuserIPs(in settings: JSONValue) -> IPAllowList {
        IPAllowList(settings["superuserIPs"]?.arrayValue?.compactMap(\.stringValue) ?? []) ?? IPAllowList([])!
    }

    /// The settings as the API answers them: secrets left out.
    public var publicJSON: JSONValue {
        var json = snapshot
        for path in SettingsShape.secretPaths { json = Self.removing(path[...], from: json) }
        return json
    }

    /// Merges `patch` over the current settings, validates and stores the result. Nothing changes when it
    /// fails: a value of the wrong type is a loading error, a rule broken a validation error.
    @discardableResult
    public func update(_ patch: JSONValue) async throws -> JSONValue {
        let merged: JSONValue
        do {
            merged = try SettingsShape.settings.merge(patch, over: snapshot)
        } catch {
            throw SwiftbaseError.badRequest(Self.loadFailed)
        }
        var errors = SettingsValidator.errors(merged)
        for validate in validators.withLock({ $0 }) {
            for (key, found) in validate(merged) {
                if case .fields(let earlier)? = errors[key], case .fields(let more) = found {
                    errors[key] = .fields(earlier.merging(more) { first, _ in first })
                } else if errors[key] == nil {
                    errors[key] = found
                }
            }
        }
        if !errors.isEmpty { throw SwiftbaseError.validation(Self.saveFailed, .fields(errors)) }
        try await save(merged)
        return publicJSON
    }

    /// Renames `old:` tags in rate-limit labels to `new:` after a collection is renamed, as PocketBase does.
    public func renameCollectionLabels(from old: String, to new: String) async throws {
        var settings = snapshot
        guard case .array(let rules)? = settings["rateLimits"]?["rules"] else { return }
        var changed = false
        let renamed = rules.map { rule -> JSONValue in
            guard case .object(var object) = rule, let label = object["label"]?.stringValue, label.hasPrefix(old + ":")
            else { return rule }
            object["label"] = .string(new + ":" + label.dropFirst(old.count + 1))
            changed = true
            return .object(object)
        }
        guard changed, case .object(var root) = settings, case .object(var limits)? = root["rateLimits"] else { return }
        limits["rules"] = .array(renamed)
        root["rateLimits"] = .object(limits)
        settings = .object(root)
        try await save(settings)
    }

    /// `meta` as the mailer needs it.
    public var mailSettings: MailSettings {
        let meta = snapshot["meta"]
        return MailSettings(
            appName: meta?["appName"]?.stringValue ?? "Acme", appURL: meta?["appURL"]?.stringValue ?? "",
            senderName: meta?["senderName"]?.stringValue ?? "", senderAddress: meta?["senderAddress"]?.stringValue ?? "")
    }

    /// The limiter's view of `rateLimits`.
    /// How many days the change log keeps entries; 0 keeps them forever.
    public var changesMaxAgeDays: Int {
        Int(saturating: snapshot["changes"]?["maxAgeDays"]?.doubleValue ?? 7)
    }

    package var rateLimitPolicy: RateLimitPolicy {
        Self.policy(from: snapshot)
    }

    static func policy(from settings: JSONValue) -> RateLimitPolicy {
        let limits = settings["rateLimits"]
        let rules = (limits?["rules"]?.arrayValue ?? []).map(RateLimitRule.init(json:))
        let excluded = IPAllowList(limits?["excludedIPs"]?.arrayValue?.compactMap(\.stringValue) ?? []) ?? IPAllowList([])!
        return RateLimitPolicy(enabled: limits?["enabled"]?.boolValue ?? false, rules: rules, excludedIPs: excluded)
    }

    private func save(_ settings: JSONValue) async throws {
        let now = DateTime.now()
        let stored = try storedText(settings)
        try await store.write { conn in
            try conn.execute(
                SQLFragment(
                    unsafeRaw: """
                        INSERT INTO "_params" ("id", "value", "created", "updated") VALUES (?, ?, ?, ?)
                        ON CONFLICT ("id") DO UPDATE SET "value" = excluded."value", "updated" = excluded."updated"
                        """,
                    arguments: [.text(Self.paramID), .text(stored), .text(now), .text(now)]))
        }
        current.withLock { $0 = settings }
        proxy.withLock { $0 = TrustedProxy(settings: settings) }
        superuserIPs.withLock { $0 = Self.superuserIPs(in: settings) }
        notify(settings)
    }

    /// The settings document in `text`: plain JSON as is, else opened with the key. Nil for a plain value that
    /// is not a settings object (left to the defaults, as before).
    private func plainOrOpened(_ text: String) throws(SettingsLoadFailure) -> JSONValue? {
        if let json = try? JSONValue.parse(text) { return json.objectValue == nil ? nil : json }
        guard let encryptionKey else { throw .encryptedWithoutKey }
        guard let plain = try? PocketBaseSettingsCipher.open(text, key: encryptionKey),
            let json = try? JSONValue.parse(String(decoding: plain, as: UTF8.self)), json.objectValue != nil
        else { throw .wrongKey }
        return json
    }

    /// What is written to `_params`: the JSON, sealed when there is a key.
    private func storedText(_ settings: JSONValue) throws -> String {
        guard let encryptionKey else { return settings.jsonString }
        do {
            return try PocketBaseSettingsCipher.seal(settings.jsonBytes, key: encryptionKey)
        } catch {
            throw SwiftbaseError.badRequest(Self.saveFailed)
        }
    }

    private func notify(_ settings: JSONValue) {
        for listener in listeners.withLock({ $0 }) { listener(settings) }
    }

    private static func removing(_ path: ArraySlice<String>, from json: JSONValue) -> JSONValue {
        guard let key = path.first, case .object(var object) = json else { return json }
        if path.count == 1 {
            object[key] = nil
        } else if let child = object[key] {
            object[key] = removing(path.dropFirst(), from: child)
        }
        return .object(object)
    }
}

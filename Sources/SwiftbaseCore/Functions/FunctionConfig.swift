/// A function's configuration as deployed (`config` of `POST /api/functions`): its triggers, the plug-in's
/// config strings, limits, identity and the hosts `http_request` may reach.
public struct FunctionConfig: Sendable, Equatable {
    public var triggers: [FunctionTrigger] = []
    /// Read by the plug-in with `config_get`.
    public var config: [String: String] = [:]
    public var limits = FunctionLimits()
    /// Who the function acts as; `nil` when not given (see `runAs(for:)`).
    public var runAs: FunctionRunAs?
    public var allowedHosts: [String] = []

    public init() {}

    public static let keys: Set<String> = ["triggers", "config", "limits", "runAs", "allowedHosts"]

    /// The identity for calls from `trigger` when `runAs` is not given: the caller's for HTTP, a guest's
    /// otherwise (a hook or a schedule has no caller).
    public func runAs(for trigger: FunctionTrigger) -> FunctionRunAs {
        if let runAs { return runAs }
        if case .http = trigger { return .caller }
        return .guest
    }

    /// The exports the triggers call.
    public var exports: Set<String> { Set(triggers.map(\.export)) }

    /// The record hooks that run from the change log.
    public var afterHooks: [FunctionRecordTrigger] {
        triggers.compactMap { if case .record(let hook) = $0, hook.when == .after { hook } else { nil } }
    }

    /// The record hooks that run inside the write transaction.
    public var beforeHooks: [FunctionRecordTrigger] {
        triggers.compactMap { if case .record(let hook) = $0, hook.when == .before { hook } else { nil } }
    }

    public var hasAfterHooks: Bool { !afterHooks.isEmpty }

    public var hasHTTPTrigger: Bool { triggers.contains { if case .http = $0 { true } else { false } } }

    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "triggers": .array(triggers.map(\.json)),
            "config": .object(config.mapValues { .string($0) }),
            "limits": limits.json,
            "allowedHosts": .array(allowedHosts.map { .string($0) }),
        ]
        object["runAs"] = runAs?.json ?? .null
        return .object(object)
    }

    /// Parses a config object, keeping what `base` has for keys it does not name (a PATCH). Every problem is
    /// reported at once, under `data.config.<key>` in PocketBase's validation shape. Collections are checked
    /// against `schema`; a stored config is read back with none (a collection may have gone since).
    public static func parse(
        _ json: JSONValue, over base: FunctionConfig = FunctionConfig(), schema: SchemaSnapshot?,
        failure: String
    ) throws(SwiftbaseError) -> FunctionConfig {
        guard let object = json.objectValue else {
            throw SwiftbaseError.validation(
                failure, .fields(["config": .item(ErrorItem("validation_invalid_config", "Must be a JSON object."))]))
        }
        var parsed = base
        var errors: [String: ErrorData] = [:]
        for key in object.keys where !keys.contains(key) {
            errors[key] = .item(ErrorItem("validation_unknown_key", "Unknown key; expected one of \(keys.sorted())."))
        }
        if let value = object["triggers"] {
            do { parsed.triggers = try FunctionConfigParsing.triggers(value, schema: schema) } catch {
                errors["triggers"] = error.data
            }
        }
        if let value = object["config"] {
            do { parsed.config = try FunctionConfigParsing.strings(value) } catch { errors["config"] = error.data }
        }
        if let value = object["limits"] {
            do { parsed.limits = try FunctionConfigParsing.limits(value, over: base.limits) } catch {
                errors["limits"] = error.data
            }
        }
        if let value = object["runAs"] {
            do { parsed.runAs = try FunctionConfigParsing.runAs(value, schema: schema) } catch {
                errors["runAs"] = error.data
            }
        }
        if let value = object["allowedHosts"] {
            do { parsed.allowedHosts = try FunctionConfigParsing.hosts(value) } catch {
                errors["allowedHosts"] = error.data
            }
        }
        if !errors.isEmpty { throw SwiftbaseError.validation(failure, .fields(["config": .fields(errors)])) }
        return parsed
    }
}

import Testing

@testable import SwiftbaseCore

@Suite("Function config")
struct FunctionConfigTests {
    static func parse(_ json: JSONValue, over base: FunctionConfig = FunctionConfig()) throws -> FunctionConfig {
        try FunctionConfig.parse(json, over: base, schema: nil, failure: "Failed.")
    }

    /// The `data` of the validation error `json` is refused with.
    static func refusal(_ json: JSONValue) -> JSONValue? {
        do {
            _ = try parse(json)
            return nil
        } catch let error as SwiftbaseError {
            return error.data.json
        } catch {
            return nil
        }
    }

    @Test func anEmptyConfigHasTheSafeDefaults() throws {
        let config = try Self.parse([:])
        #expect(config.triggers.isEmpty && config.config.isEmpty && config.allowedHosts.isEmpty && config.runAs == nil)
        #expect(config.limits == FunctionLimits())
        #expect(
            (config.limits.fuel, config.limits.memoryMB, config.limits.timeoutMs, config.limits.concurrency)
                == (100_000_000, 64, 10_000, 8))
    }

    @Test func triggersParseWithTheirDefaults() throws {
        let config = try Self.parse([
            "triggers": [
                ["type": "http"],
                ["type": "record", "collection": "posts", "when": "before", "actions": ["create"], "export": "check"],
                ["type": "record", "collection": "posts", "when": "after"],
                ["type": "cron", "schedule": "*/5 * * * *"],
            ]
        ])
        #expect(config.triggers.count == 4)
        #expect(config.triggers[0] == .http(export: "handle"))
        #expect(config.beforeHooks == [FunctionRecordTrigger(collection: "posts", actions: [.create], when: .before, export: "check")])
        #expect(config.afterHooks.map(\.actions) == [Set(RecordHookAction.allCases)])
        #expect(config.triggers[3] == .cron(schedule: "*/5 * * * *", export: "handle"))
        #expect(config.exports == ["handle", "check"])
        #expect(config.hasAfterHooks && config.hasHTTPTrigger)
    }

    @Test func runAsDefaultsToTheCallerForHTTPAndAGuestOtherwise() throws {
        let config = try Self.parse([:])
        #expect(config.runAs(for: .http(export: "handle")) == .caller)
        #expect(config.runAs(for: .cron(schedule: "@daily", export: "handle")) == .guest)
        let scoped = try Self.parse(["runAs": ["scopes": [["collection": "posts", "actions": ["list", "create"]]]]])
        #expect(scoped.runAs == .scopes([APIKeyScope(collection: "posts", actions: [.list, .create])]))
        #expect(scoped.runAs(for: .http(export: "handle")) == scoped.runAs)
    }

    @Test func aFunctionsOwnIdentityNamesItAsTheActor() throws {
        let superuser = FunctionRunAs.superuser.identity(function: "hello", caller: .guest)
        #expect(superuser.isSuperuser && !superuser.isSystem && superuser.record?.id == "function:hello")
        let scoped = FunctionRunAs.scopes([APIKeyScope(collection: "*", actions: [.view])])
            .identity(function: "hello", caller: .guest)
        guard case .apiKey(let grant) = scoped.identity else {
            Issue.record("a scoped function acts as an API key")
            return
        }
        #expect(grant.id == "function:hello")
        let caller = AuthContext(.record(RecordModel(collectionId: "users", collectionName: "users", values: ["id": "u1"])))
        #expect(FunctionRunAs.caller.identity(function: "hello", caller: caller) == caller)
        #expect(FunctionRunAs.guest.identity(function: "hello", caller: caller) == .guest)
    }

    @Test func aPatchKeepsWhatItDoesNotName() throws {
        let base = try Self.parse(["triggers": [["type": "http"]], "config": ["a": "1"], "limits": ["timeoutMs": 500]])
        let patched = try Self.parse(["config": ["b": 2, "c": true]], over: base)
        #expect(patched.triggers == base.triggers && patched.limits.timeoutMs == 500)
        #expect(patched.config == ["b": "2", "c": "true"])
        let limits = try Self.parse(["limits": ["fuel": 1e15]], over: base)
        #expect(limits.limits.fuel == 1_000_000_000_000_000 && limits.limits.timeoutMs == 500)
    }

    @Test func everyProblemIsReportedUnderItsKey() {
        let data = Self.refusal([
            "triggers": [["type": "http"], ["type": "webhook"], ["type": "cron", "schedule": "61 * * * *"],
                ["type": "record", "collection": "posts", "when": "later", "actions": ["create", "upsert"]]],
            "config": ["nested": ["no": 1]],
            "limits": ["timeoutMs": 0, "memoryMB": 1.5, "cpu": 1],
            "runAs": "root",
            "allowedHosts": ["ok.example.com", "http://bad/"],
            "extra": 1,
        ])
        let config = data?["config"]
        #expect(config?["triggers"]?["0"] == nil)
        #expect(config?["triggers"]?["1"]?["type"]?["code"] == "validation_invalid_type")
        #expect(config?["triggers"]?["2"]?["schedule"]?["code"] == "validation_invalid_cron")
        #expect(config?["triggers"]?["3"]?["when"]?["code"] == "validation_invalid_when")
        #expect(config?["triggers"]?["3"]?["actions"]?["code"] == "validation_invalid_actions")
        #expect(config?["config"]?["nested"]?["code"] == "validation_invalid_value")
        #expect(config?["limits"]?["timeoutMs"]?["code"] == "validation_out_of_range")
        #expect(config?["limits"]?["memoryMB"]?["code"] == "validation_out_of_range")
        #expect(config?["limits"]?["cpu"]?["code"] == "validation_unknown_key")
        #expect(config?["runAs"]?["code"] == "validation_invalid_run_as")
        #expect(config?["allowedHosts"]?["code"] == "validation_invalid_hosts")
        #expect(config?["extra"]?["code"] == "validation_unknown_key")
    }

    @Test(arguments: [
        ("handle", true), ("_start", true), ("on_post2", true), ("", false), ("2x", false), ("a-b", false),
        (String(repeating: "a", count: 129), false),
    ])
    func exportNames(name: String, valid: Bool) {
        #expect(FunctionConfigParsing.isExportName(name) == valid)
    }

    @Test(arguments: [
        ("*", true), ("api.example.com", true), ("*.example.com", true), ("127.0.0.1", true), ("", false),
        ("http://x", false), ("a b", false), ("*.", false), ("-x.com", false),
    ])
    func hostPatterns(host: String, valid: Bool) {
        #expect(FunctionConfigParsing.isHostPattern(host) == valid)
    }

    @Test(arguments: [
        ("hello", true), ("a", true), ("my-fn_2", true), ("", false), ("Hello", false), ("1fn", false),
        ("a/b", false), (String(repeating: "a", count: 64), false), (String(repeating: "a", count: 63), true),
    ])
    func functionNames(name: String, valid: Bool) {
        #expect(FunctionService.isValidName(name) == valid)
    }
}

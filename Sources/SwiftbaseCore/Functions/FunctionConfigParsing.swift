/// The field parsers behind `FunctionConfig.parse`; each throws the `data` of its key.
enum FunctionConfigParsing {
    struct Invalid: Error {
        let data: ErrorData
        init(_ data: ErrorData) { self.data = data }
        init(_ code: String, _ message: String) { data = .item(ErrorItem(code, message)) }
    }

    /// An identifier a C or Rust export can have: a letter or `_`, then letters, digits and `_`.
    static func isExportName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, (1...128).contains(name.unicodeScalars.count) else { return false }
        let letter = { (c: Unicode.Scalar) in (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_" }
        return letter(first) && name.unicodeScalars.allSatisfy { letter($0) || ($0 >= "0" && $0 <= "9") }
    }

    /// A host name, or one with a leading `*.`, or `*` alone (Extism's `allowed_hosts` globs).
    static func isHostPattern(_ host: String) -> Bool {
        if host == "*" { return true }
        let name = host.hasPrefix("*.") ? String(host.dropFirst(2)) : host
        guard (1...253).contains(name.utf8.count), !name.hasPrefix("."), !name.hasSuffix("."), !name.hasPrefix("-")
        else { return false }
        return name.unicodeScalars.allSatisfy {
            ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || $0 == "-" || $0 == "."
        }
    }

    static func triggers(_ json: JSONValue, schema: SchemaSnapshot?) throws(Invalid) -> [FunctionTrigger] {
        guard let items = json.arrayValue else { throw Invalid("validation_invalid_triggers", "Must be a list.") }
        var triggers: [FunctionTrigger] = []
        var errors: [String: ErrorData] = [:]
        for (index, item) in items.enumerated() {
            do { triggers.append(try trigger(item, schema: schema)) } catch { errors[String(index)] = error.data }
        }
        if !errors.isEmpty { throw Invalid(.fields(errors)) }
        return triggers
    }

    static func trigger(_ json: JSONValue, schema: SchemaSnapshot?) throws(Invalid) -> FunctionTrigger {
        guard let object = json.objectValue else { throw Invalid("validation_invalid_trigger", "Must be an object.") }
        var errors: [String: ErrorData] = [:]
        var export = FunctionTrigger.defaultExport
        if let value = object["export"] {
            if let name = value.stringValue, isExportName(name) {
                export = name
            } else {
                errors["export"] = .item(ErrorItem("validation_invalid_export", "Must be the name of an export."))
            }
        }
        let allowed: Set<String>
        let type = object["type"]?.stringValue ?? ""
        var result: FunctionTrigger?
        switch type {
        case "http":
            allowed = ["type", "export"]
            result = .http(export: export)
        case "record":
            allowed = ["type", "export", "collection", "actions", "when"]
            let name = object["collection"]?.stringValue ?? ""
            if name.isEmpty {
                errors["collection"] = .item(.required)
            } else if let schema, schema.collection(name) == nil {
                errors["collection"] = .item(ErrorItem("validation_missing_collection", "Missing collection \"\(name)\"."))
            }
            var actions = Set(RecordHookAction.allCases)
            if let value = object["actions"] {
                let names = value.arrayValue?.compactMap(\.stringValue) ?? []
                let parsed = names.compactMap(RecordHookAction.init(rawValue:))
                if names.isEmpty || parsed.count != value.arrayValue?.count {
                    errors["actions"] = .item(
                        ErrorItem("validation_invalid_actions", "Must be a list of create, update and delete."))
                } else {
                    actions = Set(parsed)
                }
            }
            let whenText = object["when"]?.stringValue ?? ""
            let when = FunctionRecordTrigger.When(rawValue: whenText)
            if when == nil {
                errors["when"] = .item(ErrorItem("validation_invalid_when", "Must be \"before\" or \"after\"."))
            }
            if let when, errors.isEmpty {
                result = .record(FunctionRecordTrigger(collection: name, actions: actions, when: when, export: export))
            }
        case "cron":
            allowed = ["type", "export", "schedule"]
            let schedule = object["schedule"]?.stringValue ?? ""
            if schedule.isEmpty {
                errors["schedule"] = .item(.required)
            } else {
                do {
                    result = .cron(schedule: try CronSchedule(parsing: schedule).expression, export: export)
                } catch {
                    errors["schedule"] = .item(ErrorItem("validation_invalid_cron", error.message))
                }
            }
        default:
            allowed = ["type"]
            errors["type"] = .item(ErrorItem("validation_invalid_type", "Must be \"http\", \"record\" or \"cron\"."))
        }
        for key in object.keys where !allowed.contains(key) && errors["type"] == nil {
            errors[key] = .item(ErrorItem("validation_unknown_key", "Unknown key for a \(type) trigger."))
        }
        guard errors.isEmpty, let result else { throw Invalid(.fields(errors)) }
        return result
    }

    static func strings(_ json: JSONValue) throws(Invalid) -> [String: String] {
        guard let object = json.objectValue else { throw Invalid("validation_invalid_config", "Must be an object.") }
        var strings: [String: String] = [:]
        var errors: [String: ErrorData] = [:]
        for (key, value) in object {
            switch value {
            case .string(let text): strings[key] = text
            case .number, .bool: strings[key] = value.jsonString
            default: errors[key] = .item(ErrorItem("validation_invalid_value", "Must be a string."))
            }
        }
        if !errors.isEmpty { throw Invalid(.fields(errors)) }
        return strings
    }

    static func limits(_ json: JSONValue, over base: FunctionLimits) throws(Invalid) -> FunctionLimits {
        guard let object = json.objectValue else { throw Invalid("validation_invalid_limits", "Must be an object.") }
        var limits = base
        var errors: [String: ErrorData] = [:]
        func integer(_ key: String, _ range: ClosedRange<Double>) -> Int? {
            guard let value = object[key] else { return nil }
            guard let number = value.doubleValue, number.rounded() == number, range.contains(number) else {
                errors[key] = .item(
                    ErrorItem(
                        "validation_out_of_range",
                        "Must be a whole number from \(Int64(range.lowerBound)) to \(Int64(range.upperBound))."))
                return nil
            }
            return Int(number)
        }
        if let fuel = integer("fuel", 1_000...1e18) { limits.fuel = UInt64(fuel) }
        if let memory = integer("memoryMB", 1...4_096) { limits.memoryMB = memory }
        if let timeout = integer("timeoutMs", 1...600_000) { limits.timeoutMs = timeout }
        if let concurrency = integer("concurrency", 1...1_024) { limits.concurrency = concurrency }
        for key in object.keys where !["fuel", "memoryMB", "timeoutMs", "concurrency"].contains(key) {
            errors[key] = .item(ErrorItem("validation_unknown_key", "Unknown limit."))
        }
        if !errors.isEmpty { throw Invalid(.fields(errors)) }
        return limits
    }

    static func runAs(_ json: JSONValue, schema: SchemaSnapshot?) throws(Invalid) -> FunctionRunAs? {
        switch json {
        case .null: return nil
        case .string("caller"): return .caller
        case .string("guest"): return .guest
        case .string("superuser"): return .superuser
        case .object(let object) where object.keys.sorted() == ["scopes"]:
            guard let items = object["scopes"]?.arrayValue, !items.isEmpty else {
                throw Invalid(.fields(["scopes": .item(.required)]))
            }
            var scopes: [APIKeyScope] = []
            var errors: [String: ErrorData] = [:]
            for (index, item) in items.enumerated() {
                let collection = item["collection"]?.stringValue ?? ""
                let names = item["actions"]?.arrayValue?.compactMap(\.stringValue) ?? []
                let actions = names.compactMap(RecordAction.init(rawValue:))
                var itemErrors: [String: ErrorData] = [:]
                if collection.isEmpty {
                    itemErrors["collection"] = .item(.required)
                } else if collection != "*", let schema {
                    let target = schema.collection(collection)
                    if target == nil || target?.id == SystemCollections.superusersID {
                        itemErrors["collection"] = .item(
                            ErrorItem("validation_invalid_collection", "Missing or not allowed collection."))
                    }
                }
                if names.isEmpty || actions.count != names.count { itemErrors["actions"] = .item(.inInvalid) }
                if itemErrors.isEmpty {
                    scopes.append(APIKeyScope(collection: collection, actions: Set(actions)))
                } else {
                    errors[String(index)] = .fields(itemErrors)
                }
            }
            if !errors.isEmpty { throw Invalid(.fields(["scopes": .fields(errors)])) }
            return .scopes(scopes)
        default:
            throw Invalid(
                "validation_invalid_run_as", "Must be \"caller\", \"guest\", \"superuser\" or {\"scopes\": [...]}.")
        }
    }

    static func hosts(_ json: JSONValue) throws(Invalid) -> [String] {
        guard let items = json.arrayValue else { throw Invalid("validation_invalid_hosts", "Must be a list.") }
        let hosts = items.compactMap(\.stringValue)
        guard hosts.count == items.count, hosts.allSatisfy(isHostPattern) else {
            throw Invalid("validation_invalid_hosts", "Must be host names (a leading *. matches subdomains).")
        }
        return hosts.map { $0.lowercased() }
    }
}

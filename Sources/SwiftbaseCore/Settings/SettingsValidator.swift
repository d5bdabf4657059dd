import Foundation

/// Checks a settings document as PocketBase does, field by field, into its nested error shape
/// (`{"meta": {"appURL": {code, message}}, "rateLimits": {"rules": {"0": {…}}}}`).
enum SettingsValidator {
    static func errors(_ settings: JSONValue) -> [String: ErrorData] {
        var errors: [String: ErrorData] = [:]
        func section(_ key: String, _ check: (JSONValue) -> [String: ErrorData]) {
            let found = check(settings[key] ?? [:])
            if !found.isEmpty { errors[key] = .fields(found) }
        }
        if let ips = ipListErrors(settings["superuserIPs"]) { errors["superuserIPs"] = ips }
        section("meta", meta)
        section("logs", logs)
        section("changes", changes)
        section("webhooks", webhooks)
        section("graphql", graphql)
        section("smtp", smtp)
        section("s3", s3)
        section("backups", backups)
        section("batch", batch)
        section("rateLimits", rateLimits)
        return errors
    }

    // MARK: - Sections

    static func meta(_ meta: JSONValue) -> [String: ErrorData] {
        var e: [String: ErrorData] = [:]
        let accent = text(meta, "accentColor")
        if !accent.isEmpty {
            if accent.count != 7 {
                e["accentColor"] = .item(ErrorItem("validation_length_invalid", "The length must be exactly 7.", params: ["max": 7, "min": 7]))
            } else if !isHexColor(accent) {
                e["accentColor"] = .item(ErrorItem("validation_is_hex_color", "Must be a valid hexadecimal color code."))
            }
        }
        for key in ["appName", "senderName"] {
            let value = text(meta, key)
            if value.isEmpty { e[key] = .item(.required) } else if value.count > 255 {
                e[key] = .item(.lengthOutOfRange(min: 1, max: 255))
            }
        }
        let url = text(meta, "appURL")
        if url.isEmpty { e["appURL"] = .item(.required) } else if !AddressFormat.isURL(url) { e["appURL"] = .item(isURL) }
        let sender = text(meta, "senderAddress")
        if sender.isEmpty { e["senderAddress"] = .item(.required) } else if !AddressFormat.isEmail(sender) {
            e["senderAddress"] = .item(.isEmail)
        }
        return e
    }

    static func changes(_ changes: JSONValue) -> [String: ErrorData] {
        integer(changes, "maxAgeDays") < 0 ? ["maxAgeDays": .item(minimum(0))] : [:]
    }

    static func graphql(_ graphql: JSONValue) -> [String: ErrorData] {
        var e: [String: ErrorData] = [:]
        for key in ["maxDepth", "maxBreadth", "maxCost"] where graphql[key] != nil && integer(graphql, key) < 1 {
            e[key] = .item(minimum(1))
        }
        if let timeout = graphql["timeout"]?.doubleValue, timeout < 0.1 || timeout > 300 {
            e["timeout"] = .item(ErrorItem("validation_out_of_range", "Must be between 0.1 and 300 seconds."))
        }
        return e
    }

    static func webhooks(_ webhooks: JSONValue) -> [String: ErrorData] {
        var e: [String: ErrorData] = [:]
        let schedule = webhooks["retrySchedule"]?.arrayValue ?? []
        if schedule.count > 20 {
            e["retrySchedule"] = .item(ErrorItem("validation_length_too_long", "At most 20 retries.", params: ["max": 20]))
        }
        var items: [String: ErrorData] = [:]
        for (index, item) in schedule.enumerated() {
            let seconds = item.doubleValue ?? -1
            if seconds < 0 || seconds > 7 * 86_400 {
                items[String(index)] = .item(ErrorItem("validation_out_of_range", "Must be between 0 and 604800 seconds."))
            }
        }
        if !items.isEmpty { e["retrySchedule"] = .fields(items) }
        if integer(webhooks, "disableAfterFailures") < 0 { e["disableAfterFailures"] = .item(minimum(0)) }
        let timeout = webhooks["timeout"]?.doubleValue ?? 10
        if timeout < 0.1 || timeout > 300 {
            e["timeout"] = .item(ErrorItem("validation_out_of_range", "Must be between 0.1 and 300 seconds."))
        }
        return e
    }

    static func logs(_ logs: JSONValue) -> [String: ErrorData] {
        var e: [String: ErrorData] = [:]
        for key in ["maxDataSize", "maxDays"] where integer(logs, key) < 0 { e[key] = .item(minimum(0)) }
        return e
    }

    static func smtp(_ smtp: JSONValue) -> [String: ErrorData] {
        var e: [String: ErrorData] = [:]
        let enabled = flag(smtp, "enabled")
        let host = text(smtp, "host")
        if enabled && host.isEmpty { e["host"] = .item(.required) } else if !host.isEmpty && !isHost(host) { e["host"] = .item(isHostError) }
        let port = integer(smtp, "port")
        if enabled && port == 0 { e["port"] = .item(.required) } else if port < 0 { e["port"] = .item(minimum(0)) }
        let method = text(smtp, "authMethod")
        if !method.isEmpty && method != "PLAIN" && method != "LOGIN" { e["authMethod"] = .item(.inInvalid) }
        let localName = text(smtp, "localName")
        if !localName.isEmpty && !isHost(localName) { e["localName"] = .item(isHostError) }
        return e
    }

    static func s3(_ s3: JSONValue) -> [String: ErrorData] {
        var e: [String: ErrorData] = [:]
        let enabled = flag(s3, "enabled")
        for key in ["endpoint", "bucket", "region", "accessKey", "secret"] where enabled && text(s3, key).isEmpty {
            e[key] = .item(.required)
        }
        let endpoint = text(s3, "endpoint")
        if !endpoint.isEmpty && !AddressFormat.isURL(endpoint) { e["endpoint"] = .item(isURL) }
        return e
    }

    static func backups(_ backups: JSONValue) -> [String: ErrorData] {
        var e: [String: ErrorData] = [:]
        let s3Errors = s3(backups["s3"] ?? [:])
        if !s3Errors.isEmpty { e["s3"] = .fields(s3Errors) }
        let cron = text(backups, "cron")
        if !cron.isEmpty && (try? CronSchedule(parsing: cron)) == nil {
            e["cron"] = .item(
                ErrorItem(
                    "validation_invalid_cron",
                    "Invalid cron expression - must be a valid macro or to have exactly 5 space separated segments."))
        }
        let keep = integer(backups, "cronMaxKeep")
        if !cron.isEmpty && keep == 0 { e["cronMaxKeep"] = .item(.required) } else if keep < 0 && !cron.isEmpty {
            e["cronMaxKeep"] = .item(minimum(1))
        }
        return e
    }

    static func batch(_ batch: JSONValue) -> [String: ErrorData] {
        var e: [String: ErrorData] = [:]
        let enabled = flag(batch, "enabled")
        for key in ["maxRequests", "timeout"] {
            let value = integer(batch, key)
            if enabled && value == 0 { e[key] = .item(.required) } else if value < 0 { e[key] = .item(minimum(0)) }
        }
        if integer(batch, "maxBodySize") < 0 { e["maxBodySize"] = .item(minimum(0)) }
        return e
    }

    static func rateLimits(_ limits: JSONValue) -> [String: ErrorData] {
        var e: [String: ErrorData] = [:]
        let rules = limits["rules"]?.arrayValue ?? []
        if flag(limits, "enabled") && rules.isEmpty {
            e["rules"] = .item(.required)
        } else if let conflict = RateLimitRule.firstConflict(in: rules.map(RateLimitRule.init(json:))) {
            e["rules"] = .fields([
                String(conflict.index): .fields([
                    "label": .item(
                        ErrorItem(
                            "validation_conflicting_rate_limit_rule",
                            "Rate limit rule configuration with label \(conflict.label) already exists or conflicts with another rule.",
                            params: ["label": .string(conflict.label)]))
                ])
            ])
        } else {
            var ruleErrors: [String: ErrorData] = [:]
            for (index, json) in rules.enumerated() {
                let found = RateLimitRule(json: json).errors
                if !found.isEmpty { ruleErrors[String(index)] = .fields(found) }
            }
            if !ruleErrors.isEmpty { e["rules"] = .fields(ruleErrors) }
        }
        if let ips = ipListErrors(limits["excludedIPs"]) { e["excludedIPs"] = ips }
        return e
    }

    // MARK: - Helpers

    static let isURL = ErrorItem("validation_is_url", "Must be a valid URL.")
    static let isHostError = ErrorItem("validation_is_host", "Must be a valid IP address or DNS name.")

    static func minimum(_ threshold: Int) -> ErrorItem {
        ErrorItem(
            "validation_min_greater_equal_than_required", "Must be no less than \(threshold).",
            params: ["threshold": .number(Double(threshold))])
    }

    /// Each entry required and an IP or CIDR subnet, keyed by index.
    static func ipListErrors(_ value: JSONValue?) -> ErrorData? {
        var e: [String: ErrorData] = [:]
        for (index, item) in (value?.arrayValue ?? []).enumerated() {
            let text = item.stringValue ?? ""
            if text.isEmpty {
                e[String(index)] = .item(.required)
            } else if IPAllowList.parseRange(text) == nil {
                e[String(index)] = .item(ErrorItem("validation_invlaid_ip_or_subnet", "Invalid IP or CIDR subnet."))
            }
        }
        return e.isEmpty ? nil : .fields(e)
    }

    static func text(_ object: JSONValue, _ key: String) -> String { object[key]?.stringValue ?? "" }
    static func flag(_ object: JSONValue, _ key: String) -> Bool { object[key]?.boolValue ?? false }
    static func integer(_ object: JSONValue, _ key: String) -> Int { Int(saturating: object[key]?.doubleValue ?? 0) }

    static func isHexColor(_ text: String) -> Bool {
        let digits = text.hasPrefix("#") ? text.dropFirst() : Substring(text)
        return (digits.count == 3 || digits.count == 6) && digits.allSatisfy(\.isHexDigit)
    }

    /// govalidator's `IsHost`: an IP address or a DNS name of labels of letters, digits, `_` and inner `-`.
    static func isHost(_ text: String) -> Bool {
        if IPAllowList.parseAddress(text) != nil { return true }
        guard !text.isEmpty, text.utf8.count <= 255 else { return false }
        var name = Substring(text)
        if name.hasSuffix(".") || name.hasSuffix("_") { name = name.dropLast() }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            guard let first = label.first, label.count <= 63, first.isASCII, first.isLetter || first.isNumber || first == "_"
            else { return false }
            return label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
        }
    }
}

import Foundation

/// One rate-limit rule of the settings: requests matching `label` (a tag such as `users:create` or
/// `*:auth`, an exact path `/api/health`, `METHOD /path`, or a path prefix ending in `/`) from one client
/// address may number `maxRequests` per `duration` seconds, for the `audience` `""` (everyone), `@guest`
/// or `@auth`.
package struct RateLimitRule: Sendable, Equatable {
    package var label: String
    package var audience: String
    package var duration: Int
    package var maxRequests: Int

    init(json: JSONValue) {
        label = json["label"]?.stringValue ?? ""
        audience = json["audience"]?.stringValue ?? ""
        duration = Int(saturating: json["duration"]?.doubleValue ?? 0)
        maxRequests = Int(saturating: json["maxRequests"]?.doubleValue ?? 0)
    }

    package init(label: String, audience: String = "", duration: Int, maxRequests: Int) {
        self.label = label
        self.audience = audience
        self.duration = duration
        self.maxRequests = maxRequests
    }

    var errors: [String: ErrorData] {
        var e: [String: ErrorData] = [:]
        if label.isEmpty { e["label"] = .item(.required) } else if !Self.isValidLabel(label) {
            e["label"] = .item(ErrorItem("validation_match_invalid", "Must be in a valid format."))
        }
        if maxRequests == 0 { e["maxRequests"] = .item(.required) } else if maxRequests < 1 {
            e["maxRequests"] = .item(SettingsValidator.minimum(1))
        }
        if duration == 0 { e["duration"] = .item(.required) } else if duration < 1 {
            e["duration"] = .item(SettingsValidator.minimum(1))
        }
        if !["", "@guest", "@auth"].contains(audience) { e["audience"] = .item(.inInvalid) }
        return e
    }

    /// `word /path`, `/path`, `word:word`, `*:word` or `word`, where a path is `[\w/-]*`.
    static func isValidLabel(_ label: String) -> Bool {
        func isWord(_ s: Substring) -> Bool { !s.isEmpty && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") } }
        func isPath(_ s: Substring) -> Bool {
            s.first == "/" && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "/" || $0 == "-") }
        }
        let text = Substring(label)
        if isWord(text) || isPath(text) { return true }
        if let space = text.firstIndex(of: " ") {
            return isWord(text[..<space]) && isPath(text[text.index(after: space)...])
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count == 2 && (isWord(parts[0]) || parts[0] == "*") && isWord(parts[1])
    }

    /// The first rule whose `label@@audience` is a prefix of an earlier one's, or the reverse.
    static func firstConflict(in rules: [RateLimitRule]) -> (index: Int, label: String)? {
        var seen: [String] = []
        for (index, rule) in rules.enumerated() {
            let key = rule.label + "@@" + rule.audience
            if seen.contains(where: { $0.hasPrefix(key) || key.hasPrefix($0) }) { return (index, rule.label) }
            seen.append(key)
        }
        return nil
    }
}

/// The rate-limit part of the settings, ready for the limiter: which rule applies to a request.
package struct RateLimitPolicy: Sendable, Equatable {
    package var enabled: Bool
    package var rules: [RateLimitRule]
    package var excludedIPs: IPAllowList

    package static let disabled = RateLimitPolicy(enabled: false, rules: [], excludedIPs: IPAllowList([])!)

    package init(enabled: Bool, rules: [RateLimitRule], excludedIPs: IPAllowList) {
        self.enabled = enabled
        self.rules = rules
        self.excludedIPs = excludedIPs
    }

    /// The first rule for the first label that has one, trying for each label an exact match, then the first
    /// prefix rule (label ending in `/`) in list order that `label + "/"` starts with; rules of another
    /// audience are passed over.
    package func rule(for labels: [String], isAuthenticated: Bool) -> RateLimitRule? {
        let audiences = isAuthenticated ? ["", "@auth"] : ["", "@guest"]
        let candidates = rules.filter { audiences.contains($0.audience) }
        let prefixRules = candidates.filter { $0.label.hasSuffix("/") }
        for label in labels {
            if let exact = candidates.first(where: { $0.label == label }) { return exact }
            if let prefix = prefixRules.first(where: { (label + "/").hasPrefix($0.label) }) { return prefix }
        }
        return nil
    }
}

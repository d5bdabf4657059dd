import Foundation

/// Renders an auth collection's email template (`{"subject", "body"}` in its options) with PocketBase's
/// placeholders: `{APP_NAME}`, `{APP_URL}`, `{TOKEN}`, `{OTP}`, `{ALERT_INFO}` and `{RECORD:field}` for any
/// non-secret field of the record. Replacement is literal text, done once per placeholder, so a value that
/// itself contains `{…}` is never expanded again.
struct MailTemplate {
    var subject: String
    var body: String

    init(subject: String, body: String) {
        self.subject = subject
        self.body = body
    }

    /// The template stored under `key` (e.g. `verificationTemplate`, or `otp` and `authAlert` whose template
    /// sits in their `emailTemplate`), nil when the collection has none.
    init?(_ key: String, of collection: CollectionModel) {
        let extra = collection.auth?.extra[key]
        let object = key == "otp" || key == "authAlert" ? extra?["emailTemplate"] : extra
        guard let subject = object?["subject"]?.stringValue, let body = object?["body"]?.stringValue else {
            return nil
        }
        self.init(subject: subject, body: body)
    }

    func render(
        settings: MailSettings, record: RecordModel, collection: CollectionModel, values: [String: String] = [:]
    ) -> (subject: String, html: String) {
        var replacements = ["{APP_NAME}": settings.appName, "{APP_URL}": settings.appURL]
        for (key, value) in values { replacements["{" + key + "}"] = value }
        for field in collection.fields where field.type != "password" && field.name != "tokenKey" {
            let value = record.values[field.name]
            replacements["{RECORD:\(field.name)}"] = value?.stringValue ?? value.map { $0.jsonString } ?? ""
        }
        return (Self.replace(subject, replacements), Self.replace(body, replacements))
    }

    /// Replaces every `{PLACEHOLDER}` found in `text` in one left-to-right pass.
    static func replace(_ text: String, _ replacements: [String: String]) -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            if let close = rest[open...].firstIndex(of: "}"), let value = replacements[String(rest[open...close])] {
                out += value
                rest = rest[rest.index(after: close)...]
            } else {
                out.append("{")
                rest = rest[rest.index(after: open)...]
            }
        }
        return out + rest
    }

    /// A readable plain-text version of an HTML body: tags dropped, links kept as their URLs, entities of
    /// the common kinds decoded.
    static func plainText(fromHTML html: String) -> String {
        var text = ""
        var index = html.startIndex
        while index < html.endIndex {
            let character = html[index]
            guard character == "<", let close = html[index...].firstIndex(of: ">") else {
                text.append(character)
                index = html.index(after: index)
                continue
            }
            let tag = html[html.index(after: index)..<close].lowercased()
            if tag.hasPrefix("a "), let start = tag.range(of: "href=\"") {
                let href = tag[start.upperBound...].prefix { $0 != "\"" }
                // keep the original case of the URL (tokens are case-sensitive)
                let offset = tag.distance(from: tag.startIndex, to: start.upperBound)
                let original = html[html.index(index, offsetBy: 1 + offset)...].prefix(href.count)
                text += "\(original) "
            }
            if tag == "br/" || tag == "br" || tag == "/p" { text += "\n" }
            index = html.index(after: close)
        }
        let entities = ["&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": "\"", "&#39;": "'", "&nbsp;": " "]
        for (entity, value) in entities { text = text.replacingOccurrences(of: entity, with: value) }
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .joined(separator: "\n")
            .replacingOccurrences(of: "\n\n\n", with: "\n\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

import Foundation
import SwiftbaseCore

/// Query-string parameters decoded as Go's `url.ParseQuery` does (`+` is a space, keys and values
/// percent-decoded); the SDKs rely on that. The last value of a repeated key wins for `subscript`.
package struct QueryParameters: Sendable {
    private(set) var pairs: [(String, String)] = []

    package init(_ rawQuery: String?) {
        guard let rawQuery, !rawQuery.isEmpty else { return }
        for part in rawQuery.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Self.decode(kv[0])
            let value = kv.count > 1 ? Self.decode(kv[1]) : ""
            pairs.append((key, value))
        }
    }

    package subscript(key: String) -> String? {
        pairs.last(where: { $0.0 == key })?.1
    }

    /// All parameters, last value per key (what rules see as `@request.query.*`).
    var dictionary: [String: String] {
        var out: [String: String] = [:]
        for (k, v) in pairs { out[k] = v }
        return out
    }

    private static func decode(_ text: Substring) -> String {
        text.removingPercentEscapes(plusAsSpace: true) ?? text.replacingOccurrences(of: "+", with: " ")
    }

    /// An integer parameter, or its default when absent; a non-integer value is a 400.
    func integer(_ key: String, default defaultValue: Int) throws -> Int {
        guard let text = self[key], !text.isEmpty else { return defaultValue }
        guard let value = Int(text) else { throw SwiftbaseError.badRequest() }
        return value
    }

    /// `expand` and `fields`, as every answer carrying records reads them; either one malformed is a 400.
    func recordPresentation() throws(SwiftbaseError) -> RecordPresentation {
        try RecordPresentation(expand: self["expand"], fields: self["fields"])
    }

    /// A boolean as Go's `strconv.ParseBool` reads it; anything else is a 400.
    func bool(_ key: String) throws -> Bool {
        guard let text = self[key], !text.isEmpty else { return false }
        switch text {
        case "1", "t", "T", "TRUE", "true", "True": return true
        case "0", "f", "F", "FALSE", "false", "False": return false
        default: throw SwiftbaseError.badRequest()
        }
    }
}

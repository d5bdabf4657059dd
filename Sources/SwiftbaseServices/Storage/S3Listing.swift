import Foundation

/// Reads the few elements Swiftbase needs from S3's XML answers (`ListObjectsV2` pages, error bodies). S3's XML
/// is flat and generated, so the elements are found by name and their text unescaped; no XML library needed.
enum S3Listing {
    struct Object: Sendable, Equatable {
        let key: String
        let size: Int
        let modified: Date
    }

    struct Page: Sendable, Equatable {
        var objects: [Object] = []
        var isTruncated = false
        var nextToken: String?
    }

    static func parse(_ body: [UInt8]) -> Page {
        let text = Substring(String(decoding: body, as: UTF8.self))
        var page = Page()
        page.isTruncated = element("IsTruncated", in: text) == "true"
        page.nextToken = element("NextContinuationToken", in: text)
        var rest = text
        while let start = rest.range(of: "<Contents>"), let end = rest.range(of: "</Contents>", range: start.upperBound..<rest.endIndex) {
            let block = rest[start.upperBound..<end.lowerBound]
            if let key = element("Key", in: block) {
                page.objects.append(
                    Object(
                        key: key, size: element("Size", in: block).flatMap { Int($0) } ?? 0,
                        modified: element("LastModified", in: block).flatMap(parseISODate) ?? Date(timeIntervalSince1970: 0)))
            }
            rest = rest[end.upperBound...]
        }
        return page
    }

    /// The unescaped text of the first `<name>…</name>` in `text`.
    static func element(_ name: String, in text: Substring) -> String? {
        guard let open = text.range(of: "<" + name + ">"),
            let close = text.range(of: "</" + name + ">", range: open.upperBound..<text.endIndex)
        else { return nil }
        return unescape(text[open.upperBound..<close.lowerBound])
    }

    static func unescape(_ text: Substring) -> String {
        guard text.contains("&") else { return String(text) }
        var out = ""
        var rest = text
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";") else { break }
            let entity = rest[rest.index(after: amp)..<semi]
            switch entity {
            case "amp": out += "&"
            case "lt": out += "<"
            case "gt": out += ">"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                let number = entity.hasPrefix("#x") ? UInt32(entity.dropFirst(2), radix: 16) : entity.hasPrefix("#") ? UInt32(entity.dropFirst()) : nil
                if let number, let scalar = Unicode.Scalar(number) { out.unicodeScalars.append(scalar) } else { out += "&" + entity + ";" }
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }

    /// `2026-12-06T10:55:00.000Z` (with or without the fraction).
    static func parseISODate(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    /// `Sun, 06 Dec 2026 10:55:00 GMT` (`Last-Modified`).
    static func parseHTTPDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.date(from: text)
    }
}

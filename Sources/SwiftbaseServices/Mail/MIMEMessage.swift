public import Foundation
public import SwiftbaseCore

/// Renders a `MailMessage` as an RFC 5322 message with a `multipart/alternative` body (plain text, then
/// HTML), both parts base64-encoded UTF-8 so any content survives transport unchanged. Header values are
/// RFC 2047-encoded when they are not plain ASCII, and line breaks in them are removed, so no value can
/// inject a header.
public enum MIMEMessage {
    public static func render(_ message: MailMessage, date: Date, boundary: String? = nil) -> String {
        let boundary = boundary ?? "sb-" + RandomString.make(length: 24, alphabet: RandomString.alphanumeric)
        var lines = [
            "From: " + header(message.from),
            "To: " + message.to.map(header).joined(separator: ", "),
            "Subject: " + header(message.subject),
            "Date: " + rfc5322Date(date),
            "Message-ID: <\(RandomString.make(length: 20, alphabet: RandomString.lowercaseAlphanumeric))@swiftbase>",
            "MIME-Version: 1.0",
            "Content-Type: multipart/alternative; boundary=\"\(boundary)\"",
            "",
        ]
        for (type, body) in [("text/plain", message.text), ("text/html", message.html)] {
            lines += [
                "--" + boundary,
                "Content-Type: \(type); charset=UTF-8",
                "Content-Transfer-Encoding: base64",
                "",
                base64Lines(body),
            ]
        }
        lines.append("--" + boundary + "--")
        lines.append("")
        return lines.joined(separator: "\r\n")
    }

    /// A header value on one line: CR and LF removed; RFC 2047 `=?UTF-8?B?…?=` when not printable ASCII.
    static func header(_ value: String) -> String {
        let oneLine = value.replacingOccurrences(of: "\r", with: "").replacingOccurrences(of: "\n", with: " ")
        if oneLine.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) { return oneLine }
        return "=?UTF-8?B?" + Data(oneLine.utf8).base64EncodedString() + "?="
    }

    static func base64Lines(_ text: String) -> String {
        Data(text.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
    }

    static func rfc5322Date(_ date: Date) -> String {
        utc(date, format: "EEE, dd MMM yyyy HH:mm:ss '+0000'")
    }

    /// `date` in UTC with a fixed-locale pattern (English day and month names whatever the machine's locale).
    static func utc(_ date: Date, format: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = format
        return formatter.string(from: date)
    }
}

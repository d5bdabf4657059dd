import Foundation
import SwiftbaseCore

/// An S3 answer of 400 or more, described as PocketBase describes it (`403 SignatureDoesNotMatch: <message>`,
/// then the raw body), since `test/s3` answers that text to the superuser.
public struct S3ResponseError: Error, CustomStringConvertible {
    public let status: Int
    public let code: String
    public let message: String
    public let raw: [UInt8]

    init(status: Int, raw: [UInt8]) {
        self.status = status
        self.raw = raw
        let text = String(decoding: raw, as: UTF8.self)
        code = S3Listing.element("Code", in: Substring(text)) ?? ""
        message = S3Listing.element("Message", in: Substring(text)) ?? ""
    }

    public var description: String {
        var out = "\(status) " + (code.isEmpty ? "S3ResponseError" : code)
        if !message.isEmpty { out += ": " + message }
        if !raw.isEmpty { out += "\n(RAW: " + String(decoding: raw, as: UTF8.self) + ")" }
        return out
    }

    /// Whether PocketBase's storage layer counts the answer as a missing resource.
    var isNotFound: Bool { status == 404 || ["NoSuchBucket", "NoSuchKey", "NotFound"].contains(code) }

    /// An error of an S3 call as PocketBase's storage layer reports it: a missing resource gets
    /// "resource not found" on a line of its own.
    static func pocketBaseText(_ error: any Error) -> String {
        guard let error = error as? S3ResponseError else { return "\(error)" }
        return error.description + (error.isNotFound ? "\nresource not found" : "")
    }
}

extension SwiftbaseError {
    /// A 400 whose message ends as PocketBase's router ends every message: trimmed, with a full stop added
    /// unless it ends with `.`, `?` or `!` (a raw S3 error ends with its XML body).
    static func badRequestSentence(_ text: String) -> SwiftbaseError {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let ended = trimmed.hasSuffix(".") || trimmed.hasSuffix("?") || trimmed.hasSuffix("!")
        return .badRequest(ended ? trimmed : trimmed + ".")
    }
}

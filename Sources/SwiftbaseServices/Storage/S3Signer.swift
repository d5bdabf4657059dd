import Crypto
public import Foundation

/// AWS Signature Version 4 for one request, as S3-compatible services check it: a canonical request (method,
/// URI-encoded path, sorted query, the signed headers, the payload hash), its SHA-256 in a string to sign
/// under the date's scope, and an HMAC-SHA256 chain from the secret to the signature. Pure: same inputs, same
/// `Authorization` header — its tests are AWS's published example vectors.
public struct S3Signer: Sendable {
    public let accessKey: String
    public let secret: String
    public let region: String
    /// `s3` for S3; AWS's generic test suite signs for `service`.
    public let service: String

    public init(accessKey: String, secret: String, region: String, service: String = "s3") {
        self.accessKey = accessKey
        self.secret = secret
        self.region = region
        self.service = service
    }

    /// The payload hash S3 accepts in place of the body's SHA-256 (the body then streams unhashed, as
    /// PocketBase sends it).
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"

    /// The `Authorization` header's value. `path` is the raw (unescaped) request path; `headers` are every
    /// header to sign, `host` and `x-amz-date` among them (names in any case); `date` must be the instant
    /// written in `x-amz-date`.
    public func authorization(
        method: String, path: String, query: [(String, String)], headers: [(String, String)], payloadHash: String,
        date: Date
    ) -> String {
        let (canonical, signedHeaders) = Self.canonicalRequest(
            method: method, path: path, query: query, headers: headers, payloadHash: payloadHash)
        let stamp = Self.amzDate(date)
        let day = String(stamp.prefix(8))
        let scope = [day, region, service, "aws4_request"].joined(separator: "/")
        let stringToSign = ["AWS4-HMAC-SHA256", stamp, scope, Self.hex(SHA256.hash(data: Data(canonical.utf8)))]
            .joined(separator: "\n")
        var key = SymmetricKey(data: Data(("AWS4" + secret).utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
        return "AWS4-HMAC-SHA256 Credential=\(accessKey)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
    }

    /// The canonical request and the `SignedHeaders` list.
    static func canonicalRequest(
        method: String, path: String, query: [(String, String)], headers: [(String, String)], payloadHash: String
    ) -> (String, String) {
        let canonicalPath = path.split(separator: "/", omittingEmptySubsequences: false)
            .map { uriEncode(String($0)) }.joined(separator: "/")
        let encoded: [(name: String, value: String)] = query.map { (uriEncode($0.0), uriEncode($0.1)) }
        let sorted = encoded.sorted { a, b in a.name != b.name ? a.name < b.name : a.value < b.value }
        let canonicalQuery = sorted.map { $0.name + "=" + $0.value }.joined(separator: "&")
        var grouped: [String: [String]] = [:]
        for (name, value) in headers {
            grouped[name.lowercased(), default: []].append(Self.trimmed(value))
        }
        let names = grouped.keys.sorted()
        let canonicalHeaders = names.map { $0 + ":" + grouped[$0]!.joined(separator: ",") + "\n" }.joined()
        let signed = names.joined(separator: ";")
        let request = [
            method, canonicalPath.isEmpty ? "/" : canonicalPath, canonicalQuery, canonicalHeaders, signed, payloadHash,
        ].joined(separator: "\n")
        return (request, signed)
    }

    /// AWS's `UriEncode`: every byte but `A-Z a-z 0-9 - . _ ~` as `%XX` (upper-case hex), space as `%20`.
    public static func uriEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 15, radix: 16, uppercase: true)
            }
        }
        return out
    }

    /// `YYYYMMDD'T'HHMMSS'Z'` in UTC, the form of `x-amz-date`.
    public static func amzDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(
            format: "%04d%02d%02dT%02d%02d%02dZ", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0,
            c.second ?? 0)
    }

    /// Leading and trailing spaces off, inner runs of spaces as one.
    static func trimmed(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    /// SHA-256 of `data` in lower-case hex (the payload hash of a signed body; of nothing for an empty one).
    public static func payloadHash(_ data: [UInt8]) -> String {
        hex(SHA256.hash(data: data))
    }
}

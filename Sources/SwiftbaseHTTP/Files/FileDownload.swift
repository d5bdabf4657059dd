import Foundation
import HTTPTypes
import Hummingbird
import SwiftbaseCore

/// A stored file answered as PocketBase (Go's `http.ServeContent`) answers it: caching and sandboxing
/// headers, `inline` or `attachment` disposition, conditional requests (304, 412) and byte ranges (206,
/// multipart for several ranges, 416).
struct FileDownload {
    let content: FileContent
    let name: String
    let contentType: String
    let modified: Date
    let attachment: Bool
    /// A public asset (`sb_public`) rather than a stored upload: no disposition, no sandboxing policy (the page
    /// must run), and HTML revalidated on every use (`no-cache`) so a new deploy is seen at once.
    var publicAsset = false

    /// Types a browser may show inline; everything else downloads.
    static let inlineTypes: Set<String> = [
        "image/png", "image/jpg", "image/jpeg", "image/gif", "image/webp", "image/x-icon", "image/bmp",
        "video/webm", "video/mp4", "video/3gpp", "video/quicktime", "video/x-ms-wmv", "audio/basic", "audio/aiff",
        "audio/mpeg", "audio/midi", "audio/mp3", "audio/wave", "audio/wav", "audio/x-wav", "audio/x-mpeg",
        "audio/x-m4a", "audio/aac", "application/pdf", "application/x-pdf",
    ]

    /// Types bytes cannot tell, named by the file's last extension.
    static let typesByExtension: [String: String] = [
        "svg": "image/svg+xml", "css": "text/css", "js": "text/javascript", "mjs": "text/javascript",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ]

    /// How many first bytes `contentType` looks at (`ContentSniffer` reads no further).
    static let sniffLength = 3072

    static func contentType(name: String, data: [UInt8]) -> String {
        if let dot = name.lastIndex(of: "."), let type = typesByExtension[name[name.index(after: dot)...].lowercased()] {
            return type
        }
        return ContentSniffer.mediaType(of: data)
    }

    func response(to request: Request) -> Response {
        let lastModified = Self.httpDate(modified)
        var headers = HTTPFields()
        var cached: HTTPFields = [.lastModified: lastModified]
        if publicAsset {
            if ContentSniffer.essence(contentType) == "text/html" { cached[.cacheControl] = "no-cache" }
        } else {
            let inline = !attachment && Self.inlineTypes.contains(ContentSniffer.essence(contentType))
            headers[.contentDisposition] = (inline ? "inline" : "attachment") + "; filename=\"\(name)\""
            headers[HTTPField.Name("Content-Security-Policy")!] =
                "default-src 'none'; media-src 'self'; style-src 'unsafe-inline'; sandbox"
            headers[.allowFraming] = "1"
            cached = [.cacheControl: "max-age=2592000, stale-while-revalidate=86400", .lastModified: lastModified]
        }

        let seconds = floor(modified.timeIntervalSince1970)
        if let since = request.headers[.ifUnmodifiedSince].flatMap(Self.parseHTTPDate), since.timeIntervalSince1970 < seconds {
            return Response(status: .preconditionFailed, headers: headers + cached)
        }
        if let match = request.headers[.ifNoneMatch] {
            if match.trimmingCharacters(in: .whitespaces) == "*" {
                return Response(status: .notModified, headers: headers + cached)
            }
        } else if let since = request.headers[.ifModifiedSince].flatMap(Self.parseHTTPDate),
            seconds <= since.timeIntervalSince1970
        {
            return Response(status: .notModified, headers: headers + cached)
        }

        var rangeHeader = request.headers[.range]
        if let ifRange = request.headers[.ifRange], Self.parseHTTPDate(ifRange)?.timeIntervalSince1970 != seconds {
            rangeHeader = nil
        }
        headers.append(contentsOf: cached)
        headers[.acceptRanges] = "bytes"
        guard let rangeHeader else { return whole(headers) }
        let size = content.count
        let content = content
        switch ByteRanges.parse(rangeHeader, size: size) {
        case .malformed:
            return Self.rangeError("invalid range\n", headers: headers, size: nil)
        case .noOverlap:
            return Self.rangeError("invalid range: failed to overlap\n", headers: headers, size: size)
        case .ranges(let ranges) where ranges.count == 1:
            let range = ranges[0]
            headers[.contentType] = contentType
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
            return Response(
                status: .partialContent, headers: headers,
                body: ResponseBody(contentLength: range.count) { writer in
                    try await content.write(range, to: &writer)
                    try await writer.finish(nil)
                })
        case .ranges(let ranges):
            let boundary = RandomString.make(length: 30, alphabet: RandomString.lowercaseAlphanumeric)
            let type = contentType
            let parts = ranges.map { range in
                (range, ByteBuffer(
                    string: "\r\n--\(boundary)\r\nContent-Range: bytes \(range.lowerBound)-\(range.upperBound)/\(size)\r\n"
                        + "Content-Type: \(type)\r\n\r\n"))
            }
            let closing = ByteBuffer(string: "\r\n--\(boundary)--\r\n")
            let length = parts.reduce(closing.readableBytes) { $0 + $1.1.readableBytes + $1.0.count }
            headers[.contentType] = "multipart/byteranges; boundary=\(boundary)"
            return Response(
                status: .partialContent, headers: headers,
                body: ResponseBody(contentLength: length) { writer in
                    for (range, head) in parts {
                        try await writer.write(head)
                        try await content.write(range, to: &writer)
                    }
                    try await writer.write(closing)
                    try await writer.finish(nil)
                })
        }
    }

    private func whole(_ headers: HTTPFields) -> Response {
        var headers = headers
        headers[.contentType] = contentType
        let content = content
        let size = content.count
        guard size > 0 else { return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer())) }
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody(contentLength: size) { writer in
                try await content.write(0...(size - 1), to: &writer)
                try await writer.finish(nil)
            })
    }

    private static func rangeError(_ message: String, headers: HTTPFields, size: Int?) -> Response {
        var headers = headers
        headers[.cacheControl] = nil
        headers[.lastModified] = nil
        headers[.acceptRanges] = nil
        headers[.contentType] = "text/plain; charset=utf-8"
        if let size { headers[.contentRange] = "bytes */\(size)" }
        return Response(
            status: .rangeNotSatisfiable, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: message)))
    }

    static func httpDate(_ date: Date) -> String {
        formatter().string(from: date)
    }

    static func parseHTTPDate(_ text: String) -> Date? {
        formatter().date(from: text)
    }

    private static func formatter() -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter
    }
}

extension HTTPFields {
    fileprivate static func + (lhs: HTTPFields, rhs: HTTPFields) -> HTTPFields {
        var out = lhs
        out.append(contentsOf: rhs)
        return out
    }
}

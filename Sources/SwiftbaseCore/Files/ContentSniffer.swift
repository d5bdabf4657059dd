/// The media type of file content, from its first bytes, as PocketBase detects it when a file is uploaded
/// (the client's `Content-Type` is never trusted): the common image, document, archive, audio and video
/// signatures, HTML, then text (valid UTF-8 without control bytes) or `application/octet-stream`. A few
/// types that bytes cannot tell apart (SVG, CSS, JS, Office files) are named by extension on download.
package enum ContentSniffer {
    package static func mediaType(of data: [UInt8]) -> String {
        if data.isEmpty { return "text/plain" }
        for (signature, offset, type) in signatures where matches(data, signature, at: offset) { return type }
        if matches(data, Array("RIFF".utf8), at: 0) && data.count >= 12 {
            switch String(decoding: data[8..<12], as: UTF8.self) {
            case "WEBP": return "image/webp"
            case "WAVE": return "audio/wav"
            case "AVI ": return "video/x-msvideo"
            default: break
            }
        }
        if data.count >= 12, matches(data, Array("ftyp".utf8), at: 4) {
            let brand = String(decoding: data[8..<12], as: UTF8.self)
            if brand.hasPrefix("qt") { return "video/quicktime" }
            if brand.hasPrefix("M4A") { return "audio/x-m4a" }
            return "video/mp4"
        }
        if looksLikeHTML(data) { return "text/html; charset=utf-8" }
        if isText(data) { return "text/plain; charset=utf-8" }
        return "application/octet-stream"
    }

    /// The media type without parameters (`text/plain; charset=utf-8` → `text/plain`).
    package static func essence(_ mediaType: String) -> String {
        String(mediaType.prefix { $0 != ";" }).trimmingSpaces.lowercased()
    }

    /// The extension given to an upload whose name has none.
    static func defaultExtension(of data: [UInt8]) -> String {
        switch essence(mediaType(of: data)) {
        case "image/png": ".png"
        case "image/jpeg": ".jpg"
        case "image/gif": ".gif"
        case "image/webp": ".webp"
        case "application/pdf": ".pdf"
        case "application/zip": ".zip"
        case "text/html": ".html"
        case "text/plain": ".txt"
        default: ""
        }
    }

    private static let signatures: [([UInt8], Int, String)] = [
        ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], 0, "image/png"),
        ([0xFF, 0xD8, 0xFF], 0, "image/jpeg"),
        (Array("GIF87a".utf8), 0, "image/gif"),
        (Array("GIF89a".utf8), 0, "image/gif"),
        (Array("BM".utf8), 0, "image/bmp"),
        ([0x00, 0x00, 0x01, 0x00], 0, "image/x-icon"),
        (Array("%PDF-".utf8), 0, "application/pdf"),
        ([0x50, 0x4B, 0x03, 0x04], 0, "application/zip"),
        ([0x1F, 0x8B, 0x08], 0, "application/gzip"),
        (Array("OggS".utf8), 0, "audio/ogg"),
        (Array("ID3".utf8), 0, "audio/mpeg"),
        (Array("fLaC".utf8), 0, "audio/flac"),
        ([0x1A, 0x45, 0xDF, 0xA3], 0, "video/webm"),
        (Array("<?xml".utf8), 0, "text/xml; charset=utf-8"),
    ]

    private static func matches(_ data: [UInt8], _ signature: [UInt8], at offset: Int) -> Bool {
        data.count >= offset + signature.count && data[offset..<(offset + signature.count)].elementsEqual(signature)
    }

    private static func looksLikeHTML(_ data: [UInt8]) -> Bool {
        let head = String(decoding: data.prefix(512), as: UTF8.self).drop { $0.isWhitespace }.lowercased()
        return ["<!doctype html", "<html", "<head", "<body", "<script", "<iframe", "<h1", "<div", "<p", "<table"]
            .contains { head.hasPrefix($0) && head.dropFirst($0.count).first.map { $0 == ">" || $0 == " " } ?? false }
    }

    private static func isText(_ data: [UInt8]) -> Bool {
        let sample = Array(data.prefix(3072))
        guard sample.allSatisfy({ $0 >= 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0x0C || $0 == 0x1B })
        else { return false }
        // A multi-byte character cut by the sample's end is still text.
        for cut in 0...min(3, sample.count) where String(validating: sample.dropLast(cut), as: UTF8.self) != nil {
            return true
        }
        return false
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}

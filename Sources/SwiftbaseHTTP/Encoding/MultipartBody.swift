/// A `multipart/form-data` body (RFC 7578) split into parts, with the framing rules of Go's
/// `mime/multipart` reader, which PocketBase relies on:
///
/// - anything before the first `--boundary` line is preamble and skipped;
/// - delimiter lines may carry trailing spaces/tabs; the first one fixes the line ending (CRLF, or bare LF
///   for lenient clients);
/// - each part has MIME headers (continuation lines allowed), a blank line, then bytes up to the next
///   `CRLF--boundary` that is followed by white space, a line end, `--` or the end of input;
/// - the body must end with the closing `--boundary--` line; anything after it is ignored.
///
/// Like Go it refuses more than ``maxParts`` parts or ``maxHeaders`` header lines in total.
struct MultipartBody {
    struct Part: Equatable {
        /// Header names as sent, values trimmed; lookups are case-insensitive through ``header(_:)``.
        var headers: [(name: String, value: String)]
        var body: ArraySlice<UInt8>

        func header(_ name: String) -> String? {
            let lowered = name.lowercased()
            return headers.first { $0.name.lowercased() == lowered }?.value
        }

        static func == (lhs: Part, rhs: Part) -> Bool {
            lhs.body == rhs.body && lhs.headers.map(\.name) == rhs.headers.map(\.name)
                && lhs.headers.map(\.value) == rhs.headers.map(\.value)
        }
    }

    struct Failure: Error, Equatable {
        var reason: String
    }

    static let maxParts = 1000
    static let maxHeaders = 10_000

    var parts: [Part]

    static func parse(_ bytes: [UInt8], boundary: String) throws(Failure) -> MultipartBody {
        guard !boundary.isEmpty else { throw Failure(reason: "empty boundary") }
        var reader = Reader(bytes: bytes, boundary: Array(boundary.utf8))
        return MultipartBody(parts: try reader.readAll())
    }
}

// MARK: - Reader

extension MultipartBody {
    private struct Reader {
        let bytes: [UInt8]
        let dashBoundary: [UInt8]  // "--" + boundary
        var newline: [UInt8] = [0x0D, 0x0A]
        var position = 0
        var partsRead = 0
        var headerCount = 0

        init(bytes: [UInt8], boundary: [UInt8]) {
            self.bytes = bytes
            self.dashBoundary = Array("--".utf8) + boundary
        }

        mutating func readAll() throws(Failure) -> [Part] {
            var parts: [Part] = []
            var expectNewPart = false
            while true {
                let lineStart = position
                let lineEnd: Int
                let atEnd: Bool
                if let newlineIndex = bytes[position...].firstIndex(of: 0x0A) {
                    lineEnd = newlineIndex + 1
                    atEnd = false
                } else {
                    lineEnd = bytes.count
                    atEnd = true
                }
                let line = bytes[lineStart..<lineEnd]
                if atEnd {
                    if isFinalBoundary(line) { return parts }
                    throw Failure(reason: partsRead == 0 ? "no boundary found" : "missing closing boundary")
                }
                position = lineEnd
                if isDelimiter(line) {
                    partsRead += 1
                    guard partsRead <= MultipartBody.maxParts else { throw Failure(reason: "too many parts") }
                    parts.append(try readPart())
                    expectNewPart = false
                    continue
                }
                if isFinalBoundary(line) { return parts }
                if expectNewPart { throw Failure(reason: "expected a new part") }
                if partsRead == 0 { continue }  // preamble
                if line.elementsEqual(newline) {
                    expectNewPart = true
                    continue
                }
                throw Failure(reason: "unexpected line between parts")
            }
        }

        // MARK: Boundary lines

        private mutating func isDelimiter(_ line: ArraySlice<UInt8>) -> Bool {
            guard line.starts(with: dashBoundary) else { return false }
            let rest = line.dropFirst(dashBoundary.count).drop(while: isLinearWhiteSpace)
            if partsRead == 0, rest.count == 1, rest.first == 0x0A {
                newline = [0x0A]
            }
            return rest.elementsEqual(newline)
        }

        private func isFinalBoundary(_ line: ArraySlice<UInt8>) -> Bool {
            guard line.starts(with: dashBoundary + Array("--".utf8)) else { return false }
            let rest = line.dropFirst(dashBoundary.count + 2).drop(while: isLinearWhiteSpace)
            return rest.isEmpty || rest.elementsEqual(newline)
        }

        // MARK: Parts

        private mutating func readPart() throws(Failure) -> Part {
            let headers = try readHeaders()
            let bodyStart = position
            let bodyEnd = try findBodyEnd(from: bodyStart)
            position = bodyEnd
            return Part(headers: headers, body: bytes[bodyStart..<bodyEnd])
        }

        /// MIME headers up to the blank line (as Go's `textproto.ReadMIMEHeader`).
        private mutating func readHeaders() throws(Failure) -> [(name: String, value: String)] {
            var headers: [(name: String, value: String)] = []
            var first = true
            while true {
                guard let line = nextHeaderLine() else { throw Failure(reason: "unexpected end in part headers") }
                if line.isEmpty { return headers }
                if let lead = line.first, lead == 0x20 || lead == 0x09 {
                    guard !first, !headers.isEmpty else { throw Failure(reason: "malformed header line") }
                    // continuation of the previous value
                    let addition = trimmed(line)
                    let previous = headers[headers.count - 1].value
                    headers[headers.count - 1].value = addition.isEmpty ? previous : previous + " " + decode(addition)
                    continue
                }
                first = false
                guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                    throw Failure(reason: "malformed header line")
                }
                let name = line[line.startIndex..<colon]
                guard !name.isEmpty, name.allSatisfy(isTokenByte) else {
                    throw Failure(reason: "malformed header name")
                }
                let value = trimmed(line[(colon + 1)...])
                guard value.allSatisfy({ $0 >= 0x20 && $0 != 0x7F || $0 == 0x09 }) else {
                    throw Failure(reason: "malformed header value")
                }
                headerCount += 1
                guard headerCount <= MultipartBody.maxHeaders else { throw Failure(reason: "too many headers") }
                headers.append((String(decoding: name, as: UTF8.self), decode(value)))
            }
        }

        /// The next line without its line ending, or `nil` at the end of input.
        private mutating func nextHeaderLine() -> ArraySlice<UInt8>? {
            guard let newlineIndex = bytes[position...].firstIndex(of: 0x0A) else { return nil }
            var line = bytes[position..<newlineIndex]
            if line.last == 0x0D { line = line.dropLast() }
            position = newlineIndex + 1
            return line
        }

        /// Where the part's data ends: just before the `newline + dashBoundary` that closes it.
        private func findBodyEnd(from start: Int) throws(Failure) -> Int {
            // Go accepts the delimiter right at the start of the data, without the newline before it.
            if bytes[start...].starts(with: dashBoundary), matchesAfter(prefixEnd: start + dashBoundary.count) {
                return start
            }
            let marker = newline + dashBoundary
            var searchFrom = start
            while let found = firstIndex(of: marker, from: searchFrom) {
                if matchesAfter(prefixEnd: found + marker.count) { return found }
                searchFrom = found + 1
            }
            throw Failure(reason: "unexpected end in part data")
        }

        /// Whether a delimiter candidate ending at `prefixEnd` is followed by white space, a line end,
        /// `--` or the end of input.
        private func matchesAfter(prefixEnd: Int) -> Bool {
            guard prefixEnd < bytes.count else { return true }
            switch bytes[prefixEnd] {
            case 0x20, 0x09, 0x0D, 0x0A: return true
            case UInt8(ascii: "-"): return prefixEnd + 1 < bytes.count && bytes[prefixEnd + 1] == UInt8(ascii: "-")
            default: return false
            }
        }

        private func firstIndex(of marker: [UInt8], from start: Int) -> Int? {
            guard let head = marker.first, marker.count <= bytes.count else { return nil }
            var index = start
            let last = bytes.count - marker.count
            while index <= last {
                guard let candidate = bytes[index...last].firstIndex(of: head) else { return nil }
                if bytes[candidate..<(candidate + marker.count)].elementsEqual(marker) { return candidate }
                index = candidate + 1
            }
            return nil
        }

        // MARK: Bytes

        private func isLinearWhiteSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

        private func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
            var slice = bytes
            while let first = slice.first, isLinearWhiteSpace(first) { slice = slice.dropFirst() }
            while let last = slice.last, isLinearWhiteSpace(last) { slice = slice.dropLast() }
            return slice
        }

        /// Header values may carry raw UTF-8 (browsers send file names that way); anything else is
        /// replaced rather than refused, since Go keeps such bytes too.
        private func decode(_ bytes: ArraySlice<UInt8>) -> String {
            String(decoding: bytes, as: UTF8.self)
        }

        private func isTokenByte(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            default:
                "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
        }
    }
}

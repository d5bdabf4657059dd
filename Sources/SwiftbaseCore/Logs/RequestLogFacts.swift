public import Foundation

/// What the transport knows about one answered request, turned into PocketBase's request log entry by
/// ``entry(settings:now:)``.
///
/// The entry is PocketBase's (`apis/middlewares.go`, `logRequest`): message `"GET /api/…"` (the request URI,
/// percent-decoded when it decodes), level 8 (error) when the handler failed and 0 (info) otherwise — a
/// handler that answers a 4xx itself without failing (the MFA 401) is info — and `data` with `type:
/// "request"`, `url`, `method`, `status`, `execTime` (ms, fractional), `auth` (the collection name or `""`),
/// `authId` only with `logAuthId`, `userIP`/`remoteIP` only with `logIP`, `referer`, `userAgent`, and for a
/// failure `error` (its message) and `details` (the field errors, or null).
public struct RequestLogFacts: Sendable {
    /// A failed request's error as the client got it.
    public struct Failure: Sendable {
        public var message: String
        public var details: JSONValue

        public init(message: String, details: JSONValue) {
            self.message = message
            self.details = details
        }
    }

    public var method: String
    /// The request URI as sent: path and query, still percent-encoded.
    public var uri: String
    public var status: Int
    /// How long the request took, in nanoseconds (stored as milliseconds, as PocketBase does).
    public var execTimeNanoseconds: UInt64
    /// The authenticated collection's name (`_superusers`, `users`) or an API key's marker; nil for a guest.
    public var authCollection: String?
    public var authId: String?
    public var userIP: String
    public var remoteIP: String
    public var referer: String
    public var userAgent: String
    public var failure: Failure?

    public init(
        method: String, uri: String, status: Int, execTimeNanoseconds: UInt64, authCollection: String?,
        authId: String?, userIP: String, remoteIP: String, referer: String, userAgent: String, failure: Failure?
    ) {
        self.method = method
        self.uri = uri
        self.status = status
        self.execTimeNanoseconds = execTimeNanoseconds
        self.authCollection = authCollection
        self.authId = authId
        self.userIP = userIP
        self.remoteIP = remoteIP
        self.referer = referer
        self.userAgent = userAgent
        self.failure = failure
    }

    public var level: Int { failure == nil ? LogLevel.info : LogLevel.error }

    /// `execTime` as stored: milliseconds, fractional.
    public var execTimeMilliseconds: Double { Double(execTimeNanoseconds) / 1_000_000 }

    /// The entry to store, or nil when the settings keep it out (logging off, or below `minLevel`).
    public func entry(settings: LogSettings, now: Date) -> LogEntry? {
        guard isKept(by: settings) else { return nil }
        var generator = SystemRandomNumberGenerator()
        let row = row(settings: settings, answeredAt: now, using: &generator)
        return LogEntry(
            id: row.id, created: row.created, level: row.level, message: row.message,
            data: (try? JSONValue.parse(row.data)) ?? [:])
    }

    /// Whether `settings` keep this request's entry (logging on, and at or above `minLevel`).
    public func isKept(by settings: LogSettings) -> Bool {
        settings.isEnabled && level >= settings.minLevel
    }

    /// The entry as stored, its `data` written as JSON straight from the facts — the same text
    /// `JSONValue.jsonString` writes for it (keys in byte order), without building the object first: a
    /// dictionary of `JSONValue`s and its sorted encoding were most of what logging a request cost.
    package func row(settings: LogSettings, answeredAt now: Date, using generator: inout some RandomNumberGenerator)
        -> LogRow
    {
        let method = Self.cut(self.method.uppercased(), 50)
        let url = Self.cut(uri, 3000)
        var data: [UInt8] = []
        data.reserveCapacity(160 + url.utf8.count + userAgent.utf8.count + referer.utf8.count)
        func member(_ key: StaticString, first: Bool = false) {
            if !first { data.append(UInt8(ascii: ",")) }
            data.append(UInt8(ascii: "\""))
            key.withUTF8Buffer { data.append(contentsOf: $0) }
            data.append(contentsOf: "\":".utf8)
        }
        // Keys in byte order: auth, authId, details, error, execTime, method, referer, remoteIP, status, type,
        // url, userAgent, userIP.
        data.append(UInt8(ascii: "{"))
        member("auth", first: true)
        JSONWriter.writeString(authCollection ?? "", into: &data)
        if settings.logAuthId, authCollection != nil, let authId {
            member("authId")
            JSONWriter.writeString(authId, into: &data)
        }
        if let failure {
            member("details")
            JSONWriter.write(failure.details, into: &data)
            member("error")
            JSONWriter.writeString(failure.message, into: &data)
        }
        member("execTime")
        Self.writeMilliseconds(nanoseconds: execTimeNanoseconds, into: &data)
        member("method")
        JSONWriter.writeString(method, into: &data)
        member("referer")
        JSONWriter.writeString(Self.cut(referer, 2000), into: &data)
        if settings.logIP {
            member("remoteIP")
            JSONWriter.writeString(remoteIP, into: &data)
        }
        member("status")
        JSONWriter.writeNumber(Double(status), into: &data)
        member("type")
        data.append(contentsOf: "\"request\"".utf8)
        member("url")
        JSONWriter.writeString(url, into: &data)
        member("userAgent")
        JSONWriter.writeString(Self.cut(userAgent, 2000), into: &data)
        if settings.logIP {
            member("userIP")
            JSONWriter.writeString(userIP, into: &data)
        }
        data.append(UInt8(ascii: "}"))
        if data.count > settings.dataSizeLimit { data = LogDataTruncation.truncate(data, limit: settings.dataSizeLimit) }
        return LogRow(
            id: Identifiers.timeOrderedID(
                millisecondsSince1970: Int64(now.timeIntervalSince1970 * 1000), using: &generator),
            created: DateTime.format(now), level: level,
            message: Self.cutBytes(method + " " + Self.decoded(url), LogSettings.maxMessageSize),
            data: String(decoding: data, as: UTF8.self))
    }

    /// `execTime` as `JSONWriter.writeNumber(execTimeMilliseconds)` writes it, from the integer: below 10^15 ns
    /// the nanoseconds have at most 15 significant digits, so the nearest double to ns / 10^6 has that exact
    /// decimal (trailing zeros dropped) as its shortest round-trip form — which is what Go's shortest formatting
    /// prints — and writing it takes no floating-point formatting (a fifth of the writer's time did).
    package static func writeMilliseconds(nanoseconds: UInt64, into out: inout [UInt8]) {
        guard nanoseconds < 1_000_000_000_000_000 else {
            JSONWriter.writeNumber(Double(nanoseconds) / 1_000_000, into: &out)
            return
        }
        out.append(contentsOf: String(nanoseconds / 1_000_000).utf8)
        var fraction = nanoseconds % 1_000_000
        guard fraction != 0 else { return }
        var digits = 6
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        out.append(UInt8(ascii: "."))
        var text = [UInt8](repeating: UInt8(ascii: "0"), count: digits)
        for index in stride(from: digits - 1, through: 0, by: -1) {
            text[index] = UInt8(ascii: "0") + UInt8(fraction % 10)
            fraction /= 10
        }
        out.append(contentsOf: text)
    }

    /// The URI percent-decoded when it decodes.
    static func decoded(_ uri: String) -> String {
        uri.removingPercentEscapes() ?? uri
    }

    /// PocketBase's `cutStr`: at most `max` bytes, then `...` when something was cut.
    package static func cut(_ text: String, _ max: Int) -> String {
        guard text.utf8.count > max else { return text }
        return String(decoding: text.utf8.prefix(max), as: UTF8.self) + "..."
    }

    /// `text`'s first `max` bytes at most, never splitting a character's bytes (PocketBase cuts the bytes).
    static func cutBytes(_ text: String, _ max: Int) -> String {
        guard text.utf8.count > max else { return text }
        var kept = 0
        var end = text.unicodeScalars.startIndex
        for scalar in text.unicodeScalars {
            kept += scalar.utf8.count
            if kept > max { break }
            end = text.unicodeScalars.index(after: end)
        }
        return String(text.unicodeScalars[..<end])
    }
}

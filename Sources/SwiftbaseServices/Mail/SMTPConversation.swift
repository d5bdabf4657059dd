import Foundation

/// One server reply: its three-digit code and the text of each of its lines (`250-STARTTLS`, `250 OK`).
struct SMTPReply: Equatable, Sendable {
    var code: Int
    var lines: [String]

    var isPositive: Bool { (200..<400).contains(code) }
}

/// Splits the bytes a server sends into replies: a reply ends with the line whose code is followed by a
/// space (or nothing); lines with `-` after the code continue it. Lines are CRLF- or LF-terminated and
/// bounded, so a hostile server cannot grow memory.
struct SMTPReplyParser {
    private var buffer: [UInt8] = []
    private var pending: [String] = []
    static let maxLineLength = 4096
    static let maxLines = 200

    struct Malformed: Error, Equatable {
        var reason: String
    }

    /// Feeds bytes; returns every reply completed by them.
    mutating func feed(_ bytes: some Sequence<UInt8>) throws(Malformed) -> [SMTPReply] {
        var replies: [SMTPReply] = []
        for byte in bytes {
            if byte != UInt8(ascii: "\n") {
                buffer.append(byte)
                if buffer.count > Self.maxLineLength { throw Malformed(reason: "line too long") }
                continue
            }
            if buffer.last == UInt8(ascii: "\r") { buffer.removeLast() }
            let line = String(decoding: buffer, as: UTF8.self)
            buffer.removeAll(keepingCapacity: true)
            let digits = line.prefix(3)
            guard digits.count == 3, digits.allSatisfy(\.isASCII), let code = Int(digits), (200...599).contains(code) else {
                throw Malformed(reason: "not a reply line")
            }
            let separator = line.dropFirst(3).first
            guard separator == nil || separator == " " || separator == "-" else { throw Malformed(reason: "bad separator") }
            pending.append(String(line.dropFirst(4)))
            if pending.count > Self.maxLines { throw Malformed(reason: "too many lines") }
            if separator != "-" {
                replies.append(SMTPReply(code: code, lines: pending))
                pending.removeAll()
            }
        }
        return replies
    }
}

/// What an SMTP submission needs to know about the server.
public struct SMTPConfiguration: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String
    /// `PLAIN` (the default) or `LOGIN`.
    public var authMethod: String
    /// Implicit TLS from the first byte (port 465). Otherwise STARTTLS is used whenever the server offers it.
    public var tls: Bool
    /// The name sent in EHLO; `localhost` when empty.
    public var localName: String

    public init(
        host: String, port: Int, username: String = "", password: String = "", authMethod: String = "",
        tls: Bool = false, localName: String = ""
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.authMethod = authMethod
        self.tls = tls
        self.localName = localName
    }
}

/// The client side of one SMTP submission (RFC 5321) as a state machine with no I/O: each server reply goes
/// in, the next action comes out. Greeting → EHLO → STARTTLS when offered on a plain connection (then EHLO
/// again) → AUTH PLAIN or LOGIN when a username is set → MAIL FROM → RCPT TO for each recipient → DATA →
/// the dot-stuffed message → QUIT. Any negative reply ends the conversation with an error naming the step.
struct SMTPConversation {
    enum Action: Equatable {
        /// Send these lines, each followed by CRLF.
        case send([String])
        /// Upgrade the connection to TLS, then call `tlsEstablished()`.
        case startTLS
        /// The message was accepted; close after sending `QUIT`.
        case finished
        case failed(String)
    }

    enum Step: Equatable {
        case greeting, ehlo, startTLS, ehloSecured, authPlain, authLoginUser, authLoginPassword, authLoginDone
        case mailFrom, recipient(Int), data, body, quit, done
    }

    let configuration: SMTPConfiguration
    let from: String
    let recipients: [String]
    let message: String
    private(set) var step: Step = .greeting
    private(set) var secured: Bool

    init(configuration: SMTPConfiguration, from: String, recipients: [String], message: String) {
        self.configuration = configuration
        self.from = from
        self.recipients = recipients
        self.message = message
        self.secured = configuration.tls
    }

    var ehlo: String { "EHLO " + (configuration.localName.isEmpty ? "localhost" : configuration.localName) }

    mutating func receive(_ reply: SMTPReply) -> Action {
        switch step {
        case .greeting:
            guard reply.code == 220 else { return fail("greeting", reply) }
            step = secured ? .ehloSecured : .ehlo
            return .send([ehlo])
        case .ehlo, .ehloSecured:
            guard reply.code == 250 else { return fail("EHLO", reply) }
            let extensions = reply.lines.dropFirst().map { $0.uppercased() }
            if !secured, extensions.contains(where: { $0 == "STARTTLS" || $0.hasPrefix("STARTTLS ") }) {
                step = .startTLS
                return .send(["STARTTLS"])
            }
            return authenticateOrSend()
        case .startTLS:
            guard reply.code == 220 else { return fail("STARTTLS", reply) }
            return .startTLS
        case .authPlain, .authLoginDone:
            guard reply.code == 235 else { return fail("AUTH", reply) }
            return mailFrom()
        case .authLoginUser:
            guard reply.code == 334 else { return fail("AUTH LOGIN", reply) }
            step = .authLoginPassword
            return .send([Data(configuration.username.utf8).base64EncodedString()])
        case .authLoginPassword:
            guard reply.code == 334 else { return fail("AUTH LOGIN", reply) }
            step = .authLoginDone
            return .send([Data(configuration.password.utf8).base64EncodedString()])
        case .mailFrom:
            guard reply.code == 250 else { return fail("MAIL FROM", reply) }
            return recipient(0)
        case .recipient(let index):
            guard reply.code == 250 || reply.code == 251 else { return fail("RCPT TO", reply) }
            return recipient(index + 1)
        case .data:
            guard reply.code == 354 else { return fail("DATA", reply) }
            step = .body
            return .send(Self.dotStuffed(message) + ["."])
        case .body:
            guard reply.code == 250 else { return fail("message", reply) }
            step = .quit
            return .send(["QUIT"])
        case .quit:
            step = .done
            return .finished
        case .done:
            return .finished
        }
    }

    /// After the TLS handshake of STARTTLS: greet again, as RFC 3207 requires.
    mutating func tlsEstablished() -> Action {
        secured = true
        step = .ehloSecured
        return .send([ehlo])
    }

    private mutating func authenticateOrSend() -> Action {
        guard !configuration.username.isEmpty else { return mailFrom() }
        if configuration.authMethod.uppercased() == "LOGIN" {
            step = .authLoginUser
            return .send(["AUTH LOGIN"])
        }
        step = .authPlain
        let credentials = Data([0] + Array(configuration.username.utf8) + [0] + Array(configuration.password.utf8))
        return .send(["AUTH PLAIN " + credentials.base64EncodedString()])
    }

    private mutating func mailFrom() -> Action {
        step = .mailFrom
        return .send(["MAIL FROM:<\(from)>"])
    }

    private mutating func recipient(_ index: Int) -> Action {
        guard index < recipients.count else {
            step = .data
            return .send(["DATA"])
        }
        step = .recipient(index)
        return .send(["RCPT TO:<\(recipients[index])>"])
    }

    private mutating func fail(_ what: String, _ reply: SMTPReply) -> Action {
        step = .done
        return .failed("\(what) refused: \(reply.code) \(reply.lines.first ?? "")")
    }

    /// The message as DATA lines: CRLF line breaks, and a leading `.` doubled (RFC 5321 §4.5.2).
    static func dotStuffed(_ message: String) -> [String] {
        var lines = message.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines.map { $0.hasPrefix(".") ? "." + $0 : $0 }
    }
}

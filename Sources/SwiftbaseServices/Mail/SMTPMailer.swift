import Foundation
import NIOCore
import NIOPosix
import NIOSSL
public import SwiftbaseCore

/// Why an SMTP submission failed: the step and the server's reply, or the transport's error. For logs;
/// clients only ever see PocketBase's generic wording.
public struct SMTPError: Error, CustomStringConvertible {
    public var description: String
}

/// Delivers mail to an SMTP server (RFC 5321): implicit TLS when configured (port 465), otherwise STARTTLS
/// whenever the server offers it (certificates checked against the system's trust store), AUTH PLAIN or
/// LOGIN when a username is set. One connection per message; the whole submission must finish within
/// `timeout`. The conversation itself is `SMTPConversation`, a state machine tested without sockets.
public struct SMTPMailer: Mailer {
    public let configuration: SMTPConfiguration
    public let timeout: Duration

    public init(configuration: SMTPConfiguration, timeout: Duration = .seconds(30)) {
        self.configuration = configuration
        self.timeout = timeout
    }

    public func send(_ message: MailMessage) async throws {
        let conversation = SMTPConversation(
            configuration: configuration, from: Self.address(message.from), recipients: message.to.map(Self.address),
            message: MIMEMessage.render(message, date: Date()))
        let limit = timeout
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await Self.deliver(conversation) }
            group.addTask {
                try await Task.sleep(for: limit)
                throw SMTPError(description: "SMTP submission timed out after \(limit)")
            }
            try await group.next()
            group.cancelAll()
        }
    }

    private static func deliver(_ start: SMTPConversation) async throws {
        var conversation = start
        let configuration = conversation.configuration
        let tlsContext = try NIOSSLContext(configuration: .makeClientConfiguration())
        let serverHostname = IPAllowList.parseAddress(configuration.host) == nil ? configuration.host : nil
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if configuration.tls {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: tlsContext, serverHostname: serverHostname))
                    }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        try await channel.executeThenClose { inbound, outbound in
            var parser = SMTPReplyParser()
            var replies: [SMTPReply] = []
            var iterator = inbound.makeAsyncIterator()
            while true {
                while replies.isEmpty {
                    guard let buffer = try await iterator.next() else {
                        throw SMTPError(description: "the SMTP server closed the connection")
                    }
                    do {
                        replies += try parser.feed(buffer.readableBytesView)
                    } catch {
                        throw SMTPError(description: "malformed SMTP reply: \(error)")
                    }
                }
                var action = conversation.receive(replies.removeFirst())
                if action == .startTLS {
                    guard replies.isEmpty else { throw SMTPError(description: "data after STARTTLS reply") }
                    let raw = channel.channel
                    try await raw.eventLoop.submit {
                        try raw.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: tlsContext, serverHostname: serverHostname), position: .first)
                    }.get()
                    action = conversation.tlsEstablished()
                }
                switch action {
                case .send(let lines):
                    try await outbound.write(ByteBuffer(string: lines.map { $0 + "\r\n" }.joined()))
                case .finished:
                    return
                case .failed(let reason):
                    throw SMTPError(description: reason)
                case .startTLS:
                    throw SMTPError(description: "unexpected STARTTLS")
                }
            }
        }
    }

    /// The address of a header value (`Name <a@b.c>` → `a@b.c`), with no line breaks or angle brackets left
    /// that could change the SMTP command.
    static func address(_ header: String) -> String {
        var text = header
        if let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close {
            text = String(text[text.index(after: open)..<close])
        }
        // By scalars: "\r\n" is one Character, which a character filter would let through.
        let kept = text.unicodeScalars.filter { $0 != "\r" && $0 != "\n" && $0 != "<" && $0 != ">" }
        return String(String.UnicodeScalarView(kept)).trimmingCharacters(in: .whitespaces)
    }
}

/// The mailer the app uses: SMTP when the settings enable it, otherwise one `.eml` file per message in the
/// data directory. Read at every send, so a settings change applies to the next mail.
public struct ConfiguredMailer: Mailer {
    let settings: SettingsService
    let files: FileMailer

    public init(settings: SettingsService, files: FileMailer) {
        self.settings = settings
        self.files = files
    }

    public func send(_ message: MailMessage) async throws {
        let smtp = settings.snapshot["smtp"]
        guard smtp?["enabled"]?.boolValue == true, let host = smtp?["host"]?.stringValue, !host.isEmpty else {
            return try await files.send(message)
        }
        let configuration = SMTPConfiguration(
            host: host, port: Int(saturating: smtp?["port"]?.doubleValue ?? 587), username: smtp?["username"]?.stringValue ?? "",
            password: smtp?["password"]?.stringValue ?? "", authMethod: smtp?["authMethod"]?.stringValue ?? "",
            tls: smtp?["tls"]?.boolValue ?? false, localName: smtp?["localName"]?.stringValue ?? "")
        try await SMTPMailer(configuration: configuration).send(message)
    }
}

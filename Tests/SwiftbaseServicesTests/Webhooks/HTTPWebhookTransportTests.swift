import Foundation
import NIOSSL
@testable import SwiftbaseCore
@testable import SwiftbaseServices
import Testing

/// Webhook delivery's own HTTP/1.1 client against a scripted receiver on real loopback sockets: what it sends,
/// how it reads answers of every framing, when it keeps, drops and replaces connections, and what it refuses.
@Suite("Webhook transport")
struct HTTPWebhookTransportTests {
    static let ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

    /// Requests get a long timeout: these tests assert outcomes, and a parallel test run can starve the
    /// cooperative threads for seconds (resolving and connecting count against an attempt's time).
    func request(_ url: String, body: String = #"{"type":"record.create"}"#, timeout: Duration = .seconds(60), allowPrivate: Bool = true)
        -> WebhookRequest
    {
        WebhookRequest(
            url: url, headers: [("x-team", "blue"), ("webhook-id", "msg_1")], body: Array(body.utf8), timeout: timeout,
            allowPrivateTargets: allowPrivate)
    }

    /// Runs `body` with a fresh transport and receiver, shutting both down after.
    func withReceiver(
        tls: NIOSSLContext? = nil, transport: HTTPWebhookTransport = HTTPWebhookTransport(),
        script: @escaping @Sendable (Int, ScriptedReceiver.Request) -> ScriptedReceiver.Reply,
        _ body: (HTTPWebhookTransport, ScriptedReceiver) async throws -> Void
    ) async throws {
        let receiver = try await ScriptedReceiver(tls: tls, script: script)
        do {
            try await body(transport, receiver)
        } catch {
            await transport.shutdown()
            await receiver.shutdown()
            throw error
        }
        await transport.shutdown()
        await receiver.shutdown()
    }

    @Test func sendsOnePostWithItsHeadersAndBodyAndKeepsTheConnection() async throws {
        try await withReceiver(script: { _, _ in .answer(Self.ok) }) { transport, receiver in
            let url = "http://127.0.0.1:\(receiver.port)/hooks/in?team=blue"
            let first = await transport.send(request(url, body: #"{"n":1}"#))
            let second = await transport.send(request(url, body: #"{"n":2}"#))
            #expect(first.outcome == .succeeded && first.status == 200 && first.body == "ok" && first.error == "")
            #expect(second.outcome == .succeeded)
            let seen = receiver.requests
            try #require(seen.count == 2)
            #expect(seen[0].head.hasPrefix("POST /hooks/in?team=blue HTTP/1.1\r\n"))
            #expect(seen[0].header("host") == "127.0.0.1:\(receiver.port)")
            #expect(seen[0].header("content-length") == "7")
            #expect(seen[0].header("x-team") == "blue" && seen[0].header("webhook-id") == "msg_1")
            #expect(seen[0].header("transfer-encoding") == nil)
            #expect(seen[0].body == Array(#"{"n":1}"#.utf8) && seen[1].body == Array(#"{"n":2}"#.utf8))
            #expect(seen.map(\.connection) == [0, 0], "the second message reuses the first connection")
            #expect(receiver.connections == 1)
        }
    }

    @Test func readsChunkedAndCloseDelimitedAnswersAndKeepsTheirFirstKiB() async throws {
        let long = String(repeating: "x", count: 3_000)
        let chunked = "HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "bb8\r\n\(long)\r\n5\r\nhello\r\n0\r\n\r\n"
        let closeDelimited = "HTTP/1.0 202 Accepted\r\n\r\nqueued"
        try await withReceiver(script: { index, _ in index == 0 ? .answer(chunked) : .answerAndClose(closeDelimited) }) { transport, receiver in
            let url = "http://127.0.0.1:\(receiver.port)/"
            let failed = await transport.send(request(url))
            #expect(failed.outcome == .httpError && failed.status == 500)
            #expect(failed.body == String(repeating: "x", count: WebhookAttempt.bodyExcerptLimit))
            #expect(failed.error == "The receiver answered 500.")
            // The chunked answer was read to its end, so the connection carries the next message.
            let accepted = await transport.send(request(url))
            #expect(accepted.outcome == .succeeded && accepted.status == 202 && accepted.body == "queued")
            #expect(receiver.requests.map(\.connection) == [0, 0])
            // An HTTP/1.0 answer without keep-alive ends the connection: the next message opens another.
            let third = await transport.send(request(url))
            #expect(third.outcome == .succeeded)
            #expect(receiver.requests.map(\.connection) == [0, 0, 1])
        }
    }

    @Test func connectionCloseIsHonoured() async throws {
        let closing = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
        try await withReceiver(script: { _, _ in .answer(closing) }) { transport, receiver in
            let url = "http://127.0.0.1:\(receiver.port)/"
            for _ in 0..<3 { #expect(await transport.send(request(url)).outcome == .succeeded) }
            #expect(receiver.requests.map(\.connection) == [0, 1, 2])
        }
    }

    /// A receiver that drops a kept connection just as a message goes out on it (its idle timeout): the
    /// message goes again, once, on a new connection.
    @Test func aMessageAKeptConnectionLostGoesAgainOnANewOne() async throws {
        try await withReceiver(script: { index, _ in index == 1 ? .hangUp : .answer(Self.ok) }) { transport, receiver in
            let url = "http://127.0.0.1:\(receiver.port)/"
            #expect(await transport.send(request(url)).outcome == .succeeded)
            let second = await transport.send(request(url, body: "second"))
            #expect(second.outcome == .succeeded, "\(second)")
            let seen = receiver.requests
            #expect(seen.map(\.connection) == [0, 0, 1])
            #expect(seen[1].body == Array("second".utf8) && seen[2].body == Array("second".utf8))
        }
    }

    /// On a new connection there is nothing to blame but the receiver: no second try inside one attempt.
    @Test func aNewConnectionThatHangsUpIsAConnectionError() async throws {
        try await withReceiver(script: { _, _ in .hangUp }) { transport, receiver in
            let attempt = await transport.send(request("http://127.0.0.1:\(receiver.port)/"))
            #expect(attempt.outcome == .connectionError && attempt.status == 0)
            #expect(attempt.error == "The receiver closed the connection without answering.")
            #expect(receiver.requests.count == 1)
        }
    }

    @Test func noAnswerInTimeIsATimeoutAndTheConnectionIsNotReused() async throws {
        try await withReceiver(script: { index, _ in index == 1 ? .silence : .answer(Self.ok) }) { transport, receiver in
            let url = "http://127.0.0.1:\(receiver.port)/"
            // The first message opens the connection, so the short timeout below runs on the exchange alone.
            #expect(await transport.send(request(url)).outcome == .succeeded)
            let started = ContinuousClock.now
            let late = await transport.send(request(url, timeout: .milliseconds(300)))
            #expect(late.outcome == .timeout, "\(late)")
            #expect(ContinuousClock.now - started < .seconds(30), "the attempt's own timeout ended it, not the default")
            #expect(await transport.send(request(url)).outcome == .succeeded)
            #expect(receiver.requests.map(\.connection) == [0, 0, 1])
        }
    }

    @Test func aRefusedConnectionIsAConnectionError() async throws {
        let receiver = try await ScriptedReceiver(script: { _, _ in .answer(Self.ok) })
        let port = receiver.port
        await receiver.shutdown()
        let transport = HTTPWebhookTransport()
        let attempt = await transport.send(request("http://127.0.0.1:\(port)/"))
        await transport.shutdown()
        #expect(attempt.outcome == .connectionError && attempt.status == 0 && !attempt.error.isEmpty)
    }

    /// Private targets are refused before any connection is made, and a connection kept while they were
    /// allowed is not used once they are not.
    @Test func privateTargetsAreRefusedUnlessAllowed() async throws {
        try await withReceiver(script: { _, _ in .answer(Self.ok) }) { transport, receiver in
            let url = "http://127.0.0.1:\(receiver.port)/"
            let refused = await transport.send(request(url, allowPrivate: false))
            #expect(refused.outcome == .refused && refused.error.contains("127.0.0.1"), "\(refused)")
            #expect(receiver.connections == 0)
            #expect(await transport.send(request(url, allowPrivate: true)).outcome == .succeeded)
            #expect(await transport.send(request(url, allowPrivate: false)).outcome == .refused)
            #expect(receiver.requests.count == 1)
            let byName = await transport.send(request("http://localhost:\(receiver.port)/", allowPrivate: false))
            #expect(byName.outcome == .refused)
        }
    }

    /// A name that does not resolve (`.invalid` never does, RFC 6761) is a connection error, retried as one: DNS
    /// may answer later. Whether private targets are allowed does not change that.
    @Test func anUnresolvableHostIsAConnectionError() async {
        let transport = HTTPWebhookTransport()
        for allowPrivate in [false, true] {
            let attempt = await transport.send(request("http://no-such-host.invalid/", allowPrivate: allowPrivate))
            #expect(attempt.outcome == .connectionError && attempt.error.contains("could not be resolved"), "\(attempt)")
        }
        await transport.shutdown()
    }

    @Test func urlsThatAreNotHTTPAreRefused() async {
        let transport = HTTPWebhookTransport()
        for url in ["ftp://example.com/", "http:///nohost", "not a url", "http://example.com:0/"] {
            #expect(await transport.send(request(url)).outcome == .refused, "\(url)")
        }
        await transport.shutdown()
    }

    @Test func afterShutdownNothingIsSent() async throws {
        let receiver = try await ScriptedReceiver(script: { _, _ in .answer(Self.ok) })
        let transport = HTTPWebhookTransport()
        let url = "http://127.0.0.1:\(receiver.port)/"
        #expect(await transport.send(request(url)).outcome == .succeeded)
        await transport.shutdown()
        let after = await transport.send(request(url))
        #expect(after.outcome == .connectionError && after.error == "Swiftbase is shutting down.")
        #expect(receiver.requests.count == 1)
        await receiver.shutdown()
    }

    @Test func cancellingTheSenderAbandonsTheAttempt() async throws {
        let (arrivals, arrived) = AsyncStream<Void>.makeStream()
        try await withReceiver(script: { _, _ in
            arrived.yield()
            return .silence
        }) { transport, receiver in
            let url = "http://127.0.0.1:\(receiver.port)/"
            let started = ContinuousClock.now
            let sending = Task { await transport.send(request(url, timeout: .seconds(300))) }
            var waiting = arrivals.makeAsyncIterator()
            _ = await waiting.next()  // the receiver has the request
            sending.cancel()
            let attempt = await sending.value
            #expect(attempt.outcome == .connectionError)
            #expect(ContinuousClock.now - started < .seconds(120), "cancelling ended it, not its timeout")
        }
    }

    /// `https` targets: the certificate is checked against the trust roots and the host name.
    @Test func httpsTargetsAreVerified() async throws {
        let (certificate, key) = try Self.selfSignedCertificate(commonName: "localhost")
        let server = try NIOSSLContext(configuration: .makeServerConfiguration(certificateChain: [.certificate(certificate)], privateKey: .privateKey(key)))
        var trusting = TLSConfiguration.makeClientConfiguration()
        trusting.trustRoots = .certificates([certificate])
        try await withReceiver(tls: server, transport: HTTPWebhookTransport(tlsConfiguration: trusting), script: { _, _ in .answer(Self.ok) }) {
            transport, receiver in
            let trusted = await transport.send(request("https://localhost:\(receiver.port)/tls"))
            #expect(trusted.outcome == .succeeded, "\(trusted)")
            #expect(receiver.requests.first?.header("host") == "localhost:\(receiver.port)")
            // The same certificate presented for another name fails the name check.
            let wrongName = await transport.send(request("https://127.0.0.1:\(receiver.port)/tls"))
            #expect(wrongName.outcome == .connectionError, "\(wrongName)")
            // Not among the system's trust roots.
            let system = HTTPWebhookTransport()
            let untrusted = await system.send(request("https://localhost:\(receiver.port)/tls"))
            await system.shutdown()
            #expect(untrusted.outcome == .connectionError, "\(untrusted)")
            #expect(receiver.requests.count == 1)
        }
    }

    /// A throwaway self-signed certificate for `commonName`, made by the `openssl` command.
    static func selfSignedCertificate(commonName: String) throws -> (NIOSSLCertificate, NIOSSLPrivateKey) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("webhook-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", "/CN=\(commonName)", "-addext", "subjectAltName=DNS:\(commonName)",
            "-keyout", directory.appendingPathComponent("key.pem").path, "-out", directory.appendingPathComponent("cert.pem").path,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "openssl could not make a certificate")
        let certificate = try #require(try NIOSSLCertificate.fromPEMFile(directory.appendingPathComponent("cert.pem").path).first)
        let key = try NIOSSLPrivateKey(file: directory.appendingPathComponent("key.pem").path, format: .pem)
        return (certificate, key)
    }
}

@Suite("Webhook targets")
struct WebhookTargetTests {
    @Test func urlsAreTakenApart() throws {
        let plain = try #require(WebhookTarget(url: "http://Example.com/in?a=1&b=%20"))
        #expect(plain.origin == .init(tls: false, host: "example.com", port: 80))
        #expect(plain.requestTarget == "/in?a=1&b=%20" && plain.hostHeader == "Example.com")
        let bare = try #require(WebhookTarget(url: "https://example.com"))
        #expect(bare.origin == .init(tls: true, host: "example.com", port: 443) && bare.requestTarget == "/")
        let v6 = try #require(WebhookTarget(url: "https://[2001:db8::1]:8443/x"))
        #expect(v6.origin == .init(tls: true, host: "2001:db8::1", port: 8443))
        #expect(v6.hostHeader == "[2001:db8::1]:8443" && v6.requestTarget == "/x")
        #expect(WebhookTarget(url: "http://example.com:80/")?.hostHeader == "example.com")
        for bad in ["ftp://example.com", "http://", "mailto:a@b.c", "http://example.com:70000/", "//example.com/"] {
            #expect(WebhookTarget(url: bad) == nil, "\(bad)")
        }
    }
}

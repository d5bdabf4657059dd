import Foundation
import Testing

@testable import SwiftbaseServices

@Suite("SMTP conversation")
struct SMTPConversationTests {
    func reply(_ code: Int, _ lines: String...) -> SMTPReply { SMTPReply(code: code, lines: lines) }

    func conversation(username: String = "", method: String = "", tls: Bool = false) -> SMTPConversation {
        SMTPConversation(
            configuration: SMTPConfiguration(
                host: "mx", port: 25, username: username, password: "p@ss", authMethod: method, tls: tls,
                localName: "app.example"),
            from: "no-reply@example.com", recipients: ["a@x.io", "b@x.io"],
            message: "Subject: hi\r\n\r\nline one\r\n.hidden dot\r\n")
    }

    @Test func plainSubmissionWithoutAuth() {
        var c = conversation()
        #expect(c.receive(reply(220, "mx ready")) == .send(["EHLO app.example"]))
        #expect(c.receive(reply(250, "mx", "8BITMIME", "SIZE 100")) == .send(["MAIL FROM:<no-reply@example.com>"]))
        #expect(c.receive(reply(250, "OK")) == .send(["RCPT TO:<a@x.io>"]))
        #expect(c.receive(reply(250, "OK")) == .send(["RCPT TO:<b@x.io>"]))
        #expect(c.receive(reply(251, "forwarding")) == .send(["DATA"]))
        #expect(c.receive(reply(354, "go")) == .send(["Subject: hi", "", "line one", "..hidden dot", "."]))
        #expect(c.receive(reply(250, "queued")) == .send(["QUIT"]))
        #expect(c.receive(reply(221, "bye")) == .finished)
    }

    @Test func startTLSWhenOfferedThenAuthPlain() {
        var c = conversation(username: "user")
        _ = c.receive(reply(220, "ready"))
        #expect(c.receive(reply(250, "mx", "STARTTLS", "AUTH PLAIN LOGIN")) == .send(["STARTTLS"]))
        #expect(c.receive(reply(220, "go ahead")) == .startTLS)
        #expect(c.tlsEstablished() == .send(["EHLO app.example"]))
        let plain = Data("\0user\0p@ss".utf8).base64EncodedString()
        #expect(c.receive(reply(250, "mx", "STARTTLS", "AUTH PLAIN")) == .send(["AUTH PLAIN " + plain]))
        #expect(c.receive(reply(235, "ok")) == .send(["MAIL FROM:<no-reply@example.com>"]))
    }

    @Test func implicitTLSNeverAsksForStartTLSAndLoginAuthSendsTwoSteps() {
        var c = conversation(username: "user", method: "LOGIN", tls: true)
        _ = c.receive(reply(220, "ready"))
        #expect(c.receive(reply(250, "mx", "STARTTLS")) == .send(["AUTH LOGIN"]))
        #expect(c.receive(reply(334, "VXNlcm5hbWU6")) == .send([Data("user".utf8).base64EncodedString()]))
        #expect(c.receive(reply(334, "UGFzc3dvcmQ6")) == .send([Data("p@ss".utf8).base64EncodedString()]))
        #expect(c.receive(reply(235, "ok")) == .send(["MAIL FROM:<no-reply@example.com>"]))
    }

    @Test(arguments: [(0, 554), (1, 502), (2, 550)])
    func negativeRepliesEndTheConversation(at step: Int, code: Int) {
        var c = conversation()
        let script = [reply(220, "ready"), reply(250, "mx"), reply(250, "ok")]
        for i in 0..<step { _ = c.receive(script[i]) }
        guard case .failed(let reason) = c.receive(reply(code, "no")) else {
            Issue.record("expected a failure")
            return
        }
        #expect(reason.contains(String(code)))
    }

    @Test func parserJoinsMultilineRepliesWhateverTheSplit() throws {
        let bytes = Array("220 hi\r\n250-mx\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n354 go\n".utf8)
        let expected = [reply(220, "hi"), reply(250, "mx", "STARTTLS", "AUTH PLAIN"), reply(354, "go")]
        for split in 0...bytes.count {
            var parser = SMTPReplyParser()
            let replies = try parser.feed(bytes[..<split]) + parser.feed(bytes[split...])
            #expect(replies == expected, "split at \(split)")
        }
        var dripped = SMTPReplyParser()
        var replies: [SMTPReply] = []
        for byte in bytes { replies += try dripped.feed([byte]) }
        #expect(replies == expected)
    }

    @Test(arguments: ["hello\r\n", "25 x\r\n", "250x\r\n", "600 no\r\n", String(repeating: "2", count: 5000)])
    func parserRefusesGarbage(input: String) {
        var parser = SMTPReplyParser()
        #expect(throws: SMTPReplyParser.Malformed.self) { _ = try parser.feed(Array(input.utf8)) }
    }

    @Test func envelopeAddressesCannotCarryCommands() {
        #expect(SMTPMailer.address("Support <no-reply@example.com>") == "no-reply@example.com")
        #expect(SMTPMailer.address("a@x.io>\r\nRCPT TO:<evil@x.io") == "a@x.ioRCPT TO:evil@x.io")
    }
}

import Foundation
import SwiftbaseCore
import Testing

@testable import SwiftbaseServices

@Suite("File mailer")
struct FileMailerTests {
    let message = MailMessage(
        from: "Support <no-reply@localhost>", to: ["ann@example.com"], subject: "Verify your Zoë email",
        html: "<p>Hi <a href=\"http://x/confirm/TOKEN\">link</a></p>", text: "Hi http://x/confirm/TOKEN")

    @Test func writesOneCompleteMessagePerSend() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sb-mail-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let mailer = FileMailer(directory: directory)
        try await mailer.send(message)
        try await mailer.send(message)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(files.count == 2)
        #expect(files.allSatisfy { $0.hasSuffix(".eml") && !$0.hasPrefix(".") })
        let text = try String(contentsOf: directory.appendingPathComponent(files[0]), encoding: .utf8)
        #expect(text.contains("To: ann@example.com\r\n"))
        #expect(text.contains("Subject: =?UTF-8?B?"))
        #expect(text.contains("Content-Type: multipart/alternative; boundary="))
    }

    @Test func bodiesRoundTripThroughBase64Parts() throws {
        let rendered = MIMEMessage.render(message, date: Date(timeIntervalSince1970: 0), boundary: "B")
        let parts = rendered.components(separatedBy: "--B")
        #expect(parts.count == 4)  // preamble, text, html, closing
        for (part, expected) in zip(parts[1...2], [message.text, message.html]) {
            let body = part.components(separatedBy: "\r\n\r\n")[1].replacingOccurrences(of: "\r\n", with: "")
            #expect(String(decoding: Data(base64Encoded: body) ?? Data(), as: UTF8.self) == expected)
        }
        #expect(rendered.contains("Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"))
    }

    @Test(arguments: ["a\r\nBcc: evil@example.com", "a\nBcc: evil@example.com", "a\rBcc: x"])
    func headerValuesCannotInjectHeaders(subject: String) {
        var hostile = message
        hostile.subject = subject
        let rendered = MIMEMessage.render(hostile, date: Date(), boundary: "B")
        let headers = rendered.components(separatedBy: "\r\n\r\n")[0].components(separatedBy: "\r\n")
        #expect(!headers.contains { $0.hasPrefix("Bcc:") })
    }
}

public import Foundation
public import SwiftbaseCore

/// Delivers mail by writing each message as one RFC 5322 file, `DIRECTORY/<time>-<random>.eml`, so local
/// development and tests can read what would have been sent (open it in any mail client, or parse it).
/// The default until an SMTP server is configured.
///
/// Each file is written under a temporary name and renamed into place, so a reader never sees half a
/// message.
public struct FileMailer: Mailer {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    public func send(_ message: MailMessage) async throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let stamp = Self.fileStamp(Date())
        let name = "\(stamp)-\(RandomString.make(length: 8, alphabet: RandomString.lowercaseAlphanumeric)).eml"
        let temporary = directory.appendingPathComponent("." + name + ".tmp")
        try Data(MIMEMessage.render(message, date: Date()).utf8).write(to: temporary)
        try FileManager.default.moveItem(at: temporary, to: directory.appendingPathComponent(name))
    }

    /// `20261202T145501.123Z`: sorts in sending order.
    static func fileStamp(_ date: Date) -> String {
        MIMEMessage.utc(date, format: "yyyyMMdd'T'HHmmss.SSS'Z'")
    }
}

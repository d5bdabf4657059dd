import Foundation
public import SwiftbaseCore

/// How a Swiftbase instance runs: flags (PocketBase's names) over `SB_*` environment variables over defaults.
public struct SwiftbaseConfiguration: Sendable {
    /// Data directory: `data.db`, `storage/`.
    public var dataDirectory: String
    public var host: String
    public var port: Int
    /// Development mode: more logging.
    public var dev: Bool
    /// Request bodies over this many bytes are refused with 413 (PocketBase: 32 MiB).
    public var maxBodySize: Int
    /// CORS allowed origins; `*` allows any.
    public var allowedOrigins: [String]
    /// What auth mails call the app (`{APP_NAME}`).
    public var appName: String
    /// The app's public URL for links in auth mails (`{APP_URL}`); derived from the listen address when nil.
    public var appURL: String?

    public init(
        dataDirectory: String = "./sb_data", host: String = "127.0.0.1", port: Int = 8090, dev: Bool = false,
        maxBodySize: Int = 32 << 20, allowedOrigins: [String] = ["*"], appName: String = "Swiftbase",
        appURL: String? = nil
    ) {
        self.dataDirectory = dataDirectory
        self.host = host
        self.port = port
        self.dev = dev
        self.maxBodySize = maxBodySize
        self.allowedOrigins = allowedOrigins
        self.appName = appName
        self.appURL = appURL
    }

    /// Sender and app names for auth mails. Until SMTP settings exist, mail is written to `DIR/mail/`.
    public var mailSettings: MailSettings {
        let shownHost = host == "0.0.0.0" || host.isEmpty ? "127.0.0.1" : host
        return MailSettings(
            appName: appName, appURL: appURL ?? "http://\(shownHost):\(port)", senderName: appName,
            senderAddress: "no-reply@\(shownHost == "127.0.0.1" ? "localhost" : shownHost)")
    }

    /// Parses `--http` values: `127.0.0.1:8090`, `:8090`, `0.0.0.0:80`.
    public mutating func setHTTPAddress(_ address: String) throws(SwiftbaseConfigurationError) {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
            (0...65535).contains(port)
        else { throw SwiftbaseConfigurationError(message: "invalid --http address \"\(address)\": want host:port") }
        let host = String(address[..<colon])
        self.host = host.isEmpty ? "0.0.0.0" : host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        self.port = port
    }
}

public struct SwiftbaseConfigurationError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

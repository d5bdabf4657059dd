/// One outgoing email. `html` is the body as the collection's template renders it; `text` is a plain-text
/// rendering of it for clients that want one.
public struct MailMessage: Sendable, Equatable {
    public var from: String
    public var to: [String]
    public var subject: String
    public var html: String
    public var text: String

    public init(from: String, to: [String], subject: String, html: String, text: String) {
        self.from = from
        self.to = to
        self.subject = subject
        self.html = html
        self.text = text
    }
}

/// Delivers mail for the auth flows (verification, password reset, email change, OTP). Implementations
/// live outside the core: a file mailer for development and tests, SMTP when configured.
public protocol Mailer: Sendable {
    func send(_ message: MailMessage) async throws
}

/// Who the mails are from and what the templates call the app (`{APP_NAME}`, `{APP_URL}`).
public struct MailSettings: Sendable, Equatable {
    public var appName: String
    public var appURL: String
    public var senderName: String
    public var senderAddress: String

    public init(
        appName: String = "Swiftbase", appURL: String = "http://127.0.0.1:8090", senderName: String = "Support",
        senderAddress: String = "no-reply@example.com"
    ) {
        self.appName = appName
        self.appURL = appURL
        self.senderName = senderName
        self.senderAddress = senderAddress
    }

    /// `Name <address>`, the From header.
    public var from: String { senderName.isEmpty ? senderAddress : "\(senderName) <\(senderAddress)>" }
}

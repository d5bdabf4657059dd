import Foundation
public import Logging
import Synchronization

/// The auth flows that reach a user by mail: email verification, password reset, email change and one-time
/// passwords. Each answers as PocketBase does — including its anti-enumeration habits (unknown emails get
/// the same answer as known ones) — and every record change goes through `RecordService`, the one write
/// path, acting as the system.
public final class AccountService: Sendable {
    public let records: RecordService
    public let auth: AuthService
    public let mailer: any Mailer
    /// Where mails go that PocketBase sends in the background (verification, password reset, OTP).
    public let queue: MailQueue
    /// Read at every send, so a change of the app settings (`meta`) applies to the next mail.
    let mailSettings: @Sendable () -> MailSettings
    let logger: Logger
    /// Addresses that asked for a verification or reset mail in the last two minutes (PocketBase's resend
    /// throttle).
    let recentRequests = Mutex<[String: ContinuousClock.Instant]>([:])
    /// `auth-with-otp` attempts per record and client address.
    let otpAttempts = OTPAttemptWindow()

    static let resendInterval: Duration = .seconds(120)

    public init(
        records: RecordService, auth: AuthService, mailer: any Mailer, queue: MailQueue,
        mailSettings: @escaping @Sendable () -> MailSettings, logger: Logger
    ) {
        self.records = records
        self.auth = auth
        self.mailer = mailer
        self.queue = queue
        self.mailSettings = mailSettings
        self.logger = logger
    }

    /// Forgets the `auth-with-otp` attempt counts; the app calls it after a settings save, when PocketBase
    /// starts its rate limiters again.
    public func resetOTPAttempts() {
        otpAttempts.reset()
    }

    // MARK: - Shared helpers

    static let loadingFailed = "An error occurred while loading the submitted data."
    static let validationFailed = "An error occurred while validating the submitted data."
    static let system = RequestInfo(auth: .system, method: "POST")

    /// The auth collection named by a route, or PocketBase's 404.
    public func authCollection(_ idOrName: String) throws -> CollectionModel {
        try auth.authCollection(idOrName)
    }

    /// `email` as the request forms check it: required, at most 255 characters, an email address.
    static func emailProblem(_ email: String) -> ErrorItem? {
        if email.isEmpty { return .required }
        if email.count > 255 { return .lengthOutOfRange(min: 1, max: 255) }
        if !AddressFormat.isEmail(email) { return .isEmail }
        return nil
    }

    static func requireValidEmail(_ email: String, key: String = "email") throws {
        if let problem = emailProblem(email) {
            throw SwiftbaseError.validation(validationFailed, .items([key: problem]))
        }
    }

    /// True when `key` asked within the resend interval; otherwise remembers it now.
    func throttled(_ key: String) -> Bool {
        let now = ContinuousClock.now
        return recentRequests.withLock { recent in
            recent = recent.filter { now - $0.value < Self.resendInterval }
            if recent[key] != nil { return true }
            recent[key] = now
            return false
        }
    }

    func forgetThrottle(_ key: String) {
        _ = recentRequests.withLock { $0.removeValue(forKey: key) }
    }

    /// Renders the collection's template `key` for `record` and sends it to `to` — now, or after the answer
    /// when `inBackground` (then `onFailure` runs if it cannot be delivered).
    func sendTemplate(
        _ key: String, to address: String, record: RecordModel, collection: CollectionModel, values: [String: String],
        inBackground: Bool = false, onFailure: @escaping @Sendable () async -> Void = {}
    ) async throws {
        guard let template = MailTemplate(key, of: collection) else {
            throw SwiftbaseError(.internalError, "Failed to send email.", debugDetail: "no \(key) in \(collection.name)")
        }
        let settings = mailSettings()
        let rendered = template.render(settings: settings, record: record, collection: collection, values: values)
        let message = MailMessage(
            from: settings.from, to: [address], subject: rendered.subject, html: rendered.html,
            text: MailTemplate.plainText(fromHTML: rendered.html))
        guard inBackground else { return try await mailer.send(message) }
        if !queue.enqueue(message, onFailure: onFailure) {
            await onFailure()
            throw SwiftbaseError(.internalError, "Failed to send email.", debugDetail: "mail queue full")
        }
    }

    /// Mails a token of `kind` to `email` through the collection's `template`, at most once per resend
    /// interval per record: the shared half of `request-verification` and `request-password-reset`. A send
    /// that fails is logged (the client was already told 204, as PocketBase's background send) and lifts the
    /// throttle so the user may retry.
    func mailToken(
        _ kind: AuthTokenKind, template: String, to email: String, record: RecordModel, collection: CollectionModel
    ) async throws {
        let throttleKey = "\(kind.rawValue)/\(collection.id)/\(record.id)"
        guard !throttled(throttleKey) else { return }
        let token = try await auth.issueToken(kind, for: record, in: collection, email: email)
        do {
            try await sendTemplate(
                template, to: email, record: record, collection: collection, values: ["TOKEN": token],
                inBackground: true, onFailure: { [weak self] in self?.forgetThrottle(throttleKey) })
        } catch {
            forgetThrottle(throttleKey)
            logger.error("failed to send \(kind.rawValue) email", metadata: ["sb.error": "\(error)"])
        }
    }

    func forgetThrottle(_ kind: AuthTokenKind, record: RecordModel, collection: CollectionModel) {
        forgetThrottle("\(kind.rawValue)/\(collection.id)/\(record.id)")
    }

    /// Saves `values` on a record as the system, through the one write path.
    @discardableResult
    func save(_ values: [String: JSONValue], on record: RecordModel, in collection: CollectionModel) async throws
        -> RecordModel
    {
        try await records.update(in: collection.id, id: record.id, input: RecordInput(values), request: Self.system)
    }

    /// A password nobody knows: set where PocketBase guards against pre-registered accounts being taken
    /// over (an address proven by mail on a collection that cannot log in with a password).
    static func randomPassword() -> JSONValue {
        .string(RandomString.make(length: 30, alphabet: RandomString.alphanumeric))
    }
}

/// The one error type the core throws for anything a client caused or may see.
///
/// It carries no HTTP status: the HTTP layer maps `code` to a status once. `message` is safe to show
/// (sentence-cased, ends with a period); `data` holds per-field items in PocketBase's shape. Raw causes
/// (SQL, values, secrets) never go into either; put them in `debugDetail`, which is only logged.
public struct SwiftbaseError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case badRequest, unauthorized, forbidden, notFound, gone, payloadTooLarge, tooManyRequests, internalError
            case gatewayTimeout
        }
        private let base: Base

        public static let badRequest = Code(base: .badRequest)
        public static let unauthorized = Code(base: .unauthorized)
        public static let forbidden = Code(base: .forbidden)
        public static let notFound = Code(base: .notFound)
        /// What was asked for existed once and was removed for good (a pruned part of the change log).
        public static let gone = Code(base: .gone)
        public static let payloadTooLarge = Code(base: .payloadTooLarge)
        public static let tooManyRequests = Code(base: .tooManyRequests)
        public static let internalError = Code(base: .internalError)
        /// Something the request waited for took longer than it may (a function past its timeout): 504.
        public static let gatewayTimeout = Code(base: .gatewayTimeout)

        public var description: String { base.rawValue }
    }

    public var code: Code
    public var message: String
    public var data: ErrorData
    /// Logged, never sent.
    public var debugDetail: String?
    /// Seconds after which a refused request may be retried; sent as `Retry-After` on 429 answers.
    public var retryAfter: Int?
    /// Set on refusals the audit log must remember (rule and scope denials, failed logins).
    public var audit: AuditNote?

    /// The same error, marked for the audit log.
    public func audited(_ event: String, target: String) -> SwiftbaseError {
        var copy = self
        copy.audit = AuditNote(event: event, target: target)
        return copy
    }

    public init(_ code: Code, _ message: String, data: ErrorData = .fields([:]), debugDetail: String? = nil) {
        self.code = code
        self.message = message
        self.data = data
        self.debugDetail = debugDetail
    }

    public var description: String { "\(code): \(message)" }

    public static func == (lhs: SwiftbaseError, rhs: SwiftbaseError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.data == rhs.data
    }
}

// MARK: - Constructors with PocketBase's default messages

extension SwiftbaseError {
    public static func badRequest(
        _ message: String = "Something went wrong while processing your request.",
        data: ErrorData = .fields([:])
    ) -> SwiftbaseError {
        SwiftbaseError(.badRequest, message, data: data)
    }

    public static func validation(_ message: String, _ errors: ErrorData) -> SwiftbaseError {
        SwiftbaseError(.badRequest, message, data: errors)
    }

    public static func unauthorized(_ message: String = "Missing or invalid authentication.") -> SwiftbaseError {
        SwiftbaseError(.unauthorized, message)
    }

    public static func forbidden(_ message: String = "You are not allowed to perform this request.") -> SwiftbaseError {
        SwiftbaseError(.forbidden, message)
    }

    public static func notFound(_ message: String = "The requested resource wasn't found.") -> SwiftbaseError {
        SwiftbaseError(.notFound, message)
    }

    public static func tooLarge(_ message: String = "Request entity too large.") -> SwiftbaseError {
        SwiftbaseError(.payloadTooLarge, message)
    }
}

/// Why a presented credential (a record token or an `sbk_` API key) does not stand for an identity.
///
/// Transports decide what a rejection means: HTTP and realtime treat the requester as a guest, as PocketBase
/// does; a transport that must refuse (an MQTT CONNECT) answers with its own "bad credentials". The code is
/// for logs and tests; neither `code` nor `description` ever holds the credential itself.
public struct CredentialError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case malformed, unsupportedTokenType, expired, invalid, revoked, addressNotAllowed
        }
        private let base: Base

        /// Not a token this server issues (not a JWT with record claims), or an `sbk_` key of the wrong length.
        public static let malformed = Code(base: .malformed)
        /// A record token of another type: file, verification, password-reset and email-change tokens do not
        /// authenticate requests.
        public static let unsupportedTokenType = Code(base: .unsupportedTokenType)
        /// A token or API key past its expiry. A token is only called expired when its signature verifies.
        public static let expired = Code(base: .expired)
        /// A token whose signature does not verify (forged, or the record's `tokenKey` or the collection's
        /// secret changed since), whose collection or record is gone; an API key that does not exist.
        public static let invalid = Code(base: .invalid)
        /// An API key that was revoked.
        public static let revoked = Code(base: .revoked)
        /// An API key used from an address outside its allow-list.
        public static let addressNotAllowed = Code(base: .addressNotAllowed)

        public var description: String { base.rawValue }
    }

    public var code: Code

    public init(_ code: Code) {
        self.code = code
    }

    public var description: String { "credential rejected: \(code)" }
}

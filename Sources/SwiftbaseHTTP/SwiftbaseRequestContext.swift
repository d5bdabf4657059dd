public import Hummingbird
import NIOCore
public import SwiftbaseCore

/// Per-request state: Hummingbird's core storage plus the identity the authentication middleware decided.
public struct SwiftbaseRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Guest until `AuthenticationMiddleware` says otherwise.
    public var auth: AuthContext = .guest
    /// The peer's IP address as text; empty when the transport has none (in-process tests).
    public let remoteIP: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteIP = source.channel.remoteAddress?.ipAddress ?? ""
    }
}

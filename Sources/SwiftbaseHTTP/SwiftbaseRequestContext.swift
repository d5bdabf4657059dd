public import Hummingbird
public import NIOCore
public import SwiftbaseCore

/// Per-request state: Hummingbird's core storage plus the identity the authentication middleware decided.
public struct SwiftbaseRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Guest until `AuthenticationMiddleware` says otherwise.
    public var auth: AuthContext = .guest
    /// The connection, for long-lived responses (SSE) that must notice when the peer goes away.
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// The peer's IP address as text; empty when the transport has none (in-process tests). Worked out when
    /// asked (rate limits, API keys, audit), not for every request: it takes the channel's lock and formats.
    public var remoteIP: String { channel.remoteAddress?.ipAddress ?? "" }

    /// The client's address from the `trustedProxy` headers, set by `ClientIPMiddleware`; nil when they are not
    /// configured or give no valid IP.
    public var forwardedIP: String?

    /// The client's address as PocketBase's `RealIP`: the trusted proxy's header when it names one, else the
    /// peer. What rate limits, logs' `userIP`, auth origins and audit entries use; `remoteIP` stays the peer.
    public var clientIP: String { forwardedIP ?? remoteIP }
}

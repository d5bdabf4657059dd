public import Hummingbird
public import SwiftbaseCore

/// Per-request state: Hummingbird's core storage plus the identity the authentication middleware decided.
public struct SwiftbaseRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Guest until `AuthenticationMiddleware` says otherwise.
    public var auth: AuthContext = .guest

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}

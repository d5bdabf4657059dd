public import SwiftbaseCore

/// The core's transport-neutral seams, built from the services: every HTTP path authenticates and presents
/// records through these, as the other transports do.
extension CoreServices {
    /// Credential → identity, for the REST middleware and both realtime transports.
    public var identities: IdentityResolver { IdentityResolver(auth: auth, apiKeys: apiKeys, audit: audit) }

    /// Records → the JSON the API answers (expand, email visibility, `fields`).
    public var presenter: RecordPresenter { RecordPresenter(records: records) }
}

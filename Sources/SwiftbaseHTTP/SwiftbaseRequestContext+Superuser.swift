extension SwiftbaseRequestContext {
    /// Throws PocketBase's 401 for a guest and 403 for any requester but a superuser: the check of superuser-only
    /// routes, for the transports that mount routes on this server (MQTT's client list).
    public func requireSuperuser() throws {
        try CollectionRoutes.requireSuperuser(self)
    }
}

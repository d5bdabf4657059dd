/// Turns records into the JSON the API answers for one requester: the one presentation path behind REST
/// record routes, batch answers, auth responses and realtime events (and GraphQL, MQTT or functions to come).
///
/// For a batch of records of one collection it
/// 1. loads `expand`, each expanded collection's view rule applied for the requester, in batches
///    (`RecordExpander`: one query per path segment, never one per record);
/// 2. finds, in one query, the auth records whose email the requester may see through the collection's
///    `manageRule`;
/// 3. encodes each record (`RecordEncoder`: no passwords or `tokenKey`, hidden fields for superusers only,
///    an auth record's email only when `emailVisibility` is on or the requester is the record itself, a
///    superuser or a manager);
/// 4. applies the `fields` projection to each.
///
/// ```swift
/// let presenter = RecordPresenter(records: recordService)
/// let items = try await presenter.json(page.items, of: posts, for: request,
///     try RecordPresentation(expand: "author", fields: "id,title,expand.author.name"))
/// ```
///
/// A value over the record service: cheap to make, `Sendable`, reads the store only through it.
public struct RecordPresenter: Sendable {
    public let records: RecordService

    public init(records: RecordService) {
        self.records = records
    }

    /// `records` of `collection` as `request.auth` may see them, each projected by `presentation.fields`.
    ///
    /// - Parameters:
    ///   - request: the requester and what rules see of the request (`@request.*`), used by the expanded
    ///     collections' view rules and by the `manageRule`.
    ///   - checkManageRule: false for records no longer stored (a realtime delete event): the `manageRule` is
    ///     evaluated against stored rows and cannot vouch for them, so only the record itself and superusers
    ///     see a hidden email.
    public func json(
        _ records: [RecordModel], of collection: CollectionModel, for request: RequestInfo,
        _ presentation: RecordPresentation, checkManageRule: Bool = true
    ) async throws -> [JSONValue] {
        let expanded = try await expand(records, of: collection, for: request, presentation)
        let managed =
            checkManageRule ? try await self.records.managedIDs(of: expanded, in: collection, request: request) : []
        return expanded.map { record in
            presentation.projected(
                RecordEncoder.json(
                    record, collection: collection, auth: request.auth, alwaysShowEmail: managed.contains(record.id)))
        }
    }

    /// One record of `collection` as `request.auth` may see it; see `json(_:of:for:_:checkManageRule:)`.
    public func json(
        _ record: RecordModel, of collection: CollectionModel, for request: RequestInfo,
        _ presentation: RecordPresentation, checkManageRule: Bool = true
    ) async throws -> JSONValue {
        try await json([record], of: collection, for: request, presentation, checkManageRule: checkManageRule)[0]
    }

    /// The answer to a successful authentication, `{"token", "record"}`: the record presented to itself (its
    /// email shown, `expand` loaded with the record as the requester), and the `fields` projection applied to
    /// the whole answer (`fields=token,record.id`), as PocketBase does.
    ///
    /// Whether `record` may authenticate at all (its collection's `authRule`) is for the caller to check first,
    /// with `AuthService.requireAuthRule`.
    ///
    /// - Parameter request: the request as rules see it; its `auth` is replaced by the record's own identity.
    public func authResponse(
        token: String, record: RecordModel, of collection: CollectionModel, request: RequestInfo,
        _ presentation: RecordPresentation, meta: JSONValue? = nil
    ) async throws -> JSONValue {
        var request = request
        request.auth = AuthService.context(for: record, in: collection)
        let expanded = try await expand([record], of: collection, for: request, presentation)[0]
        let json = RecordEncoder.json(expanded, collection: collection, auth: request.auth, alwaysShowEmail: true)
        var answer: [String: JSONValue] = ["token": .string(token), "record": json]
        if let meta { answer["meta"] = meta }
        return presentation.projected(.object(answer))
    }

    private func expand(
        _ records: [RecordModel], of collection: CollectionModel, for request: RequestInfo,
        _ presentation: RecordPresentation
    ) async throws -> [RecordModel] {
        guard !presentation.expand.isEmpty else { return records }
        let expander = RecordExpander(store: self.records.store, schema: self.records.registry.snapshot, request: request)
        return try await expander.expand(records, of: collection, tree: presentation.expand)
    }
}

import Synchronization

/// Code an app runs around record writes, PocketBase's `OnRecordCreate/Update/Delete` (+ `…Request`) and its
/// after-success hooks. Hooks apply to the collections named (by name or id) when they are registered, or to
/// every collection (system ones included) when none are named; they run in the order registered.
///
/// - *request* hooks (`onRecordCreateRequest` …) run first, async, outside the transaction, for requests only;
/// - *write* hooks (`onRecordCreate` …) run inside the write transaction, for every write (Swiftbase's own,
///   and records a cascade deletes), and may change the record or refuse it;
/// - *after-commit* hooks (`onRecordAfterCommit`) see each committed change once, one at a time, in `seq`
///   order, after its transaction committed (see `deliverCommitted`).
///
/// ```swift
/// app.hooks.onRecordCreate("posts") { event in
///     let title = event.record["title"]?.stringValue ?? ""
///     guard !title.contains("spam") else { throw event.invalid(["title": ErrorItem("spam", "No spam.")]) }
///     event.record.values["slug"] = .string(title.lowercased())
/// }
/// app.hooks.onRecordAfterCommit("posts") { change in print(change.seq, change.action, change.recordId) }
/// ```
public final class RecordHooks: Sendable {
    public typealias WriteHook = @Sendable (inout RecordWriteEvent) throws -> Void
    public typealias RequestHook = @Sendable (inout RecordRequestEvent) async throws -> Void
    public typealias CommitHook = @Sendable (ChangeLogEntry) async throws -> Void

    private struct Scoped<Hook: Sendable>: Sendable {
        let collections: Set<String>
        let action: RecordHookAction?
        let hook: Hook
        /// For a hook registered for every collection that acts only on some (functions' before hooks): whether
        /// it would do anything for a collection and action. Nil: it always would.
        var interested: (@Sendable (CollectionModel, RecordHookAction) -> Bool)? = nil

        func applies(to collection: CollectionModel, _ action: RecordHookAction) -> Bool {
            (self.action == nil || self.action == action)
                && (collections.isEmpty || collections.contains(collection.name) || collections.contains(collection.id))
        }
    }

    private struct Registered: Sendable {
        var write: [Scoped<WriteHook>] = []
        var request: [Scoped<RequestHook>] = []
        var commit: [Scoped<CommitHook>] = []
    }

    private let registered = Mutex(Registered())
    private let committed: CommittedChanges

    public init() {
        committed = CommittedChanges()
    }

    // MARK: - Registering

    /// Runs `hook` inside the transaction of each record create in `collections` (all when empty).
    public func onRecordCreate(_ collections: String..., hook: @escaping WriteHook) {
        addWrite(collections, .create, hook)
    }

    /// Runs `hook` inside the transaction of each record update; `event.original` is the stored record.
    public func onRecordUpdate(_ collections: String..., hook: @escaping WriteHook) {
        addWrite(collections, .update, hook)
    }

    /// Runs `hook` inside the transaction of each record delete, cascaded deletes included.
    public func onRecordDelete(_ collections: String..., hook: @escaping WriteHook) {
        addWrite(collections, .delete, hook)
    }

    /// Runs `hook` before each create request, outside the transaction.
    public func onRecordCreateRequest(_ collections: String..., hook: @escaping RequestHook) {
        addRequest(collections, .create, hook)
    }

    /// Runs `hook` before each update request, outside the transaction.
    public func onRecordUpdateRequest(_ collections: String..., hook: @escaping RequestHook) {
        addRequest(collections, .update, hook)
    }

    /// Runs `hook` before each delete request, outside the transaction.
    public func onRecordDeleteRequest(_ collections: String..., hook: @escaping RequestHook) {
        addRequest(collections, .delete, hook)
    }

    /// Runs `hook` for each committed change of a record in `collections`, in `seq` order, one change at a
    /// time. The hook runs in the process, off the write path: a thrown error is reported to `deliverCommitted`'s
    /// caller and the next change follows. Changes not yet delivered when the process dies are not retried
    /// (a durable consumer reads the change log from its own cursor instead).
    public func onRecordAfterCommit(_ collections: String..., hook: @escaping CommitHook) {
        let scoped = Scoped(collections: Set(collections), action: nil, hook: hook)
        registered.withLock { $0.commit.append(scoped) }
    }

    /// Runs `hook` inside the transaction of each `action` on every collection; `interested` says for which
    /// collections it would do anything, so writes it would leave alone may take a path without hooks.
    func onRecordWrite(
        _ action: RecordHookAction, interested: @escaping @Sendable (CollectionModel, RecordHookAction) -> Bool,
        hook: @escaping WriteHook
    ) {
        let scoped = Scoped(collections: [], action: action, hook: hook, interested: interested)
        registered.withLock { $0.write.append(scoped) }
    }

    private func addWrite(_ collections: [String], _ action: RecordHookAction, _ hook: @escaping WriteHook) {
        let scoped = Scoped(collections: Set(collections), action: action, hook: hook)
        registered.withLock { $0.write.append(scoped) }
    }

    private func addRequest(_ collections: [String], _ action: RecordHookAction, _ hook: @escaping RequestHook) {
        let scoped = Scoped(collections: Set(collections), action: action, hook: hook)
        registered.withLock { $0.request.append(scoped) }
    }

    // MARK: - Running (the record service calls these)

    /// Whether any write hook applies to `action` on `collection` (a batch of points takes its lean path
    /// only when none does).
    func hasWriteHooks(for collection: CollectionModel, _ action: RecordHookAction) -> Bool {
        let hooks = registered.withLock { $0.write.filter { $0.applies(to: collection, action) } }
        return hooks.contains { $0.interested?(collection, action) ?? true }
    }

    /// Runs the write hooks for `event`. An error that is not a `SwiftbaseError` refuses the write with a 400
    /// carrying the write's failure message, as PocketBase answers a hook's plain error.
    func runWrite(_ event: inout RecordWriteEvent) throws {
        let action = event.action
        let collection = event.collection
        let hooks = registered.withLock { $0.write.filter { $0.applies(to: collection, action) } }
        for scoped in hooks {
            do {
                try scoped.hook(&event)
            } catch let error as SwiftbaseError {
                throw error
            } catch {
                throw SwiftbaseError.badRequest(event.failure)
            }
        }
    }

    /// Runs the request hooks and answers the input they leave; Swiftbase's own writes skip them.
    func runRequest(
        _ action: RecordHookAction, collection: CollectionModel, recordId: String?, input: RecordInput,
        request: RequestInfo
    ) async throws -> RecordInput {
        guard !request.auth.isSystem else { return input }
        let hooks = registered.withLock { $0.request.filter { $0.applies(to: collection, action) } }
        guard !hooks.isEmpty else { return input }
        var event = RecordRequestEvent(
            action: action, collection: collection, recordId: recordId, input: input, request: request)
        for scoped in hooks { try await scoped.hook(&event) }
        return event.input
    }

    /// Hands a transaction's committed entries to the after-commit hooks. Called in commit order, where the
    /// store commits: it only queues.
    func committed(_ entries: [ChangeLogEntry]) {
        guard !entries.isEmpty, registered.withLock({ !$0.commit.isEmpty }) else { return }
        committed.enqueue(entries)
    }

    // MARK: - Delivering after-commit hooks

    /// Delivers committed changes to the after-commit hooks until `finishDelivery` is called and everything
    /// queued before it was delivered. One caller at a time (the app runs it as a service). `failed` hears each
    /// error a hook threw.
    public func deliverCommitted(failed: @Sendable (ChangeLogEntry, any Error) -> Void = { _, _ in }) async {
        for await entries in committed.stream {
            for entry in entries {
                let hooks = registered.withLock { $0.commit }
                for scoped in hooks where scoped.collections.isEmpty
                    || scoped.collections.contains(entry.collectionName) || scoped.collections.contains(entry.collectionId)
                {
                    do { try await scoped.hook(entry) } catch { failed(entry, error) }
                }
            }
        }
    }

    /// Ends `deliverCommitted` once what is queued now has been delivered; changes committed later are dropped.
    public func finishDelivery() {
        committed.finish()
    }
}

/// The queue between the store's commit order and the after-commit hooks: unbounded, so no change is lost
/// while a hook is slow (memory is the price), and single-consumer, so order is kept.
private final class CommittedChanges: Sendable {
    let stream: AsyncStream<[ChangeLogEntry]>
    private let continuation: AsyncStream<[ChangeLogEntry]>.Continuation

    init() {
        (stream, continuation) = AsyncStream<[ChangeLogEntry]>.makeStream(bufferingPolicy: .unbounded)
    }

    func enqueue(_ entries: [ChangeLogEntry]) { continuation.yield(entries) }

    func finish() { continuation.finish() }
}

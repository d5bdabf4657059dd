/// A record write decided up to the part that needs the database: the slow or outside work (input casting,
/// password hashing, manager checks) is done, and `run` holds the rest — loading the row, rule checks,
/// validation, the SQL and the change-log entries — for one write transaction. A single API call runs one
/// write alone; a batch runs several in the same transaction, so they commit or roll back together.
public struct RecordWrite: Sendable {
    /// The message a failure of this write carries ("Failed to create record." and the like).
    let failure: String
    /// Uploads already in storage, removed again if the write does not commit.
    var staged: [String] = []
    let run: @Sendable (any StoreConnection) throws -> RecordWriteResult

    init(failure: String, staged: [String] = [], run: @escaping @Sendable (any StoreConnection) throws -> RecordWriteResult) {
        self.failure = failure
        self.staged = staged
        self.run = run
    }
}

/// What a write produced: the record as the API answers it (nil for deletes), its change-log entries, and
/// the stored files it dropped (removed once it commits).
public struct RecordWriteResult: Sendable {
    public var record: RecordModel?
    var entries: [ChangeLogEntry]
    var removedFiles: [String] = []
}

/// Which write of a batch failed, and how: the batch's transaction was rolled back.
public struct RecordBatchFailure: Error {
    public let index: Int
    public let error: any Error
}

/// A batch ran out of time before its next write: the transaction was rolled back.
public enum RecordBatchTimeout: Error { case expired }

extension RecordService {
    /// Runs one prepared write in its own transaction and publishes its entries after commit, in `seq` order
    /// with every other write's (the store hands them over in commit order).
    public func perform(_ write: RecordWrite) async throws -> RecordModel? {
        let result: RecordWriteResult
        do {
            result = try await store.write(
                { conn in try Self.run(write, on: conn) }, committed: { [self] in published($0.entries) })
        } catch {
            await discard(write.staged)
            throw error
        }
        await removeFiles(of: [result])
        return result.record
    }

    /// Runs prepared writes in order in one transaction: all commit, or the first failure rolls every one
    /// back and is thrown as `RecordBatchFailure` with its index. `expired` is asked before each write; once
    /// it says so the batch rolls back with `RecordBatchTimeout`. Entries are published after commit, in order.
    public func performBatch(_ writes: [RecordWrite], expired: @escaping @Sendable () -> Bool = { false }) async throws
        -> [RecordModel?]
    {
        let results: [RecordWriteResult]
        do {
            results = try await store.write(
                { conn in
                    try writes.enumerated().map { index, write in
                        if expired() { throw RecordBatchTimeout.expired }
                        do {
                            return try Self.run(write, on: conn)
                        } catch {
                            throw RecordBatchFailure(index: index, error: error)
                        }
                    }
                }, committed: { [self] in published($0.flatMap(\.entries)) })
        } catch {
            await discard(writes.flatMap(\.staged))
            throw error
        }
        await removeFiles(of: results)
        return results.map(\.record)
    }

    /// A transaction's entries, handed on where the store commits (in `seq` order): to the event bus and the
    /// after-commit hooks.
    func published(_ entries: [ChangeLogEntry]) {
        events.publish(entries)
        hooks.committed(entries)
    }

    private func discard(_ staged: [String]) async {
        for path in staged { await files?.remove(path) }
    }

    /// After commit: the files updates dropped, and the folders of deleted records that had files.
    func removeFiles(of results: [RecordWriteResult]) async {
        guard let files else { return }
        let schema = registry.snapshot
        for result in results {
            for path in result.removedFiles { await files.remove(path) }
            for entry in result.entries where entry.action == .delete {
                guard let collection = schema.collection(entry.collectionId), RecordFiles.hasFiles(collection) else { continue }
                await files.remove(collection.id + "/" + entry.recordId)
            }
        }
    }

    /// Runs a write's body, turning a unique-index violation into `validation_not_unique` on the offending
    /// fields.
    static func run(_ write: RecordWrite, on conn: any StoreConnection) throws -> RecordWriteResult {
        do {
            return try write.run(conn)
        } catch let error as StoreConstraintError where error.kind == .unique {
            var items: [String: ErrorItem] = [:]
            for column in error.columns { items[column] = .notUnique }
            if items.isEmpty { items["id"] = .notUnique }
            throw SwiftbaseError.validation(write.failure, .items(items))
        }
    }
}

extension RecordService {
    /// An upsert (a batch's `PUT …/records`): an update when a record with the body's `id` exists at the
    /// moment it runs — earlier writes of the same batch included — and a create otherwise. Both are prepared
    /// up front; the one not taken is dropped, and a preparation failure counts only if its branch is taken.
    public func prepareUpsert(in collectionIDOrName: String, input: RecordInput, request: RequestInfo) async throws
        -> RecordWrite
    {
        let collection = try Self.writableCollection(collectionIDOrName, in: registry.snapshot)
        let id = input.values["id"]?.stringValue ?? ""
        var asCreate = request
        asCreate.method = "POST"
        var asUpdate = request
        asUpdate.method = "PATCH"
        let (createRequest, updateRequest) = (asCreate, asUpdate)
        let create = await Self.capture {
            try await self.prepareCreate(in: collection.id, input: input, request: createRequest)
        }
        guard !id.isEmpty else { return try create.get() }
        let update = await Self.capture {
            try await self.prepareUpdate(in: collection.id, id: id, input: input, request: updateRequest)
        }
        return RecordWrite(failure: "Failed to create record.") { conn in
            let exists = try conn.row(Self.selectByID(id, collection)) != nil
            return try Self.run(exists ? update.get() : create.get(), on: conn)
        }
    }

    private static func capture(_ body: () async throws -> RecordWrite) async -> Result<RecordWrite, any Error> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }
}

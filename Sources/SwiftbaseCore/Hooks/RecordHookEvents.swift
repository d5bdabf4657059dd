/// What a record hook runs for.
public enum RecordHookAction: String, Sendable, CaseIterable {
    case create, update, delete
}

/// A record about to be written, as a write hook (`RecordHooks.onRecordCreate` …) sees it: inside the write
/// transaction, after the input was applied and before validation, rule check and storage. Change `record`
/// and the change is validated and stored; throw to refuse the write and roll back its transaction.
///
/// Not `Sendable`: it holds the transaction's connection and lives only while the hook runs.
public struct RecordWriteEvent {
    public let action: RecordHookAction
    public let collection: CollectionModel
    /// The record as it will be stored (for deletes: as stored). Ignored after a delete hook.
    public var record: RecordModel
    /// The record as stored before this write; nil for creates.
    public let original: RecordModel?
    /// Who asks and what they sent (`request.auth` is `AuthContext.system` for Swiftbase's own writes).
    public let request: RequestInfo
    /// The write transaction: reads see every earlier write of it, statements run here commit or roll back
    /// with the record. Keep it short: the transaction holds the store's writer.
    public let connection: any StoreConnection
    /// The message a refusal carries, PocketBase's ("Failed to create record." …).
    public let failure: String

    /// A refusal in PocketBase's validation shape: 400, `failure` as the message, one `data` item per field.
    ///
    /// ```swift
    /// throw event.invalid(["title": ErrorItem("validation_required", "Cannot be blank.")])
    /// ```
    public func invalid(_ fields: [String: ErrorItem]) -> SwiftbaseError {
        SwiftbaseError.validation(failure, .items(fields))
    }
}

/// A record API request about to be handled, as a request hook (`RecordHooks.onRecordCreateRequest` …) sees
/// it: before the transaction, after the requester's identity was resolved. It may change `input`, do slow or
/// outside work (it is async), or throw a `SwiftbaseError` to answer with it. Runs for requests of every
/// transport (REST, batch, and the modules that call the record service for a requester), never for
/// Swiftbase's own writes.
public struct RecordRequestEvent: Sendable {
    public let action: RecordHookAction
    public let collection: CollectionModel
    /// The record addressed by an update or delete; nil for creates.
    public let recordId: String?
    /// The body as sent (modifier keys such as `tags+` kept verbatim, uploads under `files`).
    public var input: RecordInput
    public let request: RequestInfo
}

/// One committed mutation of a record, as appended to `_changes` in the same transaction as the write.
/// `seq` orders all entries; consumers keep their own cursor on it.
public struct ChangeLogEntry: Sendable {
    public enum Action: String, Sendable, CaseIterable { case create, update, delete }

    public var seq: Int64
    public var created: String
    public var collectionId: String
    public var collectionName: String
    public var recordId: String
    public var action: Action
    /// The record after the change (before it, for deletes).
    public var record: RecordModel
    /// The id of the authenticated record that made the change, `""` for guests and the system.
    public var actor: String

    public init(
        seq: Int64, created: String, collectionId: String, collectionName: String, recordId: String,
        action: Action, record: RecordModel, actor: String
    ) {
        self.seq = seq
        self.created = created
        self.collectionId = collectionId
        self.collectionName = collectionName
        self.recordId = recordId
        self.action = action
        self.record = record
        self.actor = actor
    }
}

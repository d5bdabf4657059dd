import Foundation

/// What makes a deployed function run, and which of its exports it calls.
public enum FunctionTrigger: Sendable, Equatable {
    /// `ANY /api/fn/{name}/{path…}`.
    case http(export: String)
    /// A record write of one collection: inside its transaction (`before`) or from the change log (`after`).
    case record(FunctionRecordTrigger)
    /// A five-field cron schedule (or a macro), as `backups.cron`.
    case cron(schedule: String, export: String)

    public static let defaultExport = "handle"

    public var export: String {
        switch self {
        case .http(let export), .cron(_, let export): export
        case .record(let trigger): trigger.export
        }
    }

    public var type: String {
        switch self {
        case .http: "http"
        case .record: "record"
        case .cron: "cron"
        }
    }

    public var json: JSONValue {
        switch self {
        case .http(let export):
            return ["type": "http", "export": .string(export)]
        case .record(let trigger):
            return [
                "type": "record", "collection": .string(trigger.collection),
                "actions": .array(RecordHookAction.allCases.filter(trigger.actions.contains).map { .string($0.rawValue) }),
                "when": .string(trigger.when.rawValue), "export": .string(trigger.export),
            ]
        case .cron(let schedule, let export):
            return ["type": "cron", "schedule": .string(schedule), "export": .string(export)]
        }
    }
}

/// A record hook of a function (see `FunctionTrigger.record`).
public struct FunctionRecordTrigger: Sendable, Equatable {
    public enum When: String, Sendable, CaseIterable {
        /// Inside the write transaction: may change the record or refuse the write.
        case before
        /// After the commit, from the change log with a durable cursor: at least once, in `seq` order.
        case after
    }

    /// The collection's name (or id) as deployed.
    public var collection: String
    public var actions: Set<RecordHookAction>
    public var when: When
    public var export: String

    public init(collection: String, actions: Set<RecordHookAction>, when: When, export: String) {
        self.collection = collection
        self.actions = actions
        self.when = when
        self.export = export
    }

    /// Whether a write of `action` on `collection` runs this hook.
    public func applies(to collection: CollectionModel, _ action: RecordHookAction) -> Bool {
        actions.contains(action)
            && (self.collection == collection.id || self.collection.equalsIgnoringASCIICase(collection.name))
    }
}

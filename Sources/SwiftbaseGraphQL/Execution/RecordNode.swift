import GraphQL
import SwiftbaseCore

/// A record as the requester may see it: its JSON from `RecordPresenter` (hidden fields and emails already
/// left out, `expand` loaded). Every field of a record type resolves from it, with no further reads.
struct RecordNode: Sendable {
    let json: [String: JSONValue]
    /// Where the records answered beside this one are, for reads done once per level (`_aggregate`s).
    let place: LevelPlace

    init(_ json: JSONValue, level: NodeLevel? = nil) {
        self.init(json, place: level.map { .level($0) } ?? .alone)
    }

    private init(_ json: JSONValue, place: LevelPlace) {
        self.json = json.objectValue ?? [:]
        self.place = place
    }

    /// This record's level, or a level of this record alone. Found only when asked: most queries read no
    /// level, and gathering one walks every sibling's `expand`.
    var siblings: NodeLevel { place.level ?? NodeLevel([.object(json)]) }

    /// The GraphQL value of `field` for the package's resolvers: a `Map` for leaves, a `RecordNode` (or a list
    /// of them) for relations. `occurrence` is the field as the document asks for it (a back-relation given
    /// arguments has its own page).
    func value(of field: FieldShape, occurrence: Field?) -> (any Sendable)? {
        resolved(of: field, occurrence: occurrence).sendable
    }

    /// The same value, typed, for `FastQuery`'s completion (no existential casts on the way back).
    func resolved(of field: FieldShape, occurrence: Field?) -> ResolvedValue {
        switch field.kind {
        case .system(let name):
            return json[name].map { .leaf(Map($0)) } ?? .null
        case .value(let stored, let type):
            guard let value = json[stored.name] else { return .null }
            switch type {
            case .stringList: return Self.list(value)
            case .geoPoint: return value.objectValue.map { .point($0) } ?? .null
            default: return value.isNull && type != .json ? .null : .leaf(Map(value))
            }
        case .file(let stored, let isList):
            guard let value = json[stored.name] else { return .null }
            return isList ? Self.list(value) : .leaf(Map(value))
        case .fileURL(let stored, let isList):
            guard let value = json[stored.name] else { return .null }
            let urls = Self.names(in: value).map { ResolvedValue.leaf(.string(fileURL($0))) }
            if isList { return .list(urls) }
            return urls.first ?? .null
        case .relation(let stored, _, let isList):
            return related(stored.name, isList: isList)
        case .backRelation(let key, _, _, let isList):
            return related(occurrence.flatMap { field.expandKey(for: $0) } ?? key, isList: isList)
        }
    }

    /// `/api/files/<collectionId>/<recordId>/<name>`, PocketBase's download path (relative to the server).
    func fileURL(_ name: String) -> String {
        let collection = json["collectionId"]?.stringValue ?? ""
        let id = json["id"]?.stringValue ?? ""
        return "/api/files/\(collection)/\(id)/\(name)"
    }

    /// The records under `key` of `expand`, each knowing the level they share with the same key's records of
    /// this record's siblings.
    private func related(_ key: String, isList: Bool) -> ResolvedValue {
        let value = json["expand"]?[key]
        let below = place.child(key)
        switch value {
        case .array(let items):
            return isList
                ? .list(items.map { .record(RecordNode($0, place: below)) })
                : items.first.map { .record(RecordNode($0, place: below)) } ?? .null
        case .object:
            let node = ResolvedValue.record(RecordNode(value ?? .null, place: below))
            return isList ? .list([node]) : node
        default:
            return isList ? .list([]) : .null
        }
    }

    private static func list(_ value: JSONValue) -> ResolvedValue {
        .list(names(in: value).map { .leaf(.string($0)) })
    }

    private static func names(in value: JSONValue) -> [String] {
        switch value {
        case .array(let items): items.compactMap(\.stringValue)
        case .string(let name): name.isEmpty ? [] : [name]
        default: []
        }
    }
}

/// Where a record's level is: none (a record alone), a level at hand (a root list), or the records under a key
/// of a level's `expand` — named, not gathered, until an `_aggregate` asks for the level.
indirect enum LevelPlace: Sendable {
    case alone
    case level(NodeLevel)
    case under(LevelPlace, String)

    var level: NodeLevel? {
        switch self {
        case .alone: nil
        case .level(let level): level
        case .under(let parent, let key): parent.level?.child(key)
        }
    }

    /// The place of the records under `key` of this place's records.
    func child(_ key: String) -> LevelPlace {
        if case .alone = self { return .alone }
        return .under(self, key)
    }
}

/// A resolved field value as `FastQuery` completes it: what the package's executor would receive as
/// `any Sendable`, with its kind known.
enum ResolvedValue: Sendable {
    case null
    case leaf(Map)
    case list([ResolvedValue])
    case record(RecordNode)
    /// A geo point's `{lon, lat}`.
    case point([String: JSONValue])
    /// Anything a root resolver answered that is none of the above (completed as the package would).
    case other(any Sendable)

    /// A resolver's answer, sorted by kind once (the root fields' values).
    init(_ value: (any Sendable)?) {
        switch value {
        case nil: self = .null
        case let node as RecordNode: self = .record(node)
        case let map as Map: self = map == .null || map == .undefined ? .null : .leaf(map)
        case let items as [(any Sendable)?]: self = .list(items.map { ResolvedValue($0) })
        case let point as [String: JSONValue]: self = .point(point)
        case let other?: self = .other(other)
        }
    }

    /// The value as the package's resolvers answer it.
    var sendable: (any Sendable)? {
        switch self {
        case .null: nil
        case .leaf(let map): map
        case .list(let items): items.map { $0.sendable }
        case .record(let node): node
        case .point(let point): point
        case .other(let value): value
        }
    }
}

import GraphQL
import SwiftbaseCore

/// A record as the requester may see it: its JSON from `RecordPresenter` (hidden fields and emails already
/// left out, `expand` loaded). Every field of a record type resolves from it, with no further reads.
struct RecordNode: Sendable {
    let json: [String: JSONValue]

    init(_ json: JSONValue) {
        self.json = json.objectValue ?? [:]
    }

    /// The GraphQL value of `field`: a `Map` for leaves, a `RecordNode` (or a list of them) for relations.
    func value(of field: FieldShape) -> (any Sendable)? {
        switch field.kind {
        case .system(let name):
            return json[name].map { Map($0) }
        case .value(let stored, let type):
            guard let value = json[stored.name] else { return nil }
            switch type {
            case .stringList: return Self.list(value)
            case .geoPoint: return value.objectValue
            default: return value.isNull && type != .json ? nil : Map(value)
            }
        case .file(let stored, let isList):
            guard let value = json[stored.name] else { return nil }
            return isList ? Self.list(value) : Map(value)
        case .fileURL(let stored, let isList):
            guard let value = json[stored.name] else { return nil }
            let urls = Self.names(in: value).map { Map.string(fileURL($0)) }
            if isList { return urls.map { $0 as (any Sendable)? } }
            return urls.first
        case .relation(let stored, _, let isList):
            return related(json["expand"]?[stored.name], isList: isList)
        case .backRelation(let key, _, _, let isList):
            return related(json["expand"]?[key], isList: isList)
        }
    }

    /// `/api/files/<collectionId>/<recordId>/<name>`, PocketBase's download path (relative to the server).
    func fileURL(_ name: String) -> String {
        let collection = json["collectionId"]?.stringValue ?? ""
        let id = json["id"]?.stringValue ?? ""
        return "/api/files/\(collection)/\(id)/\(name)"
    }

    private func related(_ value: JSONValue?, isList: Bool) -> (any Sendable)? {
        let nodes: [RecordNode] =
            switch value {
            case .array(let items): items.map { RecordNode($0) }
            case .object: [RecordNode(value ?? .null)]
            default: []
            }
        if isList { return nodes.map { $0 as (any Sendable)? } }
        return nodes.first
    }

    private static func list(_ value: JSONValue) -> [(any Sendable)?] {
        names(in: value).map { Map.string($0) }
    }

    private static func names(in value: JSONValue) -> [String] {
        switch value {
        case .array(let items): items.compactMap(\.stringValue)
        case .string(let name): name.isEmpty ? [] : [name]
        default: []
        }
    }
}

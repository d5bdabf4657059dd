/// A function as stored: its active version's module and config, and its history.
public struct DeployedFunction: Sendable, Equatable {
    /// Where a function was deployed from: the API (and the CLI, which uses it) or the functions directory.
    public enum Source: String, Sendable {
        case api, file
    }

    public var name: String
    /// The active version.
    public var version: Int
    public var config: FunctionConfig
    public var module: FunctionModuleInfo
    public var source: Source
    public var created: String
    public var updated: String

    public init(
        name: String, version: Int, config: FunctionConfig, module: FunctionModuleInfo, source: Source,
        created: String, updated: String
    ) {
        self.name = name
        self.version = version
        self.config = config
        self.module = module
        self.source = source
        self.created = created
        self.updated = updated
    }

    /// The function as the API answers it; `active` says whether it runs (a version that no longer compiles,
    /// say after an upgrade, is kept but stopped); `versions` (newest first) only when given.
    public func json(active: Bool, versions: [FunctionVersion]? = nil) -> JSONValue {
        guard case .object(var object) = config.json else { return .null }
        object["name"] = .string(name)
        object["version"] = .number(Double(version))
        object["active"] = .bool(active)
        object["module"] = module.json
        object["source"] = .string(source.rawValue)
        object["created"] = .string(created)
        object["updated"] = .string(updated)
        if let versions { object["versions"] = .array(versions.map { $0.json(active: $0.version == version) }) }
        return .object(object)
    }
}

/// One deployed version of a function (`versions` in the API).
public struct FunctionVersion: Sendable, Equatable {
    public var version: Int
    public var sha256: String
    public var size: Int
    public var created: String

    func json(active: Bool) -> JSONValue {
        [
            "version": .number(Double(version)), "sha256": .string(sha256), "size": .number(Double(size)),
            "created": .string(created), "active": .bool(active),
        ]
    }
}

/// What a deployed module is: its size and digest, and what it exports and imports (`module` in the API).
public struct FunctionModuleInfo: Sendable, Equatable {
    public var size: Int
    /// Hex SHA-256 of the module's bytes.
    public var sha256: String
    public var exports: [String]
    /// `module.name` of each import.
    public var imports: [String]

    public init(size: Int, sha256: String, exports: [String], imports: [String]) {
        self.size = size
        self.sha256 = sha256
        self.exports = exports
        self.imports = imports
    }

    public var json: JSONValue {
        [
            "size": .number(Double(size)), "sha256": .string(sha256),
            "exports": .array(exports.map { .string($0) }), "imports": .array(imports.map { .string($0) }),
        ]
    }
}

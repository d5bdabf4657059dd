/// A field object in PocketBase's JSON form: the common keys and the type's option keys side by side.
extension FieldModel {
    /// Decodes a field object. Missing keys take their defaults (`id` stays `""` until the collection
    /// assigns one); an unknown `type` or a key of the wrong JSON type fails with PocketBase's
    /// "invalid formatting" error.
    public init(json: [String: JSONValue]) throws(SwiftbaseError) {
        let reader = JSONOptionReader(json)
        guard case .string(let type)? = json["type"],
            let options = try FieldOptions.decode(type: type, from: json)
        else { throw JSONOptionReader.formatError }
        let hasRequiredAndHelp = Self.hasRequiredAndHelp(options)
        self.init(
            id: try reader.string("id"), name: try reader.string("name"), system: try reader.bool("system"),
            hidden: try reader.bool("hidden"), presentable: try reader.bool("presentable"),
            required: hasRequiredAndHelp ? try reader.bool("required") : false,
            help: hasRequiredAndHelp ? try reader.string("help") : "", options: options)
    }

    /// The field object, with every option key (defaults included) as PocketBase serializes it.
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(id), "name": .string(name), "type": .string(type), "system": .bool(system),
            "hidden": .bool(hidden), "presentable": .bool(presentable),
        ]
        if Self.hasRequiredAndHelp(options) {
            object["required"] = .bool(required)
            object["help"] = .string(help)
        }
        options.behavior.encode(into: &object)
        return .object(object)
    }

    /// `autodate` fields have neither `required` nor `help`.
    private static func hasRequiredAndHelp(_ options: FieldOptions) -> Bool {
        if case .autodate = options { return false }
        return true
    }
}

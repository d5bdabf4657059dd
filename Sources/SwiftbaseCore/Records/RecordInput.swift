/// A create or update body as the record service receives it: body keys (modifier keys such as `tags+`
/// kept verbatim) with their values, and whether they came from a form (where JSON fields arrive as text).
public struct RecordInput: Sendable {
    public var values: [String: JSONValue]
    public var isForm: Bool
    /// Uploaded files by body key (`docs`, `docs+`, `+docs`).
    public var files: [String: [FileUpload]]

    public init(_ values: [String: JSONValue], isForm: Bool = false, files: [String: [FileUpload]] = [:]) {
        self.values = values
        self.isForm = isForm
        self.files = files
    }
}

/// Applies a body to a record: plain keys set values (cast by the field type), then `+field`, `field+` and
/// `field-` modify them; system-managed and (for non-superusers) hidden fields are left alone.
enum RecordInputApplier {
    /// Applies `input` to `record` and returns the resolved body the rules see as `@request.body`.
    static func apply(
        _ input: RecordInput, to record: inout RecordModel, collection: CollectionModel, auth: AuthContext
    ) -> [String: JSONValue] {
        var resolvedBody: [String: JSONValue] = [:]
        for field in collection.fields {
            if case .autodate = field.options { continue }
            if case .password = field.options { continue }  // handled by AuthRecordInput
            if collection.isAuth && field.name == "tokenKey" { continue }
            if field.hidden && !auth.isSuperuser { continue }
            let behavior = field.options.behavior
            let name = field.name
            var touched = false
            if let raw = input.values[name] {
                record.values[name] = behavior.prepare(formAware(raw, field: field, isForm: input.isForm), for: field)
                touched = true
            }
            let modifiers: [(String, FieldModifier)] = [("+" + name, .prepend), (name + "+", .append), (name + "-", .remove)]
            for (key, modifier) in modifiers {
                guard let operand = input.values[key] else { continue }
                let current = record.values[name] ?? behavior.zeroValue(for: field)
                if let changed = behavior.apply(modifier, operand: operand, to: current, for: field) {
                    record.values[name] = changed
                    touched = true
                }
            }
            if touched { resolvedBody[name] = record.values[name] }
        }
        // Keys that name no field (nor a field's modifier) reach the rules as they were sent.
        for (key, value) in input.values where resolvedBody[key] == nil && !Self.namesField(key, in: collection) {
            resolvedBody[key] = value
        }
        return resolvedBody
    }

    /// Whether `key` is a field of the collection, or one of its modifier keys (`f+`, `+f`, `f-`).
    static func namesField(_ key: String, in collection: CollectionModel) -> Bool {
        var name = Substring(key)
        if name.hasPrefix("+") { name = name.dropFirst() } else if name.hasSuffix("+") || name.hasSuffix("-") {
            name = name.dropLast()
        }
        return collection.field(named: String(name)) != nil || collection.field(named: key) != nil
    }

    /// Form fields arrive as text; a JSON field's text is read as JSON where PocketBase would.
    private static func formAware(_ raw: JSONValue, field: FieldModel, isForm: Bool) -> JSONValue {
        guard isForm, case .json = field.options, case .string(let text) = raw else { return raw }
        return JSONFieldOptions.fromFormText(text)
    }
}

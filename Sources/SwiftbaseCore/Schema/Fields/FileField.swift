/// `file`: names of stored files, one (`maxSelect` ≤ 1, stored as text) or several (a JSON array).
/// Uploads are not handled here yet: values are file names only.
extension FileFieldOptions: FieldBehavior {
    static let defaultMaxSize = 5 << 20
    /// Thumb sizes that would produce an empty image.
    private static let emptyThumbs: Set<String> = ["0x0", "0x0t", "0x0b", "0x0f"]

    package init(json: [String: JSONValue]) throws(SwiftbaseError) {
        let reader = JSONOptionReader(json)
        self.init(
            maxSelect: try reader.int("maxSelect"), maxSize: try reader.int("maxSize"),
            mimeTypes: try reader.strings("mimeTypes"), thumbs: try reader.strings("thumbs"),
            protected: try reader.bool("protected"))
    }

    package func encode(into json: inout [String: JSONValue]) {
        json["maxSelect"] = .number(Double(maxSelect))
        json["maxSize"] = .number(Double(maxSize))
        json["mimeTypes"] = mimeTypes.jsonArray
        json["thumbs"] = thumbs.jsonArray
        json["protected"] = .bool(`protected`)
    }

    package var isMultiple: Bool { maxSelect > 1 }

    /// The per-file size limit in bytes that applies (0 means 5 MiB).
    package var effectiveMaxSize: Int { maxSize <= 0 ? Self.defaultMaxSize : maxSize }

    /// How many files the field holds at most.
    package var effectiveMaxSelect: Int { Swift.max(maxSelect, 1) }

    package func columnDefinition(for field: FieldModel, in dialect: any SQLDialect) -> String {
        MultiValue.columnDefinition(multiple: isMultiple)
    }

    package func zeroValue(for field: FieldModel) -> JSONValue { MultiValue.zeroValue(multiple: isMultiple) }

    package func prepare(_ raw: JSONValue, for field: FieldModel) -> JSONValue {
        MultiValue.canonical(Self.fileNames(raw), multiple: isMultiple)
    }

    package func validate(_ value: JSONValue, for field: FieldModel) -> ErrorItem? {
        let names = Self.fileNames(value)
        if names.isEmpty { return field.required ? .required : nil }
        if names.count > effectiveMaxSelect { return .tooManyFiles(effectiveMaxSelect) }
        return nil
    }

    /// Names in `value` that `previous` (the stored value) did not have and that were not uploaded now:
    /// PocketBase refuses them, since a client may only keep or remove existing files by name.
    package func invalidNewFiles(in value: JSONValue, previous: JSONValue, uploaded: Set<String> = []) -> ErrorItem? {
        let old = Set(Self.fileNames(previous))
        let added = Self.fileNames(value).filter { !old.contains($0) && !uploaded.contains($0) }
        if added.isEmpty { return nil }
        return .invalidNewFiles(added.map { String($0.unicodeScalars.prefix(250)) })
    }

    package func sqlValue(_ value: JSONValue, for field: FieldModel) -> SQLValue {
        MultiValue.sqlValue(Self.fileNames(value), multiple: isMultiple)
    }

    package func jsonValue(_ value: SQLValue, for field: FieldModel) -> JSONValue {
        MultiValue.jsonValue(value, multiple: isMultiple)
    }

    package func validateOptions(of field: FieldModel, in schema: SchemaSnapshot) -> [String: ErrorItem] {
        var errors = SizeOption.errors(maxSelect, key: "maxSelect")
        errors.merge(SizeOption.errors(maxSize, key: "maxSize")) { first, _ in first }
        for (i, thumb) in thumbs.enumerated() {
            if Self.emptyThumbs.contains(thumb) {
                errors["thumbs." + String(i)] = .notInList
            } else if !Self.isThumbSize(thumb) {
                errors["thumbs." + String(i)] = .matchInvalid
            }
        }
        return errors
    }

    /// `+files` prepends, `files+` appends, `files-` removes by name.
    package func apply(_ modifier: FieldModifier, operand: JSONValue, to current: JSONValue, for field: FieldModel)
        -> JSONValue?
    {
        MultiValue.apply(modifier, operand: Self.fileNames(operand), to: Self.fileNames(current), multiple: isMultiple)
    }

    /// The file names of a value, de-duplicated, as PocketBase reads a file field value: an array keeps
    /// each element that casts to exactly one name; anything else casts as a list of strings.
    package static func fileNames(_ value: JSONValue) -> [String] {
        guard case .array(let items) = value else { return GoCast.uniqueStrings(value) }
        var names: [String] = []
        names.reserveCapacity(items.count)
        for item in items {
            let cast = fileNames(item)
            if cast.count == 1 { names.append(cast[0]) }
        }
        return GoCast.nonzeroUniques(names)
    }

    /// `WxH`, optionally followed by `t`, `b` or `f`.
    static func isThumbSize(_ text: String) -> Bool {
        var bytes = Substring(text).utf8[...]
        if let last = bytes.last, last == UInt8(ascii: "t") || last == UInt8(ascii: "b") || last == UInt8(ascii: "f") {
            bytes = bytes.dropLast()
        }
        let parts = bytes.split(separator: UInt8(ascii: "x"), omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0 >= 48 && $0 <= 57 } }
    }
}

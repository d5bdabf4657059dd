// Stored options of each field type (properties only). Each type's behaviour — JSON form, casting,
// validation, storage — is its `FieldBehavior` conformance in `Fields/<Type>Field.swift`.

/// `text` field options. A plain string. `max` 0 means 5000 characters.
public struct TextFieldOptions: Sendable, Equatable {
    public var min: Int
    public var max: Int
    public var pattern: String
    public var autogeneratePattern: String
    public var primaryKey: Bool

    public init(min: Int = 0, max: Int = 0, pattern: String = "", autogeneratePattern: String = "", primaryKey: Bool = false) {
        self.min = min
        self.max = max
        self.pattern = pattern
        self.autogeneratePattern = autogeneratePattern
        self.primaryKey = primaryKey
    }
}

/// `number` field options. A JSON number stored as NUMERIC.
public struct NumberFieldOptions: Sendable, Equatable {
    public var min: Double?
    public var max: Double?
    public var onlyInt: Bool

    public init(min: Double? = nil, max: Double? = nil, onlyInt: Bool = false) {
        self.min = min
        self.max = max
        self.onlyInt = onlyInt
    }
}

/// `bool` field options. true/false; `required` means it must be true.
public struct BoolFieldOptions: Sendable, Equatable {
    public init() {}
}

/// `email` field options. An email address.
public struct EmailFieldOptions: Sendable, Equatable {
    public var onlyDomains: [String]
    public var exceptDomains: [String]

    public init(onlyDomains: [String] = [], exceptDomains: [String] = []) {
        self.onlyDomains = onlyDomains
        self.exceptDomains = exceptDomains
    }
}

/// `url` field options. An http(s) URL.
public struct URLFieldOptions: Sendable, Equatable {
    public var onlyDomains: [String]
    public var exceptDomains: [String]

    public init(onlyDomains: [String] = [], exceptDomains: [String] = []) {
        self.onlyDomains = onlyDomains
        self.exceptDomains = exceptDomains
    }
}

/// `editor` field options. Rich text (HTML). `maxSize` 0 means 5 MiB.
public struct EditorFieldOptions: Sendable, Equatable {
    public var maxSize: Int
    public var convertURLs: Bool

    public init(maxSize: Int = 0, convertURLs: Bool = false) {
        self.maxSize = maxSize
        self.convertURLs = convertURLs
    }
}

/// `date` field options. A datetime in PocketBase's format, or empty.
public struct DateFieldOptions: Sendable, Equatable {
    public var min: String
    public var max: String

    public init(min: String = "", max: String = "") {
        self.min = min
        self.max = max
    }
}

/// `autodate` field options. Set by the server on create and/or update; client input is ignored.
public struct AutodateFieldOptions: Sendable, Equatable {
    public var onCreate: Bool
    public var onUpdate: Bool

    public init(onCreate: Bool = true, onUpdate: Bool = false) {
        self.onCreate = onCreate
        self.onUpdate = onUpdate
    }
}

/// `select` field options. One of `values` (maxSelect ≤ 1) or several (a JSON array).
public struct SelectFieldOptions: Sendable, Equatable {
    public var values: [String]
    public var maxSelect: Int

    public init(values: [String] = [], maxSelect: Int = 0) {
        self.values = values
        self.maxSelect = maxSelect
    }
}

/// `json` field options. Any JSON value; `maxSize` 0 means 1 MiB.
public struct JSONFieldOptions: Sendable, Equatable {
    public var maxSize: Int

    public init(maxSize: Int = 0) {
        self.maxSize = maxSize
    }
}

/// `relation` field options. Ids of records of `collectionId`: one (maxSelect ≤ 1) or several.
public struct RelationFieldOptions: Sendable, Equatable {
    public var collectionId: String
    public var cascadeDelete: Bool
    public var minSelect: Int
    public var maxSelect: Int

    public init(collectionId: String = "", cascadeDelete: Bool = false, minSelect: Int = 0, maxSelect: Int = 0) {
        self.collectionId = collectionId
        self.cascadeDelete = cascadeDelete
        self.minSelect = minSelect
        self.maxSelect = maxSelect
    }
}

/// `file` field options. Stored file names: one (maxSelect ≤ 1) or several.
public struct FileFieldOptions: Sendable, Equatable {
    public var maxSelect: Int
    public var maxSize: Int
    public var mimeTypes: [String]
    public var thumbs: [String]
    public var protected: Bool

    public init(maxSelect: Int = 0, maxSize: Int = 0, mimeTypes: [String] = [], thumbs: [String] = [], protected: Bool = false) {
        self.maxSelect = maxSelect
        self.maxSize = maxSize
        self.mimeTypes = mimeTypes
        self.thumbs = thumbs
        self.protected = protected
    }
}

/// `password` field options. A bcrypt hash; never serialized.
public struct PasswordFieldOptions: Sendable, Equatable {
    public var min: Int
    public var max: Int
    public var pattern: String
    public var cost: Int

    public init(min: Int = 0, max: Int = 0, pattern: String = "", cost: Int = 0) {
        self.min = min
        self.max = max
        self.pattern = pattern
        self.cost = cost
    }
}

/// `geoPoint` field options: none beyond the common keys. A `{"lon", "lat"}` pair of degrees; `required`
/// means not (0, 0), PocketBase's "Null Island".
public struct GeoPointFieldOptions: Sendable, Equatable {
    public init() {}
}

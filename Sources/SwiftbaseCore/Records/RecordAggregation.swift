/// What `RecordService.aggregate` computes over the records a list request selects: terms such as
/// `COUNT(*)` or `SUM(views)`, optionally per group of equal key fields.
public struct RecordAggregation: Sendable {
    public enum Function: String, Sendable, Hashable {
        /// Rows (no field), or the rows whose field is not null.
        case count
        /// Distinct values of a field.
        case countDistinct
        case sum
        case avg
        case min
        case max
    }

    public struct Term: Sendable, Hashable {
        public var function: Function
        /// The field it reads; nil only for `count`, which then counts rows.
        public var field: String?

        public init(_ function: Function, _ field: String? = nil) {
            self.function = function
            self.field = field
        }
    }

    public var terms: [Term]
    /// Fields whose equal values form a group; empty for one answer over every selected record.
    public var groupBy: [String]
    /// At most this many groups, in ascending key order.
    public var groupLimit: Int

    public init(terms: [Term], groupBy: [String] = [], groupLimit: Int = 1000) {
        self.terms = terms
        self.groupBy = groupBy
        self.groupLimit = groupLimit
    }
}

/// One answer of an aggregation: the group's key values (in `groupBy` order, as the REST API would show
/// them) and one value per term (numbers; `min`/`max` in their field's JSON form; null over no rows).
public struct RecordAggregateGroup: Sendable, Equatable {
    public var keys: [JSONValue]
    public var values: [JSONValue]
}

extension RecordAggregation {
    /// Whether `function` (nil: grouping) may read `field`: only fields a requester could filter on anyway —
    /// never a password, `tokenKey`, a hidden field (except for superusers) or an auth collection's email
    /// (its visibility is per record, which a group or a `min` would leak) — and only single values of a
    /// type the function fits.
    public static func allows(
        _ function: Function?, field: FieldModel, in collection: CollectionModel, superuser: Bool
    ) -> Bool {
        let refused =
            (field.hidden && !superuser) || field.type == "password" || (collection.isAuth && field.name == "tokenKey")
            || (collection.isAuth && field.type == "email" && !superuser) || field.isMultiple
        guard !refused else { return false }
        switch function {
        case .sum, .avg:
            return field.type == "number"
        case .min, .max:
            return ["number", "text", "email", "url", "date", "autodate", "select"].contains(field.type)
        case .count, .countDistinct, nil:
            return ["text", "email", "url", "number", "bool", "date", "autodate", "select", "relation", "file"]
                .contains(field.type)
        }
    }

    /// The field `name` of `collection` when `function` may read it; a 400 otherwise.
    static func check(_ name: String, in collection: CollectionModel, for function: Function?, superuser: Bool)
        throws -> FieldModel
    {
        let what = function?.rawValue ?? "group by"
        guard let field = collection.field(named: name) else {
            throw SwiftbaseError.badRequest("Unknown field \"\(name)\" to \(what).")
        }
        guard allows(function, field: field, in: collection, superuser: superuser) else {
            throw SwiftbaseError.badRequest("The field \"\(name)\" cannot be used to \(what).")
        }
        return field
    }
}

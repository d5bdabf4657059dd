/// Point bodies as a bulk write sent them, laid out by the collection's fields: for each point, the raw value of
/// each field (nil when the body left it out), in one flat array, so reading a batch costs no dictionary per point.
///
/// A body with a key that names no field — a modifier (`temp+`), or a key only a rule reads — is kept whole
/// instead, for the record path that applies bodies key by key (``RecordInputApplier``).
public struct ParsedPoints: Sendable {
    /// The collection's field names, in its order: the columns of ``raw(_:_:)``.
    public let fieldNames: [String]
    /// `count × fieldNames.count` raw values, point by point.
    private(set) var slots: [JSONValue?] = []
    /// Bodies kept whole, by point index.
    private(set) var whole: [Int: [String: JSONValue]] = [:]
    public private(set) var count = 0

    public init(fieldNames: [String]) {
        self.fieldNames = fieldNames
    }

    /// Bodies given as objects (MQTT ingest), laid out the same way.
    public init(fieldNames: [String], bodies: [[String: JSONValue]]) {
        self.init(fieldNames: fieldNames)
        slots.reserveCapacity(bodies.count * fieldNames.count)
        for body in bodies { append(body) }
    }

    /// The raw value of field `field` (an index into ``fieldNames``) in point `point`; nil when left out or when
    /// the point is kept whole.
    func raw(_ point: Int, _ field: Int) -> JSONValue? {
        slots[point * fieldNames.count + field]
    }

    /// The body of `point` kept whole, if it was.
    func wholeBody(_ point: Int) -> [String: JSONValue]? {
        whole[point]
    }

    /// The body of `point` as an object, whichever way it is kept.
    public func body(_ point: Int) -> [String: JSONValue] {
        if let body = whole[point] { return body }
        var body: [String: JSONValue] = [:]
        for (field, name) in fieldNames.enumerated() {
            if let value = raw(point, field) { body[name] = value }
        }
        return body
    }

    /// Adds a point whose fields were read into `values` (one per field, nil when absent).
    mutating func append(fields values: [JSONValue?]) {
        slots.append(contentsOf: values)
        count += 1
    }

    /// Adds a point given as an object: laid out by field when every key names one, kept whole otherwise.
    mutating func append(_ body: [String: JSONValue]) {
        var row = [JSONValue?](repeating: nil, count: fieldNames.count)
        var laidOut = 0
        for (field, name) in fieldNames.enumerated() {
            if let value = body[name] {
                row[field] = value
                laidOut += 1
            }
        }
        if laidOut != body.count {
            row = [JSONValue?](repeating: nil, count: fieldNames.count)
            whole[count] = body
        }
        slots.append(contentsOf: row)
        count += 1
    }
}

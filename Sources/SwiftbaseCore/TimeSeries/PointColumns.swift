/// Points ready to store, column by column in the collection's field order: the canonical text of each text,
/// select and date field, the number of each number field, and every point's time in epoch milliseconds (what
/// the rollups bucket by). A batch is stored with one prepared statement and folded into rollups from here.
public struct PointColumns: Sendable {
    /// The collection's field names (the raw table's columns), in its order.
    public let fieldNames: [String]
    /// Per field: whether it holds numbers (`numbers[field]`) or text (`texts[field]`).
    public let isNumber: [Bool]
    /// Per field, its stored text, point by point (empty for number fields).
    public private(set) var texts: [[String]]
    /// Per field, its numbers, point by point (empty for text fields).
    public private(set) var numbers: [[Double]]
    /// Per point, its time in epoch milliseconds.
    public private(set) var times: [Int64] = []

    public var count: Int { times.count }

    public init(fieldNames: [String], isNumber: [Bool], capacity: Int = 0) {
        self.fieldNames = fieldNames
        self.isNumber = isNumber
        texts = isNumber.map { number in
            var column: [String] = []
            if !number { column.reserveCapacity(capacity) }
            return column
        }
        numbers = isNumber.map { number in
            var column: [Double] = []
            if number { column.reserveCapacity(capacity) }
            return column
        }
        times.reserveCapacity(capacity)
    }

    /// The bound value of `field` in point `row`: text as it is, a number as a number field stores it.
    public func sqlValue(field: Int, row: Int) -> SQLValue {
        isNumber[field] ? NumberFieldOptions.stored(numbers[field][row]) : .text(texts[field][row])
    }

    mutating func append(text: String, field: Int) { texts[field].append(text) }
    mutating func append(number: Double, field: Int) { numbers[field].append(number) }
    /// Ends a point whose fields were all appended.
    mutating func endPoint(time: Int64) { times.append(time) }
}

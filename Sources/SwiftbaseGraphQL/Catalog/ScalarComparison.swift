/// The comparison inputs of `where` (`String_comparison_exp` …) and the operators each offers, as Hasura
/// names them.
enum ScalarComparison: CaseIterable, Sendable {
    case string, int, float, boolean, dateTime
    /// Multi-valued fields: `_contains` (every given value is present) and `_is_null` (no value).
    case stringArray

    var typeName: String {
        switch self {
        case .string: "String_comparison_exp"
        case .int: "Int_comparison_exp"
        case .float: "Float_comparison_exp"
        case .boolean: "Boolean_comparison_exp"
        case .dateTime: "DateTime_comparison_exp"
        case .stringArray: "String_array_comparison_exp"
        }
    }

    var operators: [ComparisonOperator] {
        switch self {
        case .string:
            [.eq, .neq, .gt, .gte, .lt, .lte, .in, .nin, .like, .nlike, .ilike, .nilike, .isNull]
        case .int, .float, .dateTime:
            [.eq, .neq, .gt, .gte, .lt, .lte, .in, .nin, .isNull]
        case .boolean:
            [.eq, .neq, .isNull]
        case .stringArray:
            [.contains, .isNull]
        }
    }
}

/// One operator of a comparison input.
enum ComparisonOperator: String, CaseIterable, Sendable {
    case eq = "_eq"
    case neq = "_neq"
    case gt = "_gt"
    case gte = "_gte"
    case lt = "_lt"
    case lte = "_lte"
    case `in` = "_in"
    case nin = "_nin"
    case like = "_like"
    case nlike = "_nlike"
    case ilike = "_ilike"
    case nilike = "_nilike"
    case isNull = "_is_null"
    case contains = "_contains"

    /// Whether the operand is a list of values (`_in: [..]`).
    var takesList: Bool {
        switch self {
        case .in, .nin, .contains: true
        default: false
        }
    }

    /// Whether the operand is a Boolean whatever the field's type.
    var takesBoolean: Bool { self == .isNull }
}

/// The filter language's functions: `geoDistance(lonA, latA, lonB, latB)` and the date formatting function
/// (`FilterKeywords.dateFormatFunction`).
enum FilterFunctions {
    static func resolve<Resolver: FieldResolver>(_ name: String, _ arguments: [FilterOperand], resolver: inout Resolver)
        throws(SwiftbaseError) -> ResolvedOperand
    {
        switch name {
        case "geoDistance": return try geoDistance(arguments, resolver: &resolver)
        case FilterKeywords.dateFormatFunction: return try formatDate(name, arguments, resolver: &resolver)
        default: throw .invalidFilter("unknown function \(name)")
        }
    }

    /// `geoDistance(lonA, latA, lonB, latB)`: kilometres between two points in degrees
    /// (``SQLDialect/geoDistance(lonA:latA:lonB:latB:)``). Arguments are identifiers or numbers; an argument
    /// with several values per row (a multi relation path) is not made to match for all of them, as in
    /// PocketBase: its joins leave one row per value, so one matching value is enough.
    private static func geoDistance<Resolver: FieldResolver>(_ arguments: [FilterOperand], resolver: inout Resolver)
        throws(SwiftbaseError) -> ResolvedOperand
    {
        guard arguments.count == 4 else {
            throw .invalidFilter("geoDistance expects 4 arguments, got \(arguments.count)")
        }
        var resolved: [ResolvedOperand] = []
        for (index, argument) in arguments.enumerated() {
            switch argument {
            case .identifier, .number: resolved.append(try FilterCompiler.resolveOperand(argument, resolver: &resolver))
            default: throw .invalidFilter("geoDistance argument \(index) must be an identifier or number")
            }
        }
        let sql = resolver.dialect.geoDistance(
            lonA: resolved[0].sql, latA: resolved[1].sql, lonB: resolved[2].sql, latB: resolved[3].sql)
        return ResolvedOperand(
            sql: sql, nullFallback: .disabled, parameters: resolved.flatMap(\.parameters).isEmpty ? [] : sql.arguments,
            usesJoins: resolved.contains(where: \.usesJoins))
    }

    /// The date formatting function (``SQLDialect/formatDate(_:time:modifiers:)``), called `name`: at most 10
    /// arguments; the format and modifiers must be string literals. Never treated as known non-empty, so
    /// `name(…) = ''` also matches NULL.
    private static func formatDate<Resolver: FieldResolver>(
        _ name: String, _ arguments: [FilterOperand], resolver: inout Resolver
    ) throws(SwiftbaseError) -> ResolvedOperand {
        guard !arguments.isEmpty else { throw .invalidFilter("\(name) expects at least 1 argument") }
        guard arguments.count <= 10 else { throw .invalidFilter("\(name) accepts at most 10 arguments") }
        guard case .text = arguments[0] else { throw .invalidFilter("\(name) expects a format string first") }
        let format = try FilterCompiler.resolveOperand(arguments[0], resolver: &resolver)
        guard arguments.count > 1 else {
            let sql = resolver.dialect.formatDate(format.sql, time: nil, modifiers: [])
            return ResolvedOperand(sql: sql, nullFallback: .enforced, parameters: sql.arguments)
        }
        switch arguments[1] {
        case .text, .identifier, .number: break
        case .function: throw .invalidFilter("\(name) expects a time value as its second argument")
        }
        let time = try FilterCompiler.resolveOperand(arguments[1], resolver: &resolver)
        var modifiers: [SQLFragment] = []
        for (index, argument) in arguments.dropFirst(2).enumerated() {
            guard case .text = argument else { throw .invalidFilter("\(name) modifier \(index) must be a string") }
            modifiers.append(try FilterCompiler.resolveOperand(argument, resolver: &resolver).sql)
        }

        let dialect = resolver.dialect
        func call(_ timeValue: SQLFragment) -> SQLFragment {
            dialect.formatDate(format.sql, time: timeValue, modifiers: modifiers)
        }
        let sql = call(time.sql)
        var result = ResolvedOperand(
            sql: sql, nullFallback: .enforced, parameters: sql.arguments, usesJoins: time.usesJoins)
        if var values = time.multiMatch {
            values.value = call(values.value)
            result.multiMatch = values
        }
        return result
    }
}

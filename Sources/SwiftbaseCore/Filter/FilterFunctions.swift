/// The filter language's functions: `geoDistance(lonA, latA, lonB, latB)` and
/// `strftime(format [, timeValue [, modifier…]])`.
enum FilterFunctions {
    static func resolve<Resolver: FieldResolver>(_ name: String, _ arguments: [FilterOperand], resolver: inout Resolver)
        throws(SwiftbaseError) -> ResolvedOperand
    {
        switch name {
        case "geoDistance": return try geoDistance(arguments, resolver: &resolver)
        case "strftime": return try strftime(arguments, resolver: &resolver)
        default: throw .invalidFilter("unknown function \(name)")
        }
    }

    /// Haversine distance in kilometres between two lon/lat points. Arguments are identifiers or numbers.
    /// Needs SQLite's math functions (`acos`, `cos`, `sin`, `radians`).
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
        let (lonA, latA, lonB, latB) = (resolved[0].sql, resolved[1].sql, resolved[2].sql, resolved[3].sql)
        func raw(_ text: String) -> SQLFragment { SQLFragment(unsafeRaw: text) }
        let sql =
            raw("(6371 * acos(cos(radians(") + latA + raw(")) * cos(radians(") + latB + raw(")) * cos(radians(") + lonB
            + raw(") - radians(") + lonA + raw(")) + sin(radians(") + latA + raw(")) * sin(radians(") + latB
            + raw("))))")
        return ResolvedOperand(
            sql: sql, nullFallback: .disabled, parameters: resolved.flatMap(\.parameters).isEmpty ? [] : sql.arguments,
            usesJoins: resolved.contains(where: \.usesJoins))
    }

    /// SQLite `strftime`, at most 10 arguments; the format and modifiers must be string literals. Never treated as
    /// known non-empty, so `strftime(…) = ''` also matches NULL.
    private static func strftime<Resolver: FieldResolver>(_ arguments: [FilterOperand], resolver: inout Resolver)
        throws(SwiftbaseError) -> ResolvedOperand
    {
        guard !arguments.isEmpty else { throw .invalidFilter("strftime expects at least 1 argument") }
        guard arguments.count <= 10 else { throw .invalidFilter("strftime accepts at most 10 arguments") }
        guard case .text = arguments[0] else { throw .invalidFilter("strftime expects a format string first") }
        let format = try FilterCompiler.resolveOperand(arguments[0], resolver: &resolver)
        guard arguments.count > 1 else {
            let sql = SQLFragment(unsafeRaw: "strftime(") + format.sql + SQLFragment(unsafeRaw: ")")
            return ResolvedOperand(sql: sql, nullFallback: .enforced, parameters: sql.arguments)
        }
        switch arguments[1] {
        case .text, .identifier, .number: break
        case .function: throw .invalidFilter("strftime expects a time value as its second argument")
        }
        let time = try FilterCompiler.resolveOperand(arguments[1], resolver: &resolver)
        var modifiers: [SQLFragment] = []
        for (index, argument) in arguments.dropFirst(2).enumerated() {
            guard case .text = argument else { throw .invalidFilter("strftime modifier \(index) must be a string") }
            modifiers.append(try FilterCompiler.resolveOperand(argument, resolver: &resolver).sql)
        }

        func call(_ timeValue: SQLFragment) -> SQLFragment {
            SQLFragment(unsafeRaw: "strftime(") + SQLFragment.join([format.sql, timeValue] + modifiers, separator: ",")
                + SQLFragment(unsafeRaw: ")")
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

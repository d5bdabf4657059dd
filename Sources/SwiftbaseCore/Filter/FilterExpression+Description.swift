// Canonical filter text: `FilterParser.parse(expr.description) == expr` for every tree the parser can
// produce. Strings are always double-quoted with `\` and `"` escaped (`\\`, `\"`); every other character,
// line breaks included, is written as it is, which the parser reads back unchanged.

extension FilterExpression: CustomStringConvertible {
    package var description: String {
        var out = ""
        write(into: &out)
        return out
    }

    func write(into out: inout String) {
        switch self {
        case .comparison(let comparison):
            comparison.write(into: &out)
        case .and(let children):
            for (index, child) in children.enumerated() {
                if index > 0 { out += " && " }
                // `||` binds looser than `&&`, so a disjunction inside a conjunction needs its group back.
                if case .or = child {
                    out += "("
                    child.write(into: &out)
                    out += ")"
                } else {
                    child.write(into: &out)
                }
            }
        case .or(let children):
            for (index, child) in children.enumerated() {
                if index > 0 { out += " || " }
                child.write(into: &out)
            }
        }
    }
}

extension FilterComparison: CustomStringConvertible {
    package var description: String {
        var out = ""
        write(into: &out)
        return out
    }

    func write(into out: inout String) {
        left.write(into: &out)
        out += " "
        out += op.rawValue
        out += " "
        right.write(into: &out)
    }
}

extension FilterOperand: CustomStringConvertible {
    package var description: String {
        var out = ""
        write(into: &out)
        return out
    }

    func write(into out: inout String) {
        switch self {
        case .identifier(let name):
            out += name
        case .number(let literal):
            out += literal
        case .text(let value):
            out += "\""
            for scalar in value.unicodeScalars {
                if scalar == "\"" || scalar == "\\" { out += "\\" }
                out.unicodeScalars.append(scalar)
            }
            out += "\""
        case .function(let name, let arguments):
            out += name
            out += "("
            for (index, argument) in arguments.enumerated() {
                if index > 0 { out += ", " }
                argument.write(into: &out)
            }
            out += ")"
        }
    }
}

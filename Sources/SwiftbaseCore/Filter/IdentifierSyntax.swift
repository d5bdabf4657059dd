import Foundation

/// Shape checks on identifiers before any schema lookup, mirroring PocketBase's allowed-field patterns:
///
/// ```
/// ^\w+[\w.:]*$                         plain paths (title, author.name, tags:each)
/// ^@request\.(context|method)$
/// ^@request\.(auth|body|query|headers)\.[\w.:]*\w+$
/// ^@collection\.\w+(:\w+)?\.[\w.:]*\w+$
/// ```
/// where `\w` is `[A-Za-z0-9_]`.
enum IdentifierSyntax {
    /// Modifiers PocketBase accepts after the last path segment.
    enum Modifier: String {
        case isset, changed, length, each, lower
    }

    static func isResolvable(_ identifier: String) -> Bool {
        let bytes = Array(identifier.utf8)
        guard let first = bytes.first else { return false }
        if isWord(first) { return bytes.allSatisfy(isPathByte) }
        if identifier == "@request.context" || identifier == "@request.method" { return true }
        for prefix in ["@request.auth.", "@request.body.", "@request.query.", "@request.headers."]
        where identifier.hasPrefix(prefix) {
            return isPathTail(bytes[prefix.utf8.count...])
        }
        let collectionPrefix = "@collection.".utf8.count
        if identifier.hasPrefix("@collection.") {
            // \w+ (:\w+)? \. tail
            var index = collectionPrefix
            let nameStart = index
            while index < bytes.count, isWord(bytes[index]) { index += 1 }
            guard index > nameStart else { return false }
            if index < bytes.count, bytes[index] == UInt8(ascii: ":") {
                index += 1
                let aliasStart = index
                while index < bytes.count, isWord(bytes[index]) { index += 1 }
                guard index > aliasStart else { return false }
            }
            guard index < bytes.count, bytes[index] == UInt8(ascii: ".") else { return false }
            return isPathTail(bytes[(index + 1)...])
        }
        return false
    }

    /// `[\w.:]*\w+`: at least one byte, path bytes only, ending in a word byte.
    private static func isPathTail(_ tail: ArraySlice<UInt8>) -> Bool {
        guard let last = tail.last, isWord(last) else { return false }
        return tail.allSatisfy(isPathByte)
    }

    static func isWord(_ byte: UInt8) -> Bool {
        FilterLexer.isLetter(byte) || FilterLexer.isDigit(byte) || byte == UInt8(ascii: "_")
    }

    static func isWord(_ text: Substring) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { isWord($0) }
    }

    private static func isPathByte(_ byte: UInt8) -> Bool {
        isWord(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
    }

    /// Splits `name:modifier`. A segment with exactly one `:` must name a known modifier (else 400); with
    /// none or several colons the segment is returned whole, as PocketBase does.
    static func splitModifier(_ segment: String) throws(SwiftbaseError) -> (name: String, modifier: Modifier?) {
        let parts = segment.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return (segment, nil) }
        guard let modifier = Modifier(rawValue: String(parts[1])) else {
            throw .invalidFilter("unknown modifier in \(segment)")
        }
        return (String(parts[0]), modifier)
    }

    /// `<collection>_via_<field>` split at the last `_via_` with word characters on both sides.
    static func backRelation(_ segment: String) -> (collection: String, field: String)? {
        guard let range = segment.range(of: "_via_", options: .backwards) else { return nil }
        let collection = segment[..<range.lowerBound]
        let field = segment[range.upperBound...]
        guard isWord(collection), isWord(field) else { return nil }
        return (String(collection), String(field))
    }
}

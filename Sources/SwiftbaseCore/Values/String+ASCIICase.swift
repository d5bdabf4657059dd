extension String {
    /// Equality that ignores the case of ASCII letters only, byte by byte, with no allocation: how SQLite compares
    /// identifiers, and what names of collections, fields and indexes need (PocketBase's are ASCII, `^\w+$`) on
    /// paths that run per request, where Foundation's `caseInsensitiveCompare` cost more than the lookup it guarded.
    func equalsIgnoringASCIICase(_ other: String) -> Bool {
        var left = utf8.makeIterator()
        var right = other.utf8.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return true
            case (let a?, let b?):
                if a != b && Self.foldASCII(a) != Self.foldASCII(b) { return false }
            default: return false
            }
        }
    }

    private static func foldASCII(_ byte: UInt8) -> UInt8 {
        (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
    }
}

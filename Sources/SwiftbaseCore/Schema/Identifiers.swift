/// Ids as PocketBase derives them: collection and field ids are CRC32 checksums of their names (so the
/// same schema gets the same ids everywhere), record ids are random.
///
/// ```swift
/// Identifiers.collectionID(type: .base, name: "posts")  // "pbc_1125843985"
/// Identifiers.fieldID(type: "text", name: "title")      // "text724990059"
/// ```
package enum Identifiers {
    /// `"pbc_"` + decimal CRC32-IEEE of type + name, the id PocketBase gives a new collection.
    package static func collectionID(type: CollectionModel.Kind, name: String) -> String {
        "pbc_" + String(CRC32.checksum(type.rawValue + name))
    }

    /// Type + decimal CRC32-IEEE of the name, the id PocketBase gives a field submitted without one.
    package static func fieldID(type: String, name: String) -> String {
        type + String(CRC32.checksum(name))
    }

    /// A random record id: 15 characters of `[a-z0-9]`.
    package static func recordID() -> String {
        RandomString.make(length: 15, alphabet: RandomString.lowercaseAlphanumeric)
    }

    /// An id of the same form whose first 8 characters are the milliseconds since 1970 in base 36 (until 2059),
    /// then 7 random ones: ids made later sort later, so a table keyed by them grows at the end of its index
    /// instead of at a random place (a request log entry's id; PocketBase's are random, and no client reads
    /// anything into them).
    package static func timeOrderedID(millisecondsSince1970 milliseconds: Int64) -> String {
        var generator = SystemRandomNumberGenerator()
        return timeOrderedID(millisecondsSince1970: milliseconds, using: &generator)
    }

    /// `timeOrderedID(millisecondsSince1970:)` with its random part drawn from `generator`.
    package static func timeOrderedID(
        millisecondsSince1970 milliseconds: Int64, using generator: inout some RandomNumberGenerator
    ) -> String {
        var prefix = (UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0), UInt8(0))
        var rest = max(0, milliseconds)
        withUnsafeMutableBytes(of: &prefix) { bytes in
            for index in stride(from: 7, through: 0, by: -1) {
                bytes[index] = base36Digits[Int(rest % 36)]
                rest /= 36
            }
        }
        let time = withUnsafeBytes(of: &prefix) { String(decoding: $0, as: UTF8.self) }
        return time + RandomString.make(length: 7, alphabet: RandomString.lowercaseAlphanumeric, using: &generator)
    }

    private static let base36Digits: [UInt8] = Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8)
}

/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as Go's `crc32.ChecksumIEEE`.
package enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 {
            c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1
        }
        return c
    }

    package static func checksum(_ text: String) -> UInt32 {
        checksum(text.utf8)
    }

    package static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return crc ^ 0xFFFF_FFFF
    }
}

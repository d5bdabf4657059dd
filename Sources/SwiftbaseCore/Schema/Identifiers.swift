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

/// Writes MQTT's data representations (§1.5). The caller keeps values in range (strings and binary data under
/// 65,536 bytes); the encoder checks before it writes.
struct MQTTByteWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    mutating func byte(_ value: UInt8) { bytes.append(value) }

    mutating func uint16(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xFF))
    }

    mutating func uint32(_ value: UInt32) {
        bytes.append(UInt8(value >> 24))
        bytes.append(UInt8((value >> 16) & 0xFF))
        bytes.append(UInt8((value >> 8) & 0xFF))
        bytes.append(UInt8(value & 0xFF))
    }

    mutating func variableInteger(_ value: UInt32) {
        var value = value
        repeat {
            var b = UInt8(value & 0x7F)
            value >>= 7
            if value > 0 { b |= 0x80 }
            bytes.append(b)
        } while value > 0
    }

    mutating func binary(_ value: some Collection<UInt8>) {
        uint16(UInt16(truncatingIfNeeded: value.count))
        bytes.append(contentsOf: value)
    }

    mutating func string(_ value: String) {
        binary(value.utf8)
    }

    mutating func append(_ value: some Sequence<UInt8>) { bytes.append(contentsOf: value) }

    /// How many bytes `value` takes as a Variable Byte Integer.
    static func variableIntegerSize(_ value: UInt32) -> Int {
        value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4
    }
}

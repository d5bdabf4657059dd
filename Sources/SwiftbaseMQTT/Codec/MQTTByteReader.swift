/// Reads MQTT's data representations (§1.5) from one packet's bytes. Running past the end is a malformed packet,
/// never a crash: every read checks what is left.
struct MQTTByteReader {
    private let bytes: ArraySlice<UInt8>
    private(set) var index: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        index = bytes.startIndex
    }

    var remaining: Int { bytes.endIndex - index }
    var isAtEnd: Bool { index >= bytes.endIndex }

    mutating func byte() throws(MQTTProtocolError) -> UInt8 {
        guard remaining >= 1 else { throw .malformed("packet ends early") }
        defer { index += 1 }
        return bytes[index]
    }

    mutating func uint16() throws(MQTTProtocolError) -> UInt16 {
        guard remaining >= 2 else { throw .malformed("packet ends early") }
        defer { index += 2 }
        return UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])
    }

    mutating func uint32() throws(MQTTProtocolError) -> UInt32 {
        guard remaining >= 4 else { throw .malformed("packet ends early") }
        defer { index += 4 }
        return UInt32(bytes[index]) << 24 | UInt32(bytes[index + 1]) << 16 | UInt32(bytes[index + 2]) << 8
            | UInt32(bytes[index + 3])
    }

    /// A Variable Byte Integer (§1.5.5): at most four bytes, each carrying seven bits, low bits first.
    mutating func variableInteger() throws(MQTTProtocolError) -> UInt32 {
        var value: UInt32 = 0
        for shift in stride(from: 0, to: 28, by: 7) {
            let b = try byte()
            value |= UInt32(b & 0x7F) << UInt32(shift)
            if b & 0x80 == 0 { return value }
        }
        throw .malformed("variable byte integer longer than four bytes")
    }

    /// Binary Data (§1.5.6): a two-byte length, then that many bytes.
    mutating func binary() throws(MQTTProtocolError) -> [UInt8] {
        let length = Int(try uint16())
        return Array(try take(length))
    }

    /// A UTF-8 Encoded String (§1.5.4), well-formed and without U+0000.
    mutating func string() throws(MQTTProtocolError) -> String {
        let length = Int(try uint16())
        return try MQTTUTF8.decode(try take(length))
    }

    mutating func take(_ count: Int) throws(MQTTProtocolError) -> ArraySlice<UInt8> {
        guard count >= 0, remaining >= count else { throw .malformed("packet ends early") }
        defer { index += count }
        return bytes[index..<(index + count)]
    }

    mutating func rest() -> ArraySlice<UInt8> {
        defer { index = bytes.endIndex }
        return bytes[index...]
    }
}

/// MQTT's rules for UTF-8 Encoded Strings (3.1.1 §1.5.3, 5.0 §1.5.4): well-formed UTF-8 as RFC 3629 defines
/// it — so no overlong forms and no encoded surrogates (U+D800…U+DFFF) — and no U+0000. A string breaking them
/// makes the packet malformed.
enum MQTTUTF8 {
    static func decode(_ bytes: ArraySlice<UInt8>) throws(MQTTProtocolError) -> String {
        if bytes.contains(0) { throw .malformed("UTF-8 string contains U+0000") }
        // Swift's validating decoder follows RFC 3629: it refuses overlong forms, surrogates and values past U+10FFFF.
        guard let string = String(validating: bytes, as: UTF8.self) else {
            throw .malformed("string is not well-formed UTF-8")
        }
        return string
    }

    /// Whether `string` may be sent as an MQTT string: no U+0000 and at most 65,535 bytes.
    static func isSendable(_ string: String) -> Bool {
        string.utf8.count <= 65_535 && !string.utf8.contains(0)
    }
}

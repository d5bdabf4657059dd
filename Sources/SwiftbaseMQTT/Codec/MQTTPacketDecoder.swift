/// Cuts a byte stream into MQTT packets: a pure state machine, fed whatever bytes arrived (one at a time or many
/// packets at once) and asked for the next packet until it needs more.
///
/// ```swift
/// var decoder = MQTTPacketDecoder(maximumPacketSize: 1 << 20)
/// decoder.append(bytes)
/// while let packet = try decoder.next() { handle(packet) }   // nil: wait for more bytes
/// ```
///
/// The Remaining Length is read first (at most four bytes, §2.2.3); a packet longer than `maximumPacketSize` is
/// refused as soon as its length is known, before its body is buffered. After a thrown error the stream is out
/// of step: the connection must close.
public struct MQTTPacketDecoder: Sendable {
    /// The version packets after CONNECT are read as; set it once the connection's CONNECT was read.
    public var version: MQTTProtocolVersion
    /// The largest whole packet (fixed header included) accepted, in bytes.
    public var maximumPacketSize: Int
    private var buffer: [UInt8] = []
    private var start = 0

    /// The largest Remaining Length four bytes can carry (268,435,455).
    public static let maximumRemainingLength = 268_435_455

    public init(version: MQTTProtocolVersion = .v311, maximumPacketSize: Int = maximumRemainingLength + 5) {
        self.version = version
        self.maximumPacketSize = maximumPacketSize
    }

    /// Bytes received and not yet decoded.
    public var bufferedByteCount: Int { buffer.count - start }

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next whole packet, or nil when more bytes are needed.
    public mutating func next() throws(MQTTProtocolError) -> MQTTPacket? {
        guard let frame = try nextFrame() else { return nil }
        return try MQTTPacket.decode(firstByte: frame.firstByte, body: frame.body, version: version)
    }

    /// The next whole frame (first byte and body) without decoding its body, or nil when more bytes are needed.
    mutating func nextFrame() throws(MQTTProtocolError) -> (firstByte: UInt8, body: ArraySlice<UInt8>)? {
        let available = buffer.count - start
        guard available >= 2 else { return nil }
        var length = 0
        var multiplier = 1
        var headerLength = 1
        while true {
            guard headerLength < available else { return nil }
            let b = buffer[start + headerLength]
            headerLength += 1
            length += Int(b & 0x7F) * multiplier
            if b & 0x80 == 0 { break }
            guard headerLength < 5 else { throw .malformed("remaining length longer than four bytes") }
            multiplier *= 128
        }
        guard headerLength + length <= maximumPacketSize else {
            throw MQTTProtocolError(.packetTooLarge, "packet of \(headerLength + length) bytes is over the maximum")
        }
        guard available >= headerLength + length else { return nil }
        let firstByte = buffer[start]
        let bodyStart = start + headerLength
        start = bodyStart + length
        let body = buffer[bodyStart..<start]
        if start == buffer.count {
            // Everything read: let the storage go with the body, so an idle connection holds no buffer.
            buffer = []
            start = 0
        }
        return (firstByte, body)
    }
}

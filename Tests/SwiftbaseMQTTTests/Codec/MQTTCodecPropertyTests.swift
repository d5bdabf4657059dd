import SwiftbaseTesting
import Testing

@testable import SwiftbaseMQTT

/// Properties of the codec over thousands of seeded random packets and byte strings: what is encoded decodes to
/// itself, every prefix of a packet asks for more bytes, and no input — random, truncated or mutated — crashes
/// the decoder: it returns packets, asks for more, or reports a protocol error.
@Suite struct MQTTCodecPropertyTests {
    @Test(arguments: [MQTTProtocolVersion.v311, .v5])
    func encodedPacketsDecodeToThemselves(_ version: MQTTProtocolVersion) throws {
        var generator = MQTTPacketGenerator(seed: 0x4D51_5454 + UInt64(version.rawValue), version: version)
        for i in 0..<3000 {
            let packet = generator.packet()
            let bytes = try packet.encoded(version: version)
            var decoder = MQTTPacketDecoder(version: version)
            decoder.append(bytes)
            let decoded = try decoder.next()
            #expect(decoded == packet, "packet \(i): \(packet)")
            #expect(decoder.bufferedByteCount == 0)
            if decoded != packet { return }
        }
    }

    @Test(arguments: [MQTTProtocolVersion.v311, .v5])
    func everyPrefixNeedsMoreBytes(_ version: MQTTProtocolVersion) throws {
        var generator = MQTTPacketGenerator(seed: 77 + UInt64(version.rawValue), version: version)
        for _ in 0..<300 {
            let bytes = try generator.packet().encoded(version: version)
            for cut in 0..<bytes.count {
                var decoder = MQTTPacketDecoder(version: version)
                decoder.append(bytes[..<cut])
                #expect(try decoder.next() == nil, "cut at \(cut) of \(bytes.count)")
            }
        }
    }

    @Test(arguments: [MQTTProtocolVersion.v311, .v5])
    func randomAndMutatedBytesNeverCrashTheDecoder(_ version: MQTTProtocolVersion) throws {
        var random = SeededRandom(seed: 0xF022 + UInt64(version.rawValue))
        var generator = MQTTPacketGenerator(seed: 0xF023 + UInt64(version.rawValue), version: version)
        var outcomes = (packets: 0, needMore: 0, errors: 0)
        for round in 0..<6000 {
            var bytes: [UInt8]
            switch round % 3 {
            case 0:
                bytes = (0..<random.int(0..<64)).map { _ in UInt8(random.int(0..<256)) }
            case 1:
                // A valid packet with a few bytes changed, removed or inserted.
                bytes = try generator.packet().encoded(version: version)
                for _ in 0..<random.int(1..<4) where !bytes.isEmpty {
                    let at = random.int(0..<bytes.count)
                    switch random.int(0..<3) {
                    case 0: bytes[at] = UInt8(random.int(0..<256))
                    case 1: bytes.remove(at: at)
                    default: bytes.insert(UInt8(random.int(0..<256)), at: at)
                    }
                }
            default:
                // A valid packet whose fixed header claims a different length.
                bytes = try generator.packet().encoded(version: version)
                if bytes.count > 1 { bytes[1] = UInt8(random.int(0..<256)) }
            }
            var decoder = MQTTPacketDecoder(version: version, maximumPacketSize: 1 << 16)
            decoder.append(bytes)
            // At most one packet per byte: a decoder that made no progress would loop here.
            for _ in 0...bytes.count {
                do {
                    guard try decoder.next() != nil else {
                        outcomes.needMore += 1
                        break
                    }
                    outcomes.packets += 1
                } catch {
                    #expect(error.reasonCode.isFailure)
                    outcomes.errors += 1
                    break
                }
            }
        }
        // The inputs reach every outcome, so the property is not vacuous.
        #expect(outcomes.packets > 100 && outcomes.needMore > 100 && outcomes.errors > 100, "\(outcomes)")
    }
}

import Synchronization

@testable import SwiftbaseMQTT

/// A client link that keeps what the broker sent, for tests; `capacity` limits queued QoS 0 messages as a slow
/// socket would, and from `congestedAt` packets (kept, or queued by the broker's session) it says it is congested.
final class RecordingLink: MQTTClientLink {
    private let state = Mutex<(packets: [MQTTPacket], closed: Bool, sessionQueue: [Int])>(([], false, []))
    let capacity: Int
    let congestedAt: Int

    init(capacity: Int = .max, congestedAt: Int = .max) {
        self.capacity = capacity
        self.congestedAt = congestedAt
    }

    func send(_ packet: MQTTPacket, droppable: Bool) -> MQTTSendResult {
        state.withLock { state in
            if droppable && state.packets.count >= capacity { return .dropped }
            state.packets.append(packet)
            return state.packets.count >= congestedAt ? .congested : .queued
        }
    }

    func sessionQueueChanged(_ count: Int) -> Bool {
        state.withLock { state in
            state.sessionQueue.append(count)
            return count >= congestedAt
        }
    }

    /// The session queue lengths the broker reported, in order.
    var sessionQueueReports: [Int] { state.withLock { $0.sessionQueue } }

    func close() { state.withLock { $0.closed = true } }

    var isClosed: Bool { state.withLock { $0.closed } }

    /// What was sent since the last call.
    func take() -> [MQTTPacket] {
        state.withLock { state in
            defer { state.packets = [] }
            return state.packets
        }
    }

    /// The oldest packet not yet taken, leaving the rest.
    func takeFirst() -> MQTTPacket? {
        state.withLock { state in state.packets.isEmpty ? nil : state.packets.removeFirst() }
    }

    /// The PUBLISH packets sent since the last call (other packets are dropped from the record).
    func takePublishes() -> [MQTTPublish] {
        take().compactMap { if case .publish(let p) = $0 { p } else { nil } }
    }
}

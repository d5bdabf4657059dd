import Foundation
import Synchronization

/// Ids for points written in bulk: PocketBase's record-id shape, `[a-z0-9]{15}`, but in creation order.
///
/// Ten characters of a process-wide sequence (microseconds since the epoch when the batch began, or one past
/// the last id handed out if that is later; base 36, digits before letters, so text order is number order), then
/// five random characters. Random ids scatter a batch's inserts over the whole primary-key index — at ten million
/// points a batch of 10,000 dirties nearly as many index pages, each written to the WAL and checkpointed — while
/// ordered ones append to its end. Unique within the process by the sequence; across restarts by the clock
/// moving on (and the random part). Not secret: a point's id tells roughly when it was written.
struct PointIDs {
    /// The last sequence number handed out in this process.
    private static let last = Mutex<UInt64>(0)
    private static let digits = Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8)

    private var next: UInt64
    private var end: UInt64
    private var generator = SplitMix64()

    /// Reserves `count` ids (more may be drawn; each further batch of `count` takes the lock once more).
    init(reserving count: Int, now: UInt64 = Self.nowMicroseconds()) {
        (next, end) = Self.reserve(max(count, 1), now: now)
    }

    mutating func make() -> String {
        if next == end { (next, end) = Self.reserve(1024, now: Self.nowMicroseconds()) }
        var sequence = next
        next += 1
        var bytes = [UInt8](repeating: 0, count: 15)
        for i in stride(from: 9, through: 0, by: -1) {
            bytes[i] = Self.digits[Int(sequence % 36)]
            sequence /= 36
        }
        var random = generator.next()
        for i in 10..<15 {
            // 2^64 is not a multiple of 36: the bias of one draw is below 2^-58, far under anything observable.
            bytes[i] = Self.digits[Int(random % 36)]
            random /= 36
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func nowMicroseconds() -> UInt64 {
        UInt64(max(0, Date().timeIntervalSince1970 * 1_000_000))
    }

    private static func reserve(_ count: Int, now: UInt64) -> (UInt64, UInt64) {
        last.withLock { last in
            let start = max(now, last + 1)
            last = start + UInt64(count) - 1
            return (start, start + UInt64(count))
        }
    }
}

import Foundation
import Synchronization

/// PocketBase's guard on `auth-with-otp`: at most 5 attempts per auth record and client address in a fixed
/// window of 180 seconds that starts with the first attempt. Every attempt counts — right or wrong, with any
/// of the record's OTPs — so asking for a new code does not buy more guesses; the counters start again when
/// the app settings are saved, as PocketBase's rate limiters do.
final class OTPAttemptWindow: Sendable {
    static let maxAttempts = 5
    static let window: TimeInterval = 180

    private struct Counter {
        var start: Date
        var used: Int
    }

    private let counters = Mutex<[String: Counter]>([:])

    /// Takes one attempt for `recordID` from `clientIP` at `now`; false when the window's five are used up.
    func take(recordID: String, clientIP: String, now: Date) -> Bool {
        let key = recordID + "\u{0}" + clientIP
        return counters.withLock { counters in
            if counters.count > 10_000 {
                counters = counters.filter { now.timeIntervalSince($0.value.start) < Self.window }
            }
            var counter = counters[key] ?? Counter(start: now, used: 0)
            if now.timeIntervalSince(counter.start) >= Self.window { counter = Counter(start: now, used: 0) }
            guard counter.used < Self.maxAttempts else {
                counters[key] = counter
                return false
            }
            counter.used += 1
            counters[key] = counter
            return true
        }
    }

    func reset() {
        counters.withLock { $0.removeAll() }
    }
}

public import Foundation
public import SwiftbaseCore
import Synchronization

/// A wall clock a test moves by hand: pass `wallClock` to the app (`SwiftbaseConfiguration.clock`) or a
/// service, then `advance` past a token's, key's or code's expiry instead of waiting for it.
///
/// ```swift
/// let clock = ManualClock()
/// let test = try await SwiftbaseTestApp.make(configure: { $0.clock = clock.wallClock })
/// // … sign in …
/// clock.advance(by: 3600)   // the token has now expired
/// ```
public final class ManualClock: Sendable {
    private let time: Mutex<Date>

    /// A clock at `start` (by default the system time now, so records' own timestamps stay comparable).
    public init(start: Date = Date()) {
        time = Mutex(start)
    }

    public var now: Date { time.withLock { $0 } }

    /// Moves the clock forward by `seconds` (backward when negative).
    public func advance(by seconds: TimeInterval) {
        time.withLock { $0 += seconds }
    }

    /// This clock, as the core reads time.
    public var wallClock: WallClock {
        WallClock { [self] in now }
    }
}

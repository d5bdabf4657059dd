internal import Foundation
internal import CoreFoundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// WASI clock ids 0 (realtime), 1 (monotonic), 2 and 3 (process/thread CPU time, answered with the monotonic
/// clock) in nanoseconds.
enum WASIClock {
    static func now(id: UInt64) -> UInt64? {
        var time = timespec()
        switch id {
        case 0: clock_gettime(CLOCK_REALTIME, &time)
        case 1, 2, 3: clock_gettime(CLOCK_MONOTONIC, &time)
        default: return nil
        }
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's limit on open files (`RLIMIT_NOFILE`). Every connection holds a descriptor, and the usual soft
/// limit (1,024 under systemd and most shells) is far below what a server can serve; at the limit every
/// accept, database file and thread pool fails. The server raises the soft limit to the hard one at start,
/// as PocketBase and nginx do, and sizes its connection budget under what it got.
enum OpenFilesLimit {
    /// Raises the soft limit to the hard limit; returns the limits before and after.
    static func raise() -> (before: Int, after: Int) {
        var limit = rlimit()
        guard getrlimit(resourceNumber, &limit) == 0 else { return (1024, 1024) }
        let before = Int(clamping: limit.rlim_cur)
        guard limit.rlim_cur < limit.rlim_max else { return (before, before) }
        var raised = limit
        // An unlimited hard limit is not a number the kernel accepts for the soft one; the kernel's own
        // ceiling (`nr_open`) is usually 1,048,576.
        raised.rlim_cur = limit.rlim_max == rlim_t.max ? 1 << 20 : limit.rlim_max
        guard setrlimit(resourceNumber, &raised) == 0 else { return (before, before) }
        return (before, Int(clamping: raised.rlim_cur))
    }

    #if canImport(Glibc)
    private static let resourceNumber = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resourceNumber = RLIMIT_NOFILE
    #endif
}

import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Starts this program again in place (same pid, same arguments), as PocketBase does after a restore: the
/// new image applies the staged restore before it opens the database. Every descriptor but the standard
/// three is marked close-on-exec first (the listening socket among them), so nothing of the old process
/// leaks into the new one.
enum ProcessRestart {
    static func reexec() {
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for descriptor in open.compactMap({ Int32($0) }) where descriptor > 2 {
            let flags = fcntl(descriptor, F_GETFD)
            if flags >= 0 { _ = fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) }
        }
        let executable = FileManager.default.fileExists(atPath: "/proc/self/exe") ? "/proc/self/exe" : CommandLine.arguments[0]
        var arguments: [UnsafeMutablePointer<CChar>?] = CommandLine.arguments.map { strdup($0) }
        arguments.append(nil)
        execv(executable, arguments)
        // Only reached when exec failed: the restore stays staged and is applied at the next start.
        FileHandle.standardError.write(Data("swiftbase: could not restart (errno \(errno)); restart it to finish the restore\n".utf8))
    }
}

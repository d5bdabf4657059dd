#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import Foundation

/// An advisory lock on `DIR/.swiftbase.lock` that keeps a restore from replacing the data under a process
/// that has it open.
///
/// Every process that opens the data directory (the server, CLI commands that read or write it) holds the
/// lock shared; replacing the data — applying a restore — needs it exclusively. A `swiftbase restore` while a
/// server runs is refused instead of swapping `data.db` under it, where the server would have gone on writing
/// to the replaced file and its writes would have been lost at the next start. `flock` locks belong to the
/// open file, so the lock goes with the process (and with an in-place restart: the descriptor is
/// close-on-exec).
public final class DataDirectoryLock: Sendable {
    public static let fileName = ".swiftbase.lock"

    public struct Busy: Error, CustomStringConvertible {
        public let directory: String
        public var description: String { "another process has the data directory \(directory) open" }
    }

    private let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Takes the lock exclusively, or throws `Busy` at once when another process holds it.
    public static func exclusive(_ directory: URL) throws -> DataDirectoryLock {
        try take(directory, LOCK_EX)
    }

    /// Takes the lock shared, or throws `Busy` at once while another process holds it exclusively.
    public static func shared(_ directory: URL) throws -> DataDirectoryLock {
        try take(directory, LOCK_SH)
    }

    /// Turns an exclusive hold into a shared one.
    public func share() {
        _ = flock(descriptor, LOCK_SH)
    }

    private static func take(_ directory: URL, _ operation: Int32) throws -> DataDirectoryLock {
        let path = directory.appendingPathComponent(fileName).path
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        guard flock(descriptor, operation | LOCK_NB) == 0 else {
            let code = errno
            close(descriptor)
            if code == EWOULDBLOCK { throw Busy(directory: directory.path) }
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
        return DataDirectoryLock(descriptor: descriptor)
    }
}

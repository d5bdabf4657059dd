#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization
import SwiftbaseCore

/// The header of the database's WAL index (the `-shm` file), read as SQLite's own readers read it: the
/// committed state of a WAL database, without a transaction or a system call.
///
/// SQLite's WAL format (sqlite.org/walformat.html) keeps two copies of a 48-byte header at the start of the
/// `-shm` file. A committing writer — of any process — appends its frames to the WAL, then rewrites both
/// copies (the second first), and only then is the commit visible. The header holds the last valid frame,
/// the frame checksum and the WAL salts, so it differs after every commit and after every restart of the
/// WAL (which changes the salts); SQLite compares it to decide whether its page cache is still valid. Two
/// copies that differ are a header being written: no version then.
///
/// The file is mapped read-only once the database is open; the store's own connections keep it in place
/// (SQLite resets it only when the first connection of all opens it, and removes it only when the last one
/// closes). This holds for WAL in SQLite's normal locking mode, which the store always uses: in exclusive
/// locking mode the index lives in private memory and this header would never move.
final class WALIndexHeader: Sendable {
    private static let headerSize = 48
    private static let mappedSize = 4096

    private let shmPath: String
    /// The mapping's address, once made; 0 until the `-shm` file exists with a full header.
    private let address = Atomic<UInt>(0)
    private let mapping = Mutex<Void>(())

    init(databasePath: String) {
        shmPath = databasePath + "-shm"
    }

    deinit {
        let base = address.load(ordering: .acquiring)
        if base != 0 { munmap(UnsafeMutableRawPointer(bitPattern: base), Self.mappedSize) }
    }

    /// The committed state now; nil while a commit is being published or when the file cannot be read.
    func version() -> StoreVersion? {
        guard let base = mapped() else { return nil }
        let first = Self.words(at: base)
        atomicMemoryFence(ordering: .acquiring)
        let second = Self.words(at: base + Self.headerSize)
        guard first == second, first.isInitialized else { return nil }
        return StoreVersion(words: first.words)
    }

    private struct HeaderWords: Equatable {
        var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
        /// `isInit`, the byte after `iVersion`, `unused` and `iChange`.
        var isInitialized: Bool { words.1 >> 32 & 0xff != 0 }
        static func == (lhs: Self, rhs: Self) -> Bool { lhs.words == rhs.words }
    }

    private static func words(at base: UnsafeRawPointer) -> HeaderWords {
        HeaderWords(
            words: (
                base.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
                base.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                base.loadUnaligned(fromByteOffset: 16, as: UInt64.self),
                base.loadUnaligned(fromByteOffset: 24, as: UInt64.self),
                base.loadUnaligned(fromByteOffset: 32, as: UInt64.self),
                base.loadUnaligned(fromByteOffset: 40, as: UInt64.self)))
    }

    private func mapped() -> UnsafeRawPointer? {
        let known = address.load(ordering: .acquiring)
        if known != 0 { return UnsafeRawPointer(bitPattern: known) }
        return mapping.withLock { _ -> UnsafeRawPointer? in
            let again = address.load(ordering: .acquiring)
            if again != 0 { return UnsafeRawPointer(bitPattern: again) }
            let fd = open(shmPath, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return nil }
            defer { close(fd) }
            // Mapping past the end of the file would fault on access; SQLite never shrinks it while open.
            guard lseek(fd, 0, SEEK_END) >= Self.mappedSize else { return nil }
            guard let base = mmap(nil, Self.mappedSize, PROT_READ, MAP_SHARED, fd, 0), Int(bitPattern: base) != -1 else {
                return nil
            }
            address.store(UInt(bitPattern: base), ordering: .releasing)
            return UnsafeRawPointer(base)
        }
    }
}

import ArgumentParser
import Foundation
import Swiftbase
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `swiftbase import pocketbase PB_DATA_DIR [--dir DIR]` — a new data directory from another backend's.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Makes a new data directory from another backend's data.",
        subcommands: [PocketBase.self])

    struct PocketBase: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pocketbase",
            abstract: "Imports a PocketBase 0.23+ data directory (pb_data) into a new Swiftbase data directory.",
            discussion: "The PocketBase directory is only read (stop PocketBase first). See Docs/Import.md.")

        @Argument(help: "PocketBase's data directory (the one with data.db and storage/).")
        var pbDataDir: String

        @Option(name: .long, help: "The new Swiftbase data directory: missing or empty (env SB_DIR).")
        var dir: String = ProcessInfo.processInfo.environment["SB_DIR"] ?? "./sb_data"

        @Option(
            name: .customLong("encryptionEnv"),
            help: "The environment variable holding the key PocketBase encrypted its settings with (its --encryptionEnv).")
        var encryptionEnv: String?

        func run() async throws {
            var key: String?
            if let encryptionEnv {
                key = ProcessInfo.processInfo.environment[encryptionEnv]
                guard let key, !key.isEmpty else {
                    Self.fail("the environment variable \(encryptionEnv) (--encryptionEnv) is not set")
                }
            }
            let job = PocketBaseImport(
                source: URL(fileURLWithPath: pbDataDir, isDirectory: true),
                target: URL(fileURLWithPath: dir, isDirectory: true), encryptionKey: key)
            let display = ImportProgressDisplay(enabled: isatty(STDERR_FILENO) == 1)
            let started = ContinuousClock.now
            let summary: PocketBaseImport.Summary
            do {
                summary = try await job.run { display.show($0) }
            } catch let refusal as PocketBaseImport.Refusal {
                display.finish()
                Self.fail(refusal.description)
            }
            display.finish()
            for note in summary.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
            let elapsed = (ContinuousClock.now - started).components
            let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
            print(
                "Imported \(summary.collections) collections, \(summary.records) records and \(summary.files) files "
                    + "(\(ImportProgressDisplay.mebibytes(summary.bytes)) MiB) into \(dir) in "
                    + String(format: "%.1f", seconds) + " s.")
        }

        /// One line on standard error, exit status 1.
        static func fail(_ message: String) -> Never {
            FileHandle.standardError.write(Data("Error: not imported: \(message)\n".utf8))
            Foundation.exit(1)
        }
    }
}

/// The import's progress as one bar on standard error (records and bytes), at most ten times a second;
/// silent when standard error is not a terminal.
final class ImportProgressDisplay: Sendable {
    private let bar: ProgressBar?
    private let lastShown = Mutex<ContinuousClock.Instant?>(nil)

    init(enabled: Bool) {
        bar = enabled ? ProgressBar() : nil
    }

    func show(_ progress: PocketBaseImport.Progress) {
        guard let bar else { return }
        let now = ContinuousClock.now
        let due = lastShown.withLock { last -> Bool in
            let done = progress.records == progress.totalRecords && progress.bytes == progress.totalBytes
            if !done, let last, now - last < .milliseconds(100) { return false }
            last = now
            return true
        }
        guard due else { return }
        let records = progress.totalRecords == 0 ? 1 : Double(progress.records) / Double(progress.totalRecords)
        let bytes = progress.totalBytes == 0 ? 1 : Double(progress.bytes) / Double(progress.totalBytes)
        bar.show(
            "\(progress.records)/\(progress.totalRecords) records, "
                + "\(Self.mebibytes(progress.bytes))/\(Self.mebibytes(progress.totalBytes)) MiB",
            (records + bytes) / 2)
    }

    func finish() { bar?.finish() }

    static func mebibytes(_ bytes: Int64) -> String {
        String(format: "%.1f", Double(bytes) / 1_048_576)
    }
}

import ArgumentParser
import Foundation
import Logging
import Swiftbase

/// `swiftbase` — the command line, in PocketBase's shape so tools that drive PocketBase drive Swiftbase.
struct SwiftbaseCommand: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "swiftbase",
        abstract: "A backend for your app in one binary: PocketBase-compatible REST API on an embedded SQLite file.",
        version: version,
        subcommands: [
            ServeCommand.self, SuperuserCommand.self, BackupCommand.self, RestoreCommand.self, FunctionsCommand.self,
            ImportCommand.self,
        ],
        defaultSubcommand: nil)
}

/// Options every command shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The data directory (env SB_DIR).")
    var dir: String = ProcessInfo.processInfo.environment["SB_DIR"] ?? "./sb_data"

    @Flag(name: .long, help: "Development mode: debug logging.")
    var dev = false

    @Option(
        name: .customLong("encryptionEnv"),
        help: "Environment variable holding the 32-character key the settings are encrypted with at rest.")
    var encryptionEnv: String = "SB_ENCRYPTION_KEY"

    /// The settings' key from the environment; nil (plain settings, as PocketBase's default) when unset or empty.
    var encryptionKey: String? {
        ProcessInfo.processInfo.environment[encryptionEnv].flatMap { $0.isEmpty ? nil : $0 }
    }
}

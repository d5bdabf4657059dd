import ArgumentParser
import SwiftbaseCore
import Foundation
import Swiftbase

/// `swiftbase superuser upsert|create|update|delete EMAIL [PASSWORD]`, `otp EMAIL`, `ips [IP_OR_SUBNET…]`.
struct SuperuserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "superuser", abstract: "Manages superusers.",
        subcommands: [Upsert.self, Create.self, Update.self, Delete.self, OTP.self, IPs.self])

    struct Upsert: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Creates, or updates the password of, a superuser.")
        @OptionGroup var global: GlobalOptions
        @Argument var email: String
        @Argument var password: String

        func run() async throws {
            try await SuperuserCommand.perform(global) { try await $0.upsertSuperuser(email: email, password: password) }
            print("Successfully saved superuser \"\(email)\"!")
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Creates a new superuser.")
        @OptionGroup var global: GlobalOptions
        @Argument var email: String
        @Argument var password: String

        func run() async throws {
            try await SuperuserCommand.perform(global) { try await $0.createSuperuser(email: email, password: password) }
            print("Successfully created new superuser \"\(email)\"!")
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Changes the password of a superuser.")
        @OptionGroup var global: GlobalOptions
        @Argument var email: String
        @Argument var password: String

        func run() async throws {
            try await SuperuserCommand.perform(global) {
                try await $0.updateSuperuserPassword(email: email, password: password)
            }
            print("Successfully changed superuser \"\(email)\" password!")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deletes a superuser.")
        @OptionGroup var global: GlobalOptions
        @Argument var email: String

        func run() async throws {
            try await SuperuserCommand.perform(global) { try await $0.deleteSuperuser(email: email) }
            print("Successfully deleted superuser \"\(email)\"!")
        }
    }

    struct OTP: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "otp", abstract: "Creates a new OTP for a superuser (OTP must be enabled on _superusers).")
        @OptionGroup var global: GlobalOptions
        @Argument var email: String

        func run() async throws {
            try await SuperuserCommand.perform(global) { app in
                let (otp, duration) = try await app.createSuperuserOTP(email: email)
                print("Successfully created OTP for superuser \"\(email)\":")
                print("├─ Id:    \(otp.id)")
                print("├─ Pass:  \(otp.password)")
                print("└─ Valid: \(duration)s")
            }
        }
    }

    /// PocketBase's `superuser ips`: the way back in after a lockout, from the server's own shell.
    struct IPs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ips",
            abstract: "Sets the superuser IPs whitelist (space separated IPs and subnets; none clears the restriction).")
        @OptionGroup var global: GlobalOptions
        @Argument var addresses: [String] = []

        func run() async throws {
            try await SuperuserCommand.perform(global) { app in
                try await app.services.settings.setSuperuserIPs(addresses)
                if addresses.isEmpty {
                    print("Successfully cleared SuperuserIPs setting!")
                } else {
                    print("Successfully updated SuperuserIPs setting:")
                    for (index, address) in addresses.enumerated() {
                        print((index == addresses.count - 1 ? "└─ " : "├─ ") + address)
                    }
                }
            }
        }
    }

    /// Opens the data directory, runs `body`, and turns domain errors into a message and exit code 1.
    static func perform(_ global: GlobalOptions, _ body: (SwiftbaseApp) async throws -> Void) async throws {
        var configuration = SwiftbaseConfiguration(dataDirectory: global.dir, dev: global.dev)
        configuration.settingsEncryptionKey = global.encryptionKey
        let app = try await SwiftbaseApp.open(configuration)
        do {
            try await body(app)
        } catch let error as SwiftbaseError {
            var message = error.message
            if case .fields(let fields) = error.data, !fields.isEmpty {
                message += " " + error.data.json.jsonString
            }
            FileHandle.standardError.write(Data(("Error: " + message + "\n").utf8))
            throw ExitCode.failure
        }
    }
}

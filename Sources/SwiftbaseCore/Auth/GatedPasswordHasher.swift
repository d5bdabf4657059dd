import Foundation

/// A password hasher whose every hash and verify passes one `WorkGate`, so logins, sign-ups, password
/// changes and one-time passwords together never run more bcrypt at once than the machine has room for,
/// and a flood is refused (429) instead of queued without end.
package struct GatedPasswordHasher: PasswordHasher {
    package let base: any PasswordHasher
    package let gate: WorkGate

    package init(_ base: any PasswordHasher, gate: WorkGate = .passwordHashing()) {
        self.base = base
        self.gate = gate
    }

    package func hash(_ password: String, cost: Int) async throws -> String {
        try await gate.run { try await base.hash(password, cost: cost) }
    }

    package func verify(_ password: String, hash: String) async throws -> Bool {
        try await gate.run { try await base.verify(password, hash: hash) }
    }
}

extension WorkGate {
    /// Two hashes per core keep every core busy while one thread waits to be scheduled; thirty-two waiting
    /// per running slot is about four seconds of queue at bcrypt's default cost (2 cores: 4 running, 128
    /// waiting, ~34 hashes a second) — room for 64 clients logging in at once plus the work of clients that
    /// gave up, but not for minutes of backlog: past it, a client is better told to retry.
    package static func passwordHashing(cores: Int = ProcessInfo.processInfo.activeProcessorCount) -> WorkGate {
        let running = max(2, cores * 2)
        return WorkGate(running: running, waiting: running * 32)
    }
}

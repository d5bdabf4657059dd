import Foundation
import Synchronization
import SwiftbaseCore
import SwiftbaseSQLite
import SwiftbaseServices
import Testing

/// The login guard on a real SQLite store, with real (slowed) bcrypt.
@Suite("Login burst")
struct LoginBurstTests {
    let system = RequestInfo(auth: .system, method: "POST")

    /// Real bcrypt, slowed down so a burst overlaps, counting the verifications that ran.
    final class SlowBcrypt: PasswordHasher {
        let verified = Atomic<Int>(0)
        /// Logins answered (counted by the test).
        let decided = Atomic<Int>(0)
        func hash(_ password: String, cost: Int) async throws -> String {
            await BcryptPasswordHasher().hash(password, cost: 4)
        }
        func verify(_ password: String, hash: String) async throws -> Bool {
            verified.add(1, ordering: .relaxed)
            try await Task.sleep(for: .milliseconds(200))
            return await BcryptPasswordHasher().verify(password, hash: hash)
        }
    }

    @Test func aBurstOfGuessesIsCutAtTheLimitAndTheRightPasswordLastIsRefused() async throws {
        let fixture = try await StoreFixture("login-burst")
        defer { fixture.remove() }
        let hasher = SlowBcrypt()
        let records = RecordService(
            store: fixture.store, registry: fixture.registry, events: EventBus(), passwords: hasher)
        let auth = AuthService(store: fixture.store, registry: fixture.registry, passwords: hasher)
        _ = try await records.create(
            in: "users",
            input: RecordInput(["email": "victim@example.com", "password": "Right-pass-123", "passwordConfirm": "Right-pass-123"]),
            request: system)
        @Sendable func login(_ password: String) async -> Int {
            defer { hasher.decided.add(1, ordering: .relaxed) }
            do {
                _ = try await auth.authWithPassword(collection: "users", identity: "victim@example.com", password: password)
                return 200
            } catch let error as SwiftbaseError {
                return error.code == .tooManyRequests ? 429 : 400
            } catch {
                return 500
            }
        }
        let statuses = await withTaskGroup(of: (Int, Int).self) { group in
            for i in 0..<59 { group.addTask { (i, await login("guess-\(i)")) } }
            // the right password comes last, once every wrong guess was let in or refused... or answered
            while hasher.decided.load(ordering: .relaxed) + hasher.verified.load(ordering: .relaxed) < 59 {
                try? await Task.sleep(for: .milliseconds(1))
            }
            group.addTask { (59, await login("Right-pass-123")) }
            return await group.reduce(into: [Int: Int]()) { $0[$1.0] = $1.1 }
        }
        #expect(hasher.verified.load(ordering: .relaxed) == 10)
        #expect(statuses.values.filter { $0 == 400 }.count == 10)
        #expect(statuses.values.filter { $0 == 429 }.count == 50)
        #expect(statuses[59] == 429)
    }
}

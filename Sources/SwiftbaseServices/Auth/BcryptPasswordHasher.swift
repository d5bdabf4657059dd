import HummingbirdBcrypt
public import SwiftbaseCore

/// bcrypt as `BlockingWork`, off the threads that run async tasks. Comparison of hashes is constant-time inside
/// bcrypt's verify. Unbounded by itself: the server wraps it in a `GatedPasswordHasher`.
public struct BcryptPasswordHasher: PasswordHasher {
    /// PocketBase's default cost when a password field has `cost: 0`.
    public static let defaultCost = 10

    public init() {}

    public func hash(_ password: String, cost: Int) async -> String {
        let cost = (4...31).contains(cost) ? cost : Self.defaultCost
        return await BlockingWork.run { Bcrypt.hash(password, cost: UInt8(cost)) }
    }

    public func verify(_ password: String, hash: String) async -> Bool {
        guard !hash.isEmpty else { return false }
        return await BlockingWork.run { Bcrypt.verify(password, hash: hash) }
    }
}

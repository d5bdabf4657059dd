import Dispatch
import HummingbirdBcrypt
public import SwiftbaseCore

/// bcrypt on a dispatch queue, off the cooperative pool. Comparison of hashes is constant-time inside
/// bcrypt's verify.
public struct BcryptPasswordHasher: PasswordHasher {
    /// PocketBase's default cost when a password field has `cost: 0`.
    public static let defaultCost = 10

    public init() {}

    public func hash(_ password: String, cost: Int) async -> String {
        let cost = (4...31).contains(cost) ? cost : Self.defaultCost
        return await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(returning: Bcrypt.hash(password, cost: UInt8(cost)))
            }
        }
    }

    public func verify(_ password: String, hash: String) async -> Bool {
        guard !hash.isEmpty else { return false }
        return await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(returning: Bcrypt.verify(password, hash: hash))
            }
        }
    }
}

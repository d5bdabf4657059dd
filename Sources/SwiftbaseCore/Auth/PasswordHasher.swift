/// Hashes and verifies passwords. bcrypt blocks its thread for tens of milliseconds, so implementations
/// must not run it on the cooperative thread pool. The bcrypt implementation lives in SwiftbaseServices
/// (`BcryptPasswordHasher`), keeping the core free of server packages; the server wraps it in a
/// `GatedPasswordHasher`, which is why both methods may throw (429 when too much hashing already waits).
public protocol PasswordHasher: Sendable {
    func hash(_ password: String, cost: Int) async throws -> String
    func verify(_ password: String, hash: String) async throws -> Bool
}

/// Hashes and verifies passwords. bcrypt blocks its thread for tens of milliseconds, so implementations
/// must not run it on the cooperative thread pool. The bcrypt implementation lives in SwiftbaseServices
/// (`BcryptPasswordHasher`), keeping the core free of server packages.
public protocol PasswordHasher: Sendable {
    func hash(_ password: String, cost: Int) async -> String
    func verify(_ password: String, hash: String) async -> Bool
}

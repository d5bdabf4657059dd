import Crypto
import Foundation

/// PocketBase's encryption of its stored settings (`serve --encryptionEnv NAME`): the settings JSON sealed
/// with AES-256-GCM under the 32 characters of the key, stored as base64 of nonce (12 bytes), ciphertext and
/// tag. Read by `swiftbase import pocketbase` to carry such settings over.
public enum PocketBaseSettingsCipher {
    public enum Failure: Error, Sendable {
        /// The key is not 32 bytes long (AES-256 takes the key's characters as they are).
        case badKeyLength(Int)
        /// The text is not base64, too short, or does not open with this key.
        case cannotDecrypt
    }

    /// The plaintext sealed in `text` under `key`.
    public static func open(_ text: String, key: String) throws(Failure) -> [UInt8] {
        let keyBytes = Array(key.utf8)
        guard keyBytes.count == 32 else { throw .badKeyLength(keyBytes.count) }
        guard let sealed = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)),
            sealed.count > 12 + 16
        else { throw .cannotDecrypt }
        do {
            let box = try AES.GCM.SealedBox(combined: sealed)
            return Array(try AES.GCM.open(box, using: SymmetricKey(data: keyBytes)))
        } catch {
            throw .cannotDecrypt
        }
    }
}

import Crypto
import Foundation

/// PocketBase's encryption of its stored settings (`serve --encryptionEnv NAME`): the settings JSON sealed
/// with AES-256-GCM under the 32 characters of the key, stored as base64 of nonce (12 bytes), ciphertext and
/// tag. Read by `swiftbase import pocketbase` to carry such settings over, and used by `SettingsService` to keep
/// Swiftbase's own settings sealed at rest when a key is given (`SB_ENCRYPTION_KEY` / `--encryptionEnv NAME`).
public enum PocketBaseSettingsCipher {
    public enum Failure: Error, Sendable, Equatable {
        /// The key is not 32 bytes long (AES-256 takes the key's characters as they are).
        case badKeyLength(Int)
        /// The text is not base64, too short, or does not open with this key.
        case cannotDecrypt
        /// Sealing failed (the platform's AES-GCM refused).
        case cannotEncrypt
    }

    /// `plaintext` sealed under `key` with a fresh random nonce, as base64 text that `open` reads back.
    public static func seal(_ plaintext: [UInt8], key: String) throws(Failure) -> String {
        let symmetric = try symmetricKey(key)
        let box: AES.GCM.SealedBox
        do {
            box = try AES.GCM.seal(plaintext, using: symmetric)
        } catch {
            throw .cannotEncrypt
        }
        // A 12-byte nonce (the default) always has a combined form.
        guard let combined = box.combined else { throw .cannotEncrypt }
        return combined.base64EncodedString()
    }

    /// Whether `key` can seal and open settings (32 bytes); a caller checks this once, at start.
    public static func validate(key: String) throws(Failure) {
        _ = try symmetricKey(key)
    }

    private static func symmetricKey(_ key: String) throws(Failure) -> SymmetricKey {
        let keyBytes = Array(key.utf8)
        guard keyBytes.count == 32 else { throw .badKeyLength(keyBytes.count) }
        return SymmetricKey(data: keyBytes)
    }

    /// The plaintext sealed in `text` under `key`.
    public static func open(_ text: String, key: String) throws(Failure) -> [UInt8] {
        let symmetric = try symmetricKey(key)
        guard let sealed = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)),
            sealed.count > 12 + 16
        else { throw .cannotDecrypt }
        do {
            let box = try AES.GCM.SealedBox(combined: sealed)
            return Array(try AES.GCM.open(box, using: symmetric))
        } catch {
            throw .cannotDecrypt
        }
    }
}

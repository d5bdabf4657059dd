/// Why the stored settings could not be read at start: they are sealed (`SB_ENCRYPTION_KEY` /
/// `--encryptionEnv`) and the key is missing or another one, or the given key cannot be one. The server refuses to start rather than run on
/// defaults that its next save would write over the real settings.
public enum SettingsLoadFailure: Error, Sendable, Equatable, CustomStringConvertible {
    case encryptedWithoutKey
    case wrongKey
    /// The key is not 32 bytes (AES-256 takes its characters as they are, as PocketBase does).
    case badKeyLength(Int)

    /// `key` when it can seal settings, else `.badKeyLength`.
    public static func checked(key: String) throws(SettingsLoadFailure) -> String {
        do {
            try PocketBaseSettingsCipher.validate(key: key)
        } catch {
            throw .badKeyLength(key.utf8.count)
        }
        return key
    }

    public var description: String {
        switch self {
        case .encryptedWithoutKey:
            "the stored settings are encrypted: start with their key in SB_ENCRYPTION_KEY"
                + " (or in the variable named by --encryptionEnv)"
        case .wrongKey:
            "the stored settings cannot be decrypted with the given encryption key (wrong key?)"
        case .badKeyLength(let count):
            "the settings encryption key must be 32 characters long, not \(count)"
        }
    }
}

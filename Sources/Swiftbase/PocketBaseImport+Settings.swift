import Foundation
import SwiftbaseCore
import SwiftbaseSQLite

extension PocketBaseImport {
    /// PocketBase's settings (`_params` row `settings`): plain JSON, or sealed with the key PocketBase's
    /// `--encryptionEnv` named, which then must be given too. Nil when the directory has none stored.
    func readSettings(from data: PocketBaseDataFile) throws -> JSONValue? {
        guard let stored = try data.param("settings"), !stored.isEmpty else { return nil }
        if let json = try? JSONValue.parse(stored), json.objectValue != nil { return json }
        guard let key = encryptionKey, !key.isEmpty else {
            throw Refusal(
                "the PocketBase settings are encrypted (it ran with --encryptionEnv); give the same variable: "
                    + "--encryptionEnv NAME")
        }
        let plain: [UInt8]
        do {
            plain = try PocketBaseSettingsCipher.open(stored, key: key)
        } catch .badKeyLength(let length) {
            throw Refusal("the settings key must be 32 characters long, not \(length)")
        } catch {
            throw Refusal("the PocketBase settings do not decrypt with the given key")
        }
        guard let json = try? JSONValue.parse(String(decoding: plain, as: UTF8.self)), json.objectValue != nil else {
            throw Refusal("the decrypted PocketBase settings are not a JSON object")
        }
        return json
    }
}

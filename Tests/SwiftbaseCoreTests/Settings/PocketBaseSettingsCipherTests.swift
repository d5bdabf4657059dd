import Foundation
import Testing

@testable import SwiftbaseCore

@Suite("Settings cipher")
struct PocketBaseSettingsCipherTests {
    let key = "0123456789abcdef0123456789abcdef"

    @Test func sealedTextOpensWithTheSameKey() throws {
        let plain = Array(#"{"smtp":{"password":"hunter2"}}"#.utf8)
        let sealed = try PocketBaseSettingsCipher.seal(plain, key: key)
        #expect(!sealed.contains("hunter2"))
        #expect(try PocketBaseSettingsCipher.open(sealed, key: key) == plain)
    }

    @Test func everySealUsesAFreshNonce() throws {
        let plain = Array("same".utf8)
        let first = try PocketBaseSettingsCipher.seal(plain, key: key)
        let second = try PocketBaseSettingsCipher.seal(plain, key: key)
        #expect(first != second)
        // PocketBase's layout: base64 of nonce (12) + ciphertext + tag (16).
        #expect(Data(base64Encoded: first)?.count == 12 + plain.count + 16)
    }

    @Test func anotherKeyCannotOpen() throws {
        let sealed = try PocketBaseSettingsCipher.seal(Array("secret".utf8), key: key)
        #expect(throws: PocketBaseSettingsCipher.Failure.cannotDecrypt) {
            _ = try PocketBaseSettingsCipher.open(sealed, key: "fedcba9876543210fedcba9876543210")
        }
    }

    @Test func tamperedTextCannotOpen() throws {
        var bytes = try #require(Data(base64Encoded: PocketBaseSettingsCipher.seal(Array("secret".utf8), key: key)))
        bytes[bytes.count - 1] ^= 1
        #expect(throws: PocketBaseSettingsCipher.Failure.cannotDecrypt) {
            _ = try PocketBaseSettingsCipher.open(bytes.base64EncodedString(), key: key)
        }
    }

    @Test(arguments: ["", "short", "0123456789abcdef0123456789abcdef0"])
    func keysMustBe32Bytes(badKey: String) {
        #expect(throws: PocketBaseSettingsCipher.Failure.badKeyLength(badKey.utf8.count)) {
            _ = try PocketBaseSettingsCipher.seal(Array("x".utf8), key: badKey)
        }
        #expect(throws: SettingsLoadFailure.self) { _ = try SettingsLoadFailure.checked(key: badKey) }
    }
}

import Foundation
import SwiftbaseCore
import SwiftbaseSQLite
import Testing

/// Settings sealed at rest with a key: what `_params` holds, and loading them with, without or with another key.
@Suite("Encrypted settings")
struct EncryptedSettingsTests {
    let key = "0123456789abcdef0123456789abcdef"

    func storedValue(_ store: SQLiteStore) async throws -> String {
        try await store.read { conn in
            try conn.scalar(
                SQLFragment(unsafeRaw: #"SELECT "value" FROM "_params" WHERE "id" = 'settings'"#, arguments: []))
        }?.textValue ?? ""
    }

    @Test func sealedWithTheKeyAndReadableOnlyWithIt() async throws {
        let data = try await StoreFixture("enc-settings")
        defer { data.remove() }
        let sealing = SettingsService(store: data.store, encryptionKey: key)
        try await sealing.load()
        try await sealing.update(["smtp": ["password": "hunter2-secret"]])
        let stored = try await storedValue(data.store)
        #expect(!stored.isEmpty && !stored.contains("hunter2") && !stored.contains("smtp"))

        let again = SettingsService(store: data.store, encryptionKey: key)
        try await again.load()
        #expect(again.snapshot["smtp"]?["password"] == "hunter2-secret")

        await #expect(throws: SettingsLoadFailure.encryptedWithoutKey) {
            try await SettingsService(store: data.store).load()
        }
        await #expect(throws: SettingsLoadFailure.wrongKey) {
            try await SettingsService(store: data.store, encryptionKey: "fedcba9876543210fedcba9876543210").load()
        }
    }

    @Test func plainSettingsLoadWithAKeyAndAreSealedAtTheNextSave() async throws {
        let data = try await StoreFixture("plain-settings")
        defer { data.remove() }
        let plain = SettingsService(store: data.store)
        try await plain.update(["meta": ["appName": "Plain"], "smtp": ["password": "visible-pass"]])
        #expect(try await storedValue(data.store).contains("visible-pass"))

        let keyed = SettingsService(store: data.store, encryptionKey: key)
        try await keyed.load()
        #expect(keyed.snapshot["meta"]?["appName"] == "Plain")
        try await keyed.update(["meta": ["appName": "Sealed"]])
        let stored = try await storedValue(data.store)
        #expect(!stored.contains("visible-pass") && !stored.contains("Sealed"))
        let reread = SettingsService(store: data.store, encryptionKey: key)
        try await reread.load()
        #expect(reread.snapshot["smtp"]?["password"] == "visible-pass")
    }
}

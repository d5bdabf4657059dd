import AsyncHTTPClient
import NIOCore
public import SwiftbaseCore

/// `POST /api/settings/test/s3`, as PocketBase runs it: with the saved settings of `storage` (`s3`) or
/// `backups` (`backups.s3`), upload a small file under a random `pb_settings_test_…/` prefix, then delete
/// everything under that prefix (which needs listing too). Every failure is a 400 in PocketBase's words.
public struct S3ConnectionTest: Sendable {
    let settings: SettingsService

    public init(settings: SettingsService) {
        self.settings = settings
    }

    static let failed = "Failed to test the S3 filesystem."

    public func run(filesystem: String) async throws {
        guard ["storage", "backups"].contains(filesystem) else {
            let item: ErrorItem = filesystem.isEmpty ? .required : .inInvalid
            throw SwiftbaseError.validation(Self.failed, .items(["filesystem": item]))
        }
        let s3 = filesystem == "backups" ? settings.backupsS3 : settings.storageS3
        guard s3.enabled else { throw Self.raw("S3 storage filesystem is not enabled") }
        let client = S3Client(settings: s3)
        let prefix = "pb_settings_test_" + RandomString.make(length: 5, alphabet: RandomString.lowercaseAlphanumeric)
        let key = prefix + "/test.txt"
        do {
            try await client.put(key, body: .bytes(.init(string: "test")), contentType: "text/plain; charset=utf-8")
        } catch {
            throw Self.raw("failed to upload a test file: [key: \(key)] " + S3ResponseError.pocketBaseText(error))
        }
        do {
            for object in try await client.list(prefix: prefix) { try await client.delete(object.key) }
        } catch {
            throw Self.raw("failed to delete a test file: " + S3ResponseError.pocketBaseText(error))
        }
    }

    static func raw(_ detail: String) -> SwiftbaseError {
        SwiftbaseError.badRequestSentence(failed + " Raw error: \n" + detail)
    }
}

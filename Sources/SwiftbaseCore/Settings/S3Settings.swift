/// One S3-compatible bucket as PocketBase's settings describe it (`s3`, `backups.s3`): where uploads or
/// backups go while `enabled`.
public struct S3Settings: Sendable, Hashable {
    public var enabled: Bool
    public var bucket: String
    public var region: String
    /// With or without a scheme (`https://` by default, `http://` kept, as PocketBase reads it).
    public var endpoint: String
    public var accessKey: String
    public var secret: String
    /// Path-style addressing (`endpoint/bucket/key`) instead of virtual-host style (`bucket.endpoint/key`).
    public var forcePathStyle: Bool

    public init(
        enabled: Bool, bucket: String, region: String, endpoint: String, accessKey: String, secret: String,
        forcePathStyle: Bool
    ) {
        self.enabled = enabled
        self.bucket = bucket
        self.region = region
        self.endpoint = endpoint
        self.accessKey = accessKey
        self.secret = secret
        self.forcePathStyle = forcePathStyle
    }

    /// Reads a settings section; missing keys are PocketBase's zero values.
    public init(json: JSONValue?) {
        func text(_ key: String) -> String { json?[key]?.stringValue ?? "" }
        self.init(
            enabled: json?["enabled"]?.boolValue ?? false, bucket: text("bucket"), region: text("region"),
            endpoint: text("endpoint"), accessKey: text("accessKey"), secret: text("secret"),
            forcePathStyle: json?["forcePathStyle"]?.boolValue ?? false)
    }
}

extension SettingsService {
    /// `s3`: where record files go while it is enabled.
    public var storageS3: S3Settings { S3Settings(json: snapshot["s3"]) }

    /// `backups.s3`: where backups go while it is enabled.
    public var backupsS3: S3Settings { S3Settings(json: snapshot["backups"]?["s3"]) }
}

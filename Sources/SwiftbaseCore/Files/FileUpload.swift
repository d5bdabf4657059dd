/// A file part of a create or update body: the name the client gave it and its bytes.
public struct FileUpload: Sendable, Equatable {
    /// The submitted name's last path element (never empty).
    public var originalName: String
    public var data: [UInt8]

    public init(originalName: String, data: [UInt8]) {
        self.originalName = originalName
        self.data = data
    }
}

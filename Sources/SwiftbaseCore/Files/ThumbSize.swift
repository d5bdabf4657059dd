/// A thumb size as file fields list them: `WxH` (cover the box, crop the centre), `WxHt` / `WxHb` (crop
/// from the top / bottom), `WxHf` (fit inside the box, never enlarged), `Wx0` / `0xH` (keep the aspect
/// ratio).
public struct ThumbSize: Sendable, Equatable {
    public enum Mode: Sendable, Equatable { case center, top, bottom, fit }

    public let width: Int
    public let height: Int
    public let mode: Mode
    /// As written (`80x40t`), the prefix of the cached thumb's name.
    public let text: String

    public init?(_ text: String) {
        guard FileFieldOptions.isThumbSize(text) else { return nil }
        var body = Substring(text)
        switch body.last {
        case "t": mode = .top
        case "b": mode = .bottom
        case "f": mode = .fit
        default: mode = .center
        }
        if mode != .center { body = body.dropLast() }
        let parts = body.split(separator: "x")
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]), width > 0 || height > 0,
            width <= 10_000, height <= 10_000
        else { return nil }
        self.width = width
        self.height = height
        self.text = text
    }
}

/// Makes thumbnails of uploaded images. The server's is backed by libpng and libjpeg.
public protocol Thumbnailing: Sendable {
    /// Whether images of this media type get thumbs (others are served as they are).
    func supports(_ mediaType: String) -> Bool
    /// The media type a thumb of such an image is written in.
    func outputType(for mediaType: String) -> String
    /// The thumb's encoded bytes, or nil when the image cannot be decoded.
    func thumbnail(of data: [UInt8], type: String, size: ThumbSize) -> [UInt8]?
}

import CImageCodec
public import SwiftbaseCore

/// Thumbnails of PNG and JPEG uploads, decoded and encoded by libpng and libjpeg(-turbo) and resampled
/// here, with PocketBase's size arithmetic: `Wx0`/`0xH` keep the aspect ratio (the computed side rounded),
/// `WxH[t|b]` cover the box and crop at the centre, top or bottom, `WxHf` fits inside it and never enlarges.
/// A JPEG's EXIF orientation is applied first; thumbs keep their original's format.
public struct ImageThumbnailer: Thumbnailing {
    public init() {}

    public func supports(_ mediaType: String) -> Bool {
        ["image/png", "image/jpeg"].contains(ContentSniffer.essence(mediaType))
    }

    public func outputType(for mediaType: String) -> String {
        ContentSniffer.essence(mediaType) == "image/jpeg" ? "image/jpeg" : "image/png"
    }

    public func thumbnail(of data: [UInt8], type: String, size: ThumbSize) -> [UInt8]? {
        let isJPEG = ContentSniffer.essence(type) == "image/jpeg"
        guard var image = isJPEG ? Self.decodeJPEG(data) : Self.decodePNG(data) else { return nil }
        if isJPEG { image = image.oriented(EXIFOrientation.read(data)) }
        let thumb = Self.geometry(image, size)
        return isJPEG ? Self.encodeJPEG(thumb) : Self.encodePNG(thumb)
    }

    static func geometry(_ image: RGBAImage, _ size: ThumbSize) -> RGBAImage {
        let (w, h) = (Double(image.width), Double(image.height))
        if size.width == 0 || size.height == 0 {
            let newWidth = size.width == 0 ? Int((Double(size.height) * w / h).rounded()) : size.width
            let newHeight = size.height == 0 ? Int((Double(size.width) * h / w).rounded()) : size.height
            return image.resized(to: max(1, newWidth), max(1, newHeight))
        }
        let (bw, bh) = (Double(size.width), Double(size.height))
        if size.mode == .fit {
            if image.width <= size.width && image.height <= size.height { return image }
            let ratio = min(bw / w, bh / h)
            let newWidth = bw / w <= bh / h ? size.width : max(1, Int(w * ratio))
            let newHeight = bw / w <= bh / h ? max(1, Int(h * ratio)) : size.height
            return image.resized(to: newWidth, newHeight)
        }
        // Cover the box, then crop.
        let wider = w / h > bw / bh
        let coverWidth = wider ? max(size.width, Int((w * bh / h).rounded())) : size.width
        let coverHeight = wider ? size.height : max(size.height, Int((h * bw / w).rounded()))
        let covered = image.resized(to: coverWidth, coverHeight)
        let x = (coverWidth - size.width) / 2
        let y: Int =
            switch size.mode {
            case .top: 0
            case .bottom: coverHeight - size.height
            default: (coverHeight - size.height) / 2
            }
        return covered.cropped(x: x, y: y, width: size.width, height: size.height)
    }

    // MARK: - Codecs

    private static func decodePNG(_ data: [UInt8]) -> RGBAImage? {
        decode(data, sb_png_decode)
    }

    private static func decodeJPEG(_ data: [UInt8]) -> RGBAImage? {
        decode(data, sb_jpeg_decode)
    }

    private static func decode(
        _ data: [UInt8], _ decoder: (UnsafePointer<UInt8>?, Int, UnsafeMutablePointer<sb_image>?) -> Int32
    ) -> RGBAImage? {
        var image = sb_image()
        let status = data.withUnsafeBufferPointer { decoder($0.baseAddress, $0.count, &image) }
        guard status == 0, let pixels = image.pixels else { return nil }
        defer { sb_free(pixels) }
        let count = Int(image.width) * Int(image.height) * 4
        return RGBAImage(
            width: Int(image.width), height: Int(image.height),
            pixels: Array(UnsafeBufferPointer(start: pixels, count: count)))
    }

    private static func encodePNG(_ image: RGBAImage) -> [UInt8]? {
        encode(image) { source, out, size in sb_png_encode(source, out, size) }
    }

    private static func encodeJPEG(_ image: RGBAImage) -> [UInt8]? {
        encode(image) { source, out, size in sb_jpeg_encode(source, 90, out, size) }
    }

    private static func encode(
        _ image: RGBAImage,
        _ encoder: (UnsafePointer<sb_image>, UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>, UnsafeMutablePointer<Int>)
            -> Int32
    ) -> [UInt8]? {
        var pixels = image.pixels
        return pixels.withUnsafeMutableBufferPointer { buffer -> [UInt8]? in
            var source = sb_image(pixels: buffer.baseAddress, width: Int32(image.width), height: Int32(image.height))
            var out: UnsafeMutablePointer<UInt8>?
            var size = 0
            guard encoder(&source, &out, &size) == 0, let out else { return nil }
            defer { sb_free(out) }
            return Array(UnsafeBufferPointer(start: out, count: size))
        }
    }
}

import SwiftbaseCore
import Testing

@testable import SwiftbaseServices

/// Thumb geometry (PocketBase's arithmetic) and a real libpng / libjpeg round trip.
@Suite("Image thumbnails")
struct ImageThumbnailerTests {
    static func image(_ width: Int, _ height: Int) -> RGBAImage {
        // top third red, middle green, bottom blue
        var pixels: [UInt8] = []
        for y in 0..<height {
            let band: [UInt8] = y < height / 3 ? [255, 0, 0, 255] : y < 2 * height / 3 ? [0, 255, 0, 255] : [0, 0, 255, 255]
            for _ in 0..<width { pixels += band }
        }
        return RGBAImage(width: width, height: height, pixels: pixels)
    }

    @Test(arguments: [
        ("100x100", 100, 100), ("50x0", 50, 38), ("0x50", 67, 50), ("80x40t", 80, 40), ("80x40f", 53, 40),
        ("70x50f", 66, 50), ("100x20f", 26, 20), ("500x500", 500, 500), ("500x500f", 400, 300),
    ])
    func sizes(size: String, width: Int, height: Int) throws {
        let thumb = ImageThumbnailer.geometry(Self.image(400, 300), try #require(ThumbSize(size)))
        #expect((thumb.width, thumb.height) == (width, height))
    }

    @Test func cropAnchors() throws {
        let source = Self.image(400, 300)
        // The crop's middle row, away from the blended band edges.
        func topPixel(_ size: String) throws -> [UInt8] {
            let thumb = ImageThumbnailer.geometry(source, try #require(ThumbSize(size)))
            let start = (thumb.height / 2) * thumb.width * 4
            return Array(thumb.pixels[start..<(start + 3)])
        }
        #expect(try topPixel("80x20t") == [255, 0, 0])
        #expect(try topPixel("80x20b") == [0, 0, 255])
        #expect(try topPixel("80x20") == [0, 255, 0])
    }

    @Test func pngAndJPEGRoundTrip() throws {
        let thumbnailer = ImageThumbnailer()
        let size = try #require(ThumbSize("4x4"))
        let png = try #require(thumbnailer.thumbnail(of: Self.pngFixture, type: "image/png", size: size))
        #expect(ContentSniffer.mediaType(of: png) == "image/png")
        #expect(thumbnailer.thumbnail(of: Array("not an image".utf8), type: "image/png", size: size) == nil)
        #expect(thumbnailer.thumbnail(of: [0xFF, 0xD8, 0xFF, 0x00], type: "image/jpeg", size: size) == nil)
    }

    @Test(arguments: 1...8)
    func orientationsKeepEveryPixel(orientation: Int) {
        let source = Self.image(6, 4)
        let turned = source.oriented(orientation)
        #expect(turned.pixels.count == source.pixels.count)
        #expect(orientation >= 5 ? (turned.width, turned.height) == (4, 6) : (turned.width, turned.height) == (6, 4))
    }

    /// A 2x2 red RGBA PNG (written by Pillow).
    static let pngFixture: [UInt8] = [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48,
        0x44, 0x52, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x08, 0x06, 0x00, 0x00,
        0x00, 0x72, 0xB6, 0x0D, 0x24, 0x00, 0x00, 0x00, 0x14, 0x49, 0x44, 0x41, 0x54, 0x78,
        0x9C, 0x63, 0xFC, 0xCF, 0xC0, 0xF0, 0x9F, 0x81, 0x81, 0x81, 0x81, 0x89, 0x01, 0x0A,
        0x00, 0x1F, 0x17, 0x02, 0x02, 0x4F, 0x94, 0xCE, 0xBE, 0x00, 0x00, 0x00, 0x00, 0x49,
        0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ]
}

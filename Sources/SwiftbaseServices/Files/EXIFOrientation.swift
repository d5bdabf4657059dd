/// The EXIF orientation tag (0x0112) of a JPEG, read from its APP1 segment; 1 (as shot) when absent.
enum EXIFOrientation {
    static func read(_ data: [UInt8]) -> Int {
        var i = 2
        while i + 4 <= data.count, data[i] == 0xFF {
            let marker = data[i + 1]
            let length = Int(data[i + 2]) << 8 | Int(data[i + 3])
            if marker == 0xDA || length < 2 { break }
            let start = i + 4
            if marker == 0xE1, start + 6 <= data.count, Array(data[start..<(start + 6)]) == Array("Exif\0\0".utf8) {
                return orientation(in: Array(data[(start + 6)..<min(data.count, i + 2 + length)]))
            }
            i += 2 + length
        }
        return 1
    }

    private static func orientation(in tiff: [UInt8]) -> Int {
        guard tiff.count >= 8 else { return 1 }
        let little = tiff[0] == 0x49
        func u16(_ o: Int) -> Int {
            guard o + 2 <= tiff.count else { return 0 }
            return little ? Int(tiff[o]) | Int(tiff[o + 1]) << 8 : Int(tiff[o]) << 8 | Int(tiff[o + 1])
        }
        func u32(_ o: Int) -> Int { little ? u16(o) | u16(o + 2) << 16 : u16(o) << 16 | u16(o + 2) }
        let ifd = u32(4)
        let count = u16(ifd)
        for entry in 0..<min(count, 200) {
            let o = ifd + 2 + entry * 12
            if u16(o) == 0x0112 { return u16(o + 8) }
        }
        return 1
    }
}

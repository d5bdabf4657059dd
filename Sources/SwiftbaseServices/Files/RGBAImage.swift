/// An 8-bit RGBA image in memory, and the geometry thumbnails need: resampling (a triangle filter widened by
/// the scale factor, so downscaling averages rather than skips pixels), cropping and EXIF orientation.
struct RGBAImage: Equatable {
    var width: Int
    var height: Int
    var pixels: [UInt8]

    /// Resamples to `newWidth` × `newHeight`, one axis after the other.
    func resized(to newWidth: Int, _ newHeight: Int) -> RGBAImage {
        if newWidth == width && newHeight == height { return self }
        return resampledHorizontally(to: newWidth).resampledVertically(to: newHeight)
    }

    func cropped(x: Int, y: Int, width w: Int, height h: Int) -> RGBAImage {
        var out = [UInt8](repeating: 0, count: w * h * 4)
        for row in 0..<h {
            let from = ((y + row) * width + x) * 4
            out.replaceSubrange((row * w * 4)..<((row + 1) * w * 4), with: pixels[from..<(from + w * 4)])
        }
        return RGBAImage(width: w, height: h, pixels: out)
    }

    /// Applies an EXIF orientation (1–8) so the image stands as it was shot.
    func oriented(_ orientation: Int) -> RGBAImage {
        guard (2...8).contains(orientation) else { return self }
        let swaps = orientation >= 5
        let (w, h) = swaps ? (height, width) : (width, height)
        var out = [UInt8](repeating: 0, count: w * h * 4)
        for y in 0..<h {
            for x in 0..<w {
                let (sx, sy): (Int, Int) =
                    switch orientation {
                    case 2: (width - 1 - x, y)
                    case 3: (width - 1 - x, height - 1 - y)
                    case 4: (x, height - 1 - y)
                    case 5: (y, x)
                    case 6: (y, height - 1 - x)
                    case 7: (width - 1 - y, height - 1 - x)
                    default: (width - 1 - y, x)  // 8
                    }
                let from = (sy * width + sx) * 4
                let to = (y * w + x) * 4
                out[to..<(to + 4)] = pixels[from..<(from + 4)]
            }
        }
        return RGBAImage(width: w, height: h, pixels: out)
    }

    private struct Weights {
        let start: [Int]
        let weights: [[Double]]
    }

    private static func weights(from source: Int, to target: Int) -> Weights {
        let scale = Double(target) / Double(source)
        let support = scale < 1 ? 1 / scale : 1
        var starts: [Int] = []
        var all: [[Double]] = []
        for i in 0..<target {
            let center = (Double(i) + 0.5) / scale - 0.5
            let first = max(0, Int((center - support).rounded(.up)))
            let last = min(source - 1, Int((center + support).rounded(.down)))
            var row: [Double] = []
            var sum = 0.0
            if first <= last {
                for j in first...last {
                    let w = max(0, 1 - abs(Double(j) - center) / support)
                    row.append(w)
                    sum += w
                }
            }
            if sum <= 0 {
                let nearest = min(source - 1, max(0, Int(center.rounded())))
                starts.append(nearest)
                all.append([1])
                continue
            }
            starts.append(first)
            all.append(row.map { $0 / sum })
        }
        return Weights(start: starts, weights: all)
    }

    private func resampledHorizontally(to newWidth: Int) -> RGBAImage {
        if newWidth == width { return self }
        let table = Self.weights(from: width, to: newWidth)
        var out = [UInt8](repeating: 0, count: newWidth * height * 4)
        for y in 0..<height {
            for x in 0..<newWidth {
                var acc = (0.0, 0.0, 0.0, 0.0)
                for (k, w) in table.weights[x].enumerated() {
                    let p = (y * width + table.start[x] + k) * 4
                    acc.0 += w * Double(pixels[p])
                    acc.1 += w * Double(pixels[p + 1])
                    acc.2 += w * Double(pixels[p + 2])
                    acc.3 += w * Double(pixels[p + 3])
                }
                Self.store(acc, into: &out, at: (y * newWidth + x) * 4)
            }
        }
        return RGBAImage(width: newWidth, height: height, pixels: out)
    }

    private func resampledVertically(to newHeight: Int) -> RGBAImage {
        if newHeight == height { return self }
        let table = Self.weights(from: height, to: newHeight)
        var out = [UInt8](repeating: 0, count: width * newHeight * 4)
        for y in 0..<newHeight {
            for x in 0..<width {
                var acc = (0.0, 0.0, 0.0, 0.0)
                for (k, w) in table.weights[y].enumerated() {
                    let p = ((table.start[y] + k) * width + x) * 4
                    acc.0 += w * Double(pixels[p])
                    acc.1 += w * Double(pixels[p + 1])
                    acc.2 += w * Double(pixels[p + 2])
                    acc.3 += w * Double(pixels[p + 3])
                }
                Self.store(acc, into: &out, at: (y * width + x) * 4)
            }
        }
        return RGBAImage(width: width, height: newHeight, pixels: out)
    }

    private static func store(_ acc: (Double, Double, Double, Double), into out: inout [UInt8], at index: Int) {
        func clamp(_ v: Double) -> UInt8 { UInt8(max(0, min(255, v.rounded()))) }
        out[index] = clamp(acc.0)
        out[index + 1] = clamp(acc.1)
        out[index + 2] = clamp(acc.2)
        out[index + 3] = clamp(acc.3)
    }
}

/// An HTTP `Range: bytes=…` header read as Go's `http.ServeContent` reads it: a list of `a-b`, `a-` and
/// `-n` specs; an end past the file is clamped; a spec that starts past the end is dropped, and when none
/// is left the ranges "fail to overlap".
enum ByteRanges {
    enum Outcome: Equatable {
        case ranges([ClosedRange<Int>])
        case malformed
        case noOverlap
    }

    static func parse(_ header: String, size: Int) -> Outcome {
        guard header.hasPrefix("bytes=") else { return .malformed }
        var ranges: [ClosedRange<Int>] = []
        var sawOverlapFailure = false
        for raw in header.dropFirst("bytes=".count).split(separator: ",", omittingEmptySubsequences: false) {
            let spec = raw.trimmingCharacters(in: " \t")
            if spec.isEmpty { continue }
            guard let dash = spec.firstIndex(of: "-") else { return .malformed }
            let startText = spec[..<dash].trimmingCharacters(in: " \t")
            let endText = spec[spec.index(after: dash)...].trimmingCharacters(in: " \t")
            if startText.isEmpty {
                // suffix: the last n bytes
                guard !endText.isEmpty, let count = Int(endText), count >= 0 else { return .malformed }
                if count == 0 { continue }
                ranges.append(max(0, size - count)...(size - 1))
                continue
            }
            guard let start = Int(startText), start >= 0 else { return .malformed }
            if start >= size {
                sawOverlapFailure = true
                continue
            }
            var end = size - 1
            if !endText.isEmpty {
                guard let parsed = Int(endText), parsed >= start else { return .malformed }
                end = min(parsed, size - 1)
            }
            ranges.append(start...end)
        }
        if ranges.isEmpty { return sawOverlapFailure || size == 0 ? .noOverlap : .malformed }
        return .ranges(ranges)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> Substring {
        var s = self
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return s
    }
}

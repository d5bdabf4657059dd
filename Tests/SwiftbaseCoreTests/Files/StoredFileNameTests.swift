import SwiftbaseTesting
import Testing

@testable import SwiftbaseCore

/// Stored names follow PocketBase's algorithm, and no client name — however hostile — yields a name that
/// could leave the record's folder.
@Suite("Stored file names")
struct StoredFileNameTests {
    @Test(arguments: [
        ("My Photo.PNG", "my_photo_", ".PNG"),
        ("MyTestDB.txt", "my_test_db_", ".txt"),
        ("x.tar.gz", nil, ".tar.gz"),
        ("report.final.pdf", "report_", ".final.pdf"),
        ("weird ext.te st", "weird_ext_", ".test"),
        ("m10.bin", "m10_", ".bin"),
    ] as [(String, String?, String)])
    func followsPocketBase(name: String, prefix: String?, suffix: String) {
        let stored = StoredFileName.make(for: name, data: Array("hello".utf8))
        if let prefix { #expect(stored.hasPrefix(prefix)) }
        #expect(stored.hasSuffix(suffix))
        // base, "_", 10 random [a-z0-9], extension
        let random = stored.dropLast(suffix.count).suffix(10)
        #expect(random.allSatisfy { $0.isLowercase || $0.isNumber })
    }

    @Test func shortBasesGetExtraRandomCharacters() {
        let stored = StoredFileName.make(for: "a.txt", data: [])
        #expect(stored.count == 1 + 10 + 1 + 10 + 4)
        #expect(stored.hasPrefix("a") && stored.hasSuffix(".txt"))
    }

    @Test func noExtensionTakesOneFromTheContent() {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]
        #expect(StoredFileName.make(for: "picture", data: png).hasSuffix(".png"))
        #expect(StoredFileName.make(for: "notes", data: Array("plain words".utf8)).hasSuffix(".txt"))
    }

    /// 5,000 random names built from separators, dots, traversal pieces and arbitrary scalars: every stored
    /// name is one safe path component of ASCII word characters and a cleaned extension.
    @Test func hostileNamesNeverEscape() {
        var rng = SeededRandom(seed: 0x5EED_F11E)  // every run sees the same names
        let pieces = ["..", "/", "\\", ".", "\0", "%2e", "名", "é", " ", "\n", "a", "Z", "9", "_", "-", "+", "#", "*"]
        for _ in 0..<5_000 {
            let name = (0..<Int.random(in: 1...12, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
            let stored = StoredFileName.make(for: name, data: [])
            #expect(LocalFileStore.isSafeComponent(Substring(stored)), "\(name.debugDescription) → \(stored)")
            #expect(stored.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 })
            #expect(!stored.contains("/") && !stored.hasPrefix("."))
        }
    }
}

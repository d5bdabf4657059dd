import Testing

@testable import SwiftbaseCore

struct ASCIICaseTests {
    @Test func asciiLettersMatchInEitherCase() {
        #expect("posts".equalsIgnoringASCIICase("POSTS"))
        #expect("Posts_2026".equalsIgnoringASCIICase("pOSTS_2026"))
        #expect("".equalsIgnoringASCIICase(""))
    }

    @Test func everythingElseMustBeTheSame() {
        #expect(!"posts".equalsIgnoringASCIICase("post"))
        #expect(!"post".equalsIgnoringASCIICase("posts"))
        #expect(!"posts".equalsIgnoringASCIICase(""))
        // Only A–Z fold: '@' (0x40) and '`' (0x60) differ by the case bit and stay different, as do '[' and '{'.
        #expect(!"@".equalsIgnoringASCIICase("`"))
        #expect(!"[".equalsIgnoringASCIICase("{"))
        // Non-ASCII letters are compared as they are.
        #expect("Ünïcode".equalsIgnoringASCIICase("ÜNÏCODE") == false)
        #expect("Ünïcode".equalsIgnoringASCIICase("ÜnÏcode") == false)
        #expect("Ünïcode".equalsIgnoringASCIICase("üNïCODE") == false)
        #expect("Ünïcode".equalsIgnoringASCIICase("ÜNïCODE"))
    }
}

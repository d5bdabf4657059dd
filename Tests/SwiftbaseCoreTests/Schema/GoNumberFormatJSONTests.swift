import Testing

@testable import SwiftbaseCore

/// `GoNumberFormat.json` answers a plain fraction with Swift's own text; that shortcut must equal the text built
/// from the decimal digits for every magnitude (Go's plain range is 1e-6 to 1e21, Swift's 1e-4 to 2^53).
@Suite struct GoNumberFormatJSONTests {
    @Test(arguments: [
        (18.2, "18.2"), (-0.25, "-0.25"), (0.0001, "0.0001"), (0.00001, "0.00001"), (1e-7, "1e-7"),
        (1.5e-7, "1.5e-7"), (123456789.125, "123456789.125"), (4503599627370495.5, "4503599627370495.5"),
        (1e21, "1e+21"), (1.25e22, "1.25e+22"), (0.1 + 0.2, "0.30000000000000004"),
    ])
    func knownValues(value: Double, expected: String) {
        #expect(GoNumberFormat.json(value) == expected)
        #expect(GoNumberFormat.jsonFromDigits(value) == expected)
    }

    @Test func theShortcutEqualsTheDigitsPathAtEveryMagnitude() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200_000 {
            let exponent = Double(Int.random(in: -12...24, using: &rng))
            var value = Double.random(in: 1..<10, using: &rng) * pow10(exponent)
            if Bool.random(using: &rng) { value = -value }
            if Int.random(in: 0..<4, using: &rng) == 0 { value = (value * 100).rounded() / 100 }  // short fractions
            #expect(GoNumberFormat.json(value) == GoNumberFormat.jsonFromDigits(value), "\(value)")
        }
    }

    private func pow10(_ exponent: Double) -> Double {
        var result = 1.0
        for _ in 0..<Int(abs(exponent)) { result *= 10 }
        return exponent < 0 ? 1 / result : result
    }
}

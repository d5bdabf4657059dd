import Testing

@testable import SwiftbaseHTTP

/// The texts Go's `strconv.FormatFloat(v, 'g', -1, 64)` writes, as PocketBase's SQL console answers reals.
@Suite struct GoFloatTextTests {
    @Test(arguments: [
        (2.5, "2.5"), (1.0, "1"), (0.1, "0.1"), (1e20, "1e+20"), (1e21, "1e+21"), (123456.0, "123456"),
        (1234567.0, "1.234567e+06"), (0.0001, "0.0001"), (0.00001, "1e-05"), (1.5e-7, "1.5e-07"),
        (-0.0, "-0"), (0.0, "0"), (-2.25, "-2.25"), (1e100, "1e+100"), (Double.leastNonzeroMagnitude, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"), (100.0, "100"), (999999.0, "999999"),
        (1000000.0, "1e+06"), (0.000123, "0.000123"), (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"),
        (Double.nan, "NaN"), (3.14159, "3.14159"), (12345.678, "12345.678"),
    ])
    func formatsAsGo(value: Double, text: String) {
        #expect(GoFloatText.format(value) == text)
    }
}

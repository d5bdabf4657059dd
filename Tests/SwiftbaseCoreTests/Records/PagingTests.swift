import SwiftbaseCore
import Testing

/// Page numbers come from the query string, so any `Int` arrives (issue 13: `?page=307445734561825862`
/// trapped on `(page - 1) * perPage` and stopped the server).
@Suite struct PagingTests {
    @Test func normalisesAsEveryListDoes() {
        #expect(Paging(page: 0, perPage: 0) == Paging(page: 1, perPage: 30))
        #expect(Paging(page: -5, perPage: -1) == Paging(page: 1, perPage: 30))
        #expect(Paging(page: 3, perPage: 5000).perPage == 1000)
        #expect(Paging(page: 3, perPage: 20).offset == 40)
    }

    @Test(arguments: [307_445_734_561_825_862, Int.max, Int.max / 2, Int.max / 1000 + 1])
    func offsetSaturatesInsteadOfOverflowing(page: Int) {
        for perPage in [1, 30, 1000, Int.max] {
            let paging = Paging(page: page, perPage: perPage)
            let exact = (page - 1).multipliedReportingOverflow(by: paging.perPage)
            #expect(paging.offset == (exact.overflow ? Int.max : exact.partialValue))
            #expect(paging.offset >= 0)
        }
    }

    @Test func totalPagesRoundsUpAndKeepsSkippedTotals() {
        let paging = Paging(page: 1, perPage: 30)
        #expect(paging.totalPages(of: 0) == 0)
        #expect(paging.totalPages(of: 30) == 1)
        #expect(paging.totalPages(of: 31) == 2)
        #expect(paging.totalPages(of: -1) == -1)
        #expect(Paging(page: 1, perPage: 1000).totalPages(of: Int.max) == Int.max / 1000 + 1)
    }

    @Test func doublesSaturateIntoInt() {
        #expect(Int(saturating: 1e300) == Int.max)
        #expect(Int(saturating: -1e300) == Int.min)
        #expect(Int(saturating: .infinity) == Int.max)
        #expect(Int(saturating: -.infinity) == Int.min)
        #expect(Int(saturating: .nan) == 0)
        #expect(Int(saturating: 9_223_372_036_854_775_807.0) == Int.max)
        #expect(Int(saturating: 12.9) == 12)
        #expect(Int(saturating: -12.9) == -12)
    }
}

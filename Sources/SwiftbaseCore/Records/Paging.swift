/// The page a list request asks for, normalised as every list normalises it: pages start at 1, `perPage`
/// defaults to 30 when not positive and is capped at `maxPerPage`.
///
/// Both numbers come from the query string, so any `Int` can arrive. The offset saturates instead of
/// overflowing: `?page=307445734561825862` asks for a page past any real table and gets an empty one, never a
/// trap that stops the process.
package struct Paging: Sendable, Equatable {
    package static let defaultPerPage = 30
    package static let maxPerPage = 1000

    package let page: Int
    package let perPage: Int

    package init(page: Int, perPage: Int, maxPerPage: Int = Paging.maxPerPage) {
        self.page = max(1, page)
        self.perPage = perPage <= 0 ? Self.defaultPerPage : min(perPage, maxPerPage)
    }

    /// Rows to skip: `(page - 1) * perPage`, or `Int.max` where that product does not fit.
    package var offset: Int {
        let (product, overflow) = (page - 1).multipliedReportingOverflow(by: perPage)
        return overflow ? Int.max : product
    }

    /// Pages needed for `total` items; -1 when the total was not counted (`total < 0`).
    package func totalPages(of total: Int) -> Int {
        total < 0 ? -1 : total / perPage + (total % perPage == 0 ? 0 : 1)
    }
}

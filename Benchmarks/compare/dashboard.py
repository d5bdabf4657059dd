#!/usr/bin/env python3
"""The dashboard's records page on a 10,000-row collection: Swiftbase against PocketBase, same dashboard files,
same browser, same run.

Swiftbase serves the dashboard at /_/; PocketBase serves the very same files from its public folder at /dash/
(the app finds its base from its own URL). Both are seeded through the REST API as http_scenarios.py seeds them
(10,000 posts with an author relation), then headless chromium (Debian's, through chromedriver) signs in and
times, from the action to the rows on screen, median of --runs:

    open     load the posts page: 20 rows (relations expanded) and the total count shown
    next     the next page of 20
    sort     click the "views" column (server-side sort over 10,000 rows)
    filter   apply `views > 50000 && published = true` (rows and the new count)

Figures are printed side by side, never asserted. The Swiftbase binary may be a debug build (say which you
ran: `Benchmarks/run` builds a release one into .build-release/).

    .venv-it/bin/python Benchmarks/compare/dashboard.py --swiftbase .build/debug/swiftbase \\
        --pocketbase .venv-it/bin/pocketbase [--records 10000] [--runs 5]
"""
import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

from http_scenarios import EMAIL, PASSWORD, Server, seed

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "IntegrationTests"))
from dashboard_browser import sign_in, start_browser, wait  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

ROWS = "#records-table tbody tr[data-id]"


class DashboardServer(Server):
    """A benchmark server that also serves the dashboard files: PocketBase from its public folder at /dash/."""

    def __enter__(self):
        self.base = "/_"
        if self.kind == "pocketbase":
            public = Path(self.dir) / "public"
            shutil.copytree(ROOT / "Dashboard", public / "dash")
            index = (ROOT / "Dashboard" / "index.html").read_text().replace('"/_/', '"/dash/')
            (public / "dash" / "index.html").write_text(index)
            (public / "index.html").write_text(index)
            self.base = "/dash"
            self.extra = ["--publicDir", str(public)]
        return super().__enter__()


def first_id(browser):
    rows = browser.find_elements(By.CSS_SELECTOR, ROWS)
    return rows[0].get_attribute("data-id") if rows else None


def timed(action, done, browser):
    start = time.perf_counter()
    action()
    wait(browser, 60).until(lambda b: done(b))
    return (time.perf_counter() - start) * 1000


def measure(server, records, runs):
    browser = start_browser()
    try:
        sign_in(browser, f"{server.url}{server.base}/login", EMAIL, PASSWORD)
        page = f"{server.url}{server.base}/collections/posts"
        figures = {"open": [], "next": [], "sort": [], "filter": []}
        total = f"{records} records"
        for _ in range(runs):
            browser.get(f"{server.url}{server.base}/collections-new")  # leave the page: "open" starts from nothing
            wait(browser).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#collection-name"))
            figures["open"].append(timed(lambda: browser.get(page), lambda b: len(b.find_elements(By.CSS_SELECTOR, ROWS)) == 20
                                         and b.find_element(By.CSS_SELECTOR, "#records-count").text == total, browser))
            before = first_id(browser)
            figures["next"].append(timed(lambda: browser.find_element(By.CSS_SELECTOR, "#next-page").click(),
                                         lambda b: first_id(b) not in (None, before), browser))
            before = first_id(browser)
            sort = 'th button[data-sort="views"]'
            figures["sort"].append(timed(lambda: browser.find_element(By.CSS_SELECTOR, sort).click(),
                                         lambda b: b.find_element(By.CSS_SELECTOR, sort).find_element(By.XPATH, "..")
                                         .get_attribute("aria-sort") == "ascending" and first_id(b) not in (None, before), browser))
            before = first_id(browser)
            box = browser.find_element(By.CSS_SELECTOR, "#records-filter")
            box.clear()
            figures["filter"].append(timed(lambda: box.send_keys("views > 50000 && published = true\n"),
                                           lambda b: first_id(b) not in (None, before)
                                           and b.find_element(By.CSS_SELECTOR, "#records-count").text not in ("", total),
                                           browser))
        return {k: statistics.median(v) for k, v in figures.items()}
    finally:
        browser.quit()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--swiftbase", required=True)
    parser.add_argument("--pocketbase", required=True)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    results = {}
    for kind, binary in (("swiftbase", args.swiftbase), ("pocketbase", args.pocketbase)):
        with DashboardServer(kind, binary) as server:
            seed(server, args.records)
            results[kind] = measure(server, args.records, args.runs)
    print(f"records page on {args.records} rows, median of {args.runs} runs, ms from action to rows on screen")
    print(f"{'':8} {'swiftbase':>10} {'pocketbase':>11}")
    for name in ("open", "next", "sort", "filter"):
        print(f"{name:8} {results['swiftbase'][name]:10.0f} {results['pocketbase'][name]:11.0f}")


if __name__ == "__main__":
    main()

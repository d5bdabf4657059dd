"""The dashboard's SQL console in a real browser (headless chromium through Selenium) against a server of its own:
a collection's table a click away, a read's rows shown as the API answers them (NULL as NULL), a write's changed
rows, SQLite's error as answered, Ctrl+Enter, the query kept across a reload, and every run in the audit log. Every
wait is on a condition."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import SU_EMAIL, SU_PASSWORD
from dashboard_browser import (api, browser, click, console_on_failure, retype, shot, sign_in,  # noqa: F401
                               srv, text_of, visible, wait)

pytestmark = pytest.mark.usefixtures("swiftbase_only")


@pytest.fixture(scope="module", autouse=True)
def gadgets(api):
    """A collection with two records to query."""
    r = api.post("/api/collections", json={"name": "gadgets", "fields": [
        {"name": "label", "type": "text"}, {"name": "price", "type": "number"}]})
    assert r.status_code == 200, r.text
    for label, price in (("lamp", 12.5), ("fan", 30)):
        assert api.post("/api/collections/gadgets/records", json={"label": label, "price": price}).status_code == 200


def finished(browser, runs):
    wait(browser).until(
        lambda b: b.find_element(By.CSS_SELECTOR, "#sql-result").get_attribute("data-runs") == str(runs),
        f"run {runs} finished")


def cells(browser):
    return [[td.text for td in tr.find_elements(By.CSS_SELECTOR, "td")]
            for tr in browser.find_elements(By.CSS_SELECTOR, "#sql-rows tbody tr")]


def type_query(browser, text):
    return retype(browser, "#sql-query", text)


def test_reads_writes_errors_and_the_audit(browser, srv, api):
    sign_in(browser, srv.url + "/_/login", SU_EMAIL, SU_PASSWORD)
    browser.get(srv.url + "/_/sql")
    click(browser, '#sql-tables button[data-table="gadgets"]')
    finished(browser, 1)
    query = browser.find_element(By.CSS_SELECTOR, "#sql-query").get_attribute("value")
    assert query == 'select * from "gadgets" limit 50'
    assert len(cells(browser)) == 2 and "2 rows" in text_of(browser, "#sql-status")

    type_query(browser, "select label, price, null as missing from gadgets order by price")
    click(browser, "#sql-run")
    finished(browser, 2)
    assert text_of(browser, "#sql-error") == "", text_of(browser, "#sql-error")
    headers = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#sql-rows thead th")]
    assert headers == ["label", "price", "missing"]
    assert cells(browser) == [["lamp", "12.5", "NULL"], ["fan", "30", "NULL"]]
    shot(browser, "sql-01-read")

    box = type_query(browser, "update gadgets set price = price + 1")
    box.send_keys(Keys.CONTROL, Keys.ENTER)
    finished(browser, 3)
    assert text_of(browser, "#sql-affected") == "2 rows changed."
    assert sorted(r["price"] for r in api.get("/api/collections/gadgets/records").json()["items"]) == [13.5, 31]

    type_query(browser, "select * from no_such_table")
    click(browser, "#sql-run")
    finished(browser, 4)
    assert "no such table: no_such_table" in text_of(browser, "#sql-error")
    assert browser.find_elements(By.CSS_SELECTOR, "#sql-rows") == []

    browser.refresh()
    assert visible(browser, "#sql-query").get_attribute("value") == "select * from no_such_table"
    runs = api.get("/api/audit", params={"event": "sql.run", "perPage": 50}).json()["items"]
    assert len(runs) == 4, [r["details"] for r in runs]  # the page's own table list is not a query

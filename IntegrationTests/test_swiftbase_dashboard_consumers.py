"""The dashboard's change-feed consumers page in a real browser (headless chromium through Selenium) against a server
of its own: a consumer created from the page (a bad filter and a taken name refused at their fields first), its lag
growing as records are created through the API and going back to "caught up" once a service polls and commits, and
the consumer deleted. Every wait is on a condition (the page refreshes every few seconds by itself)."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import SU_EMAIL, SU_PASSWORD, Api, superuser_token
from dashboard_browser import (browser, click, console_on_failure, shot, sign_in, text_of,  # noqa: F401 (fixtures)
                               visible, wait)

pytestmark = pytest.mark.usefixtures("swiftbase_only")
REFRESH = 15  # seconds: the page's 5 s refresh, with room


@pytest.fixture(scope="module")
def srv(own_server):
    return own_server


@pytest.fixture(scope="module")
def api(srv) -> Api:
    api = Api(srv.url, superuser_token(srv.url))
    r = api.post("/api/collections", json={"name": "orders", "fields": [{"name": "total", "type": "number"}]})
    assert r.status_code == 200, r.text
    return api


def consumer_row(browser, name):
    rows = browser.find_elements(By.CSS_SELECTOR, f'#consumers-table tbody tr[data-name="{name}"]')
    return rows[0] if rows else None


def fill(browser, name, filter_text=""):
    box = browser.find_element(By.CSS_SELECTOR, "#consumer-name")
    box.clear()
    box.send_keys(name)
    select = Select(browser.find_element(By.CSS_SELECTOR, "#consumer-collections"))
    select.deselect_all()
    select.select_by_value("orders")
    flt = browser.find_element(By.CSS_SELECTOR, "#consumer-filter")
    flt.clear()
    flt.send_keys(filter_text)
    click(browser, '#create-consumer button[type="submit"]')


def test_create_watch_the_lag_and_delete(browser, srv, api):
    assert api.post("/api/consumers", json={"name": "taken"}).status_code == 200
    sign_in(browser, srv.url + "/_/login", SU_EMAIL, SU_PASSWORD)
    browser.get(srv.url + "/_/consumers")
    wait(browser).until(lambda b: consumer_row(b, "taken") is not None, "the consumer made through the API")

    fill(browser, "indexer", "nope ~ 1")
    wait(browser).until(lambda b: text_of(b, '#create-consumer [data-error-for="filter"]') != "", "the filter refused")
    fill(browser, "taken")
    wait(browser).until(lambda b: text_of(b, '#create-consumer [data-error-for="name"]') != "", "the name is taken")
    fill(browser, "indexer", "total > 10")
    wait(browser).until(lambda b: consumer_row(b, "indexer") is not None, "the new consumer listed")
    assert "caught up" in consumer_row(browser, "indexer").text
    assert api.get("/api/consumers/indexer").json()["filter"] == "total > 10"

    for total in (5, 20, 30):
        assert api.post("/api/collections/orders/records", json={"total": total}).status_code == 200
    wait(browser, timeout=REFRESH).until(lambda b: "3 behind" in consumer_row(b, "indexer").text, "the lag shown")
    shot(browser, "consumers-01-lag")

    # A service polls (the filter passes two of the three) and commits what it read: caught up again.
    polled = api.get("/api/consumers/indexer/poll", params={"max": 100, "wait": 0}).json()
    assert [item["record"]["total"] for item in polled["items"]] == [20, 30], polled
    head = api.get("/api/consumers/indexer").json()["headSeq"]
    assert api.post("/api/consumers/indexer/commit", json={"seq": head}).status_code == 200
    wait(browser, timeout=REFRESH).until(lambda b: "caught up" in consumer_row(b, "indexer").text, "caught up")

    consumer_row(browser, "indexer").find_element(By.CSS_SELECTOR, "button.delete").click()
    click(browser, "dialog button.danger")
    wait(browser).until(lambda b: consumer_row(b, "indexer") is None, "gone from the list")
    assert api.get("/api/consumers/indexer").status_code == 404

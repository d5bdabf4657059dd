"""The dashboard's change-feed page in a real browser (headless chromium through Selenium) against a server of its
own: the live feed showing changes made through the API from the log's head on (none from before), a pause that
loses nothing (what was committed meanwhile shows on resume), an entry's record in a dialog, the feed narrowed to one
collection; then a consumer created from the page (a bad filter and a taken name refused at their fields first),
its lag growing as records are created and back to "caught up" once a service polls and commits, and the consumer
deleted. Every wait is on a condition (the page refreshes its consumers every few seconds by itself)."""
from __future__ import annotations

import json

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import SU_EMAIL, SU_PASSWORD
from dashboard_browser import (api, browser, click, console_on_failure, shot, sign_in, srv,  # noqa: F401
                               text_of, visible, wait)

pytestmark = pytest.mark.usefixtures("swiftbase_only")
REFRESH = 15  # seconds: the page's 5 s refresh, with room


@pytest.fixture(scope="module", autouse=True)
def collections(api):
    """Two collections to make changes in."""
    for name in ("orders", "parcels"):
        r = api.post("/api/collections", json={"name": name, "fields": [{"name": "total", "type": "number"}]})
        assert r.status_code == 200, r.text


def feed_seqs(browser):
    rows = browser.find_elements(By.CSS_SELECTOR, "#feed-table tbody tr[data-seq]")
    return [int(r.get_attribute("data-seq")) for r in rows]


def create(api, collection, total):
    r = api.post(f"/api/collections/{collection}/records", json={"total": total})
    assert r.status_code == 200, r.text
    return r.json()


def test_the_live_feed_follows_from_the_head_pauses_without_a_gap_and_filters(browser, srv, api):
    before = create(api, "orders", 1)  # committed before the page opens: not shown
    sign_in(browser, srv.url + "/_/login", SU_EMAIL, SU_PASSWORD)
    browser.get(srv.url + "/_/changes")
    wait(browser).until(lambda b: "Following from seq" in text_of(b, "#feed-state"), "following")
    head = api.get("/api/changes/head").json()["head"]
    first = create(api, "orders", 2)
    second = create(api, "parcels", 3)
    wait(browser).until(lambda b: feed_seqs(b) == [head + 2, head + 1], "two changes, newest first")
    assert before["id"] not in text_of(browser, "#feed-table")
    assert second["id"] in text_of(browser, "#feed-table") and first["id"] in text_of(browser, "#feed-table")

    click(browser, "#feed-pause")
    wait(browser).until(lambda b: "Paused" in text_of(b, "#feed-state"), "paused")
    during = create(api, "orders", 4)
    click(browser, "#feed-pause")  # resume: what was committed meanwhile comes first
    wait(browser).until(lambda b: feed_seqs(b)[:1] == [head + 3], "the change made while paused")
    assert feed_seqs(browser) == [head + 3, head + 2, head + 1]

    browser.find_element(By.CSS_SELECTOR, f'#feed-table tr[data-seq="{head + 3}"]').click()
    dialog = visible(browser, "dialog pre")
    shown = json.loads(dialog.text)
    assert shown["recordId"] == during["id"] and shown["record"]["total"] == 4, shown
    click(browser, "dialog button.icon")
    shot(browser, "changes-01-live")

    Select(browser.find_element(By.CSS_SELECTOR, "#feed-collection")).select_by_value("parcels")
    wait(browser).until(lambda b: feed_seqs(b) == [] and "Following" in text_of(b, "#feed-state"), "restarted")
    create(api, "orders", 5)
    parcel = create(api, "parcels", 6)
    wait(browser).until(lambda b: len(feed_seqs(b)) == 1, "only the parcel")
    assert parcel["id"] in text_of(browser, "#feed-table")


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


def test_consumers_created_watched_and_deleted(browser, srv, api):
    assert api.post("/api/consumers", json={"name": "taken"}).status_code == 200
    browser.get(srv.url + "/_/changes")
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

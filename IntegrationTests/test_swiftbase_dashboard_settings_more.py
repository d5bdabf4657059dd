"""The dashboard's settings sections that PocketBase's dashboard has beside the application's, in a real browser
(headless chromium through Selenium) against a server of its own: crons (the system jobs listed, one run from the
page and audited), export (every collection's JSON, the one made here included, as GET /api/collections answers
it), import (a review of what would be added, changed and deleted, then the import, checked through the API; an
import the server refuses shows why) and files storage (S3 enabled without a bucket refused at its fields, the
connection test saying the storage is off). Every wait is on a condition."""
from __future__ import annotations

import json

import pytest
from selenium.webdriver.common.by import By

from conftest import SU_EMAIL, SU_PASSWORD, wait_until
from dashboard_browser import (api, browser, click, console_on_failure, shot, sign_in, srv,  # noqa: F401
                               text_of, visible, wait)

pytestmark = pytest.mark.usefixtures("swiftbase_only")


@pytest.fixture(scope="module", autouse=True)
def books(api):
    """A collection of the app's own, to export and change by import."""
    r = api.post("/api/collections", json={"name": "books", "fields": [{"name": "title", "type": "text"}]})
    assert r.status_code == 200, r.text


def section(browser, srv, slug):
    browser.get(srv.url + "/_/settings/" + slug)


def test_crons_are_listed_and_one_runs_from_the_page(browser, srv, api):
    sign_in(browser, srv.url + "/_/login", SU_EMAIL, SU_PASSWORD)
    section(browser, srv, "crons")
    visible(browser, "#crons-table")
    ids = [r.get_attribute("data-id") for r in browser.find_elements(By.CSS_SELECTOR, "#crons-table tbody tr[data-id]")]
    assert ids == [job["id"] for job in api.get("/api/crons").json()] and "__pbLogsCleanup__" in ids, ids
    click(browser, '#crons-table tr[data-id="__pbLogsCleanup__"] button.run')
    wait(browser).until(lambda b: "Started __pbLogsCleanup__." in text_of(b, "#toasts"), "started")
    wait_until(lambda: [i["target"] for i in api.get("/api/audit", params={"event": "cron.run"}).json()["items"]]
               == ["__pbLogsCleanup__"], what="the run audited")
    shot(browser, "settings-crons")


def test_export_is_every_collection_as_the_api_answers_it(browser, srv, api):
    section(browser, srv, "export")
    box = visible(browser, "#export-json")
    exported = json.loads(box.get_attribute("value"))
    listed = api.get("/api/collections", params={"perPage": 500, "sort": "created"}).json()["items"]
    assert exported == listed
    assert "books" in [c["name"] for c in exported] and "_superusers" in [c["name"] for c in exported]
    visible(browser, "#export-download")


def test_import_is_reviewed_then_applied_and_a_refused_one_says_why(browser, srv, api):
    section(browser, srv, "import")
    books = api.get("/api/collections/books").json()
    books["fields"].append({"name": "pages", "type": "number"})
    incoming = [books, {"name": "authors", "type": "base", "fields": [{"name": "name", "type": "text"}]}]
    box = visible(browser, "#import-json")
    box.send_keys(json.dumps(incoming))
    click(browser, '#import-form button[type="submit"]')
    visible(browser, "#import-plan")

    def planned(kind):
        return [c.text for c in browser.find_elements(By.CSS_SELECTOR, f"#import-plan li.{kind} code")]
    assert (planned("added"), planned("changed"), planned("deleted")) == (["authors"], ["books"], [])
    shot(browser, "settings-import-review")
    click(browser, "#import-confirm")
    visible(browser, "#import-done")
    assert api.get("/api/collections/authors").status_code == 200
    assert "pages" in [f["name"] for f in api.get("/api/collections/books").json()["fields"]]

    # A field type the server does not know: the import is refused and the page shows the server's answer. With
    # "delete what the import does not have" ticked, the review first lists every other collection of the app.
    box = browser.find_element(By.CSS_SELECTOR, "#import-json")
    box.clear()
    box.send_keys(json.dumps([{"name": "broken", "type": "base", "fields": [{"name": "x", "type": "teleport"}]}]))
    browser.find_element(By.CSS_SELECTOR, "#import-delete-missing").click()
    click(browser, '#import-form button[type="submit"]')
    wait(browser).until(lambda b: planned("added") == ["broken"], "the new review")
    assert sorted(planned("deleted")) == ["authors", "books", "users"], planned("deleted")
    browser.find_element(By.CSS_SELECTOR, "#import-delete-missing").click()
    click(browser, '#import-form button[type="submit"]')
    wait(browser).until(lambda b: planned("deleted") == [], "the review without deletions")
    click(browser, "#import-confirm")
    wait(browser).until(lambda b: text_of(b, "#import-form .form-error") != "", "the refusal shown")
    assert api.get("/api/collections/broken").status_code == 404


def test_files_storage_refuses_an_incomplete_bucket_and_tests_the_connection(browser, srv, api):
    section(browser, srv, "files")
    visible(browser, "#s3-form")
    click(browser, "#s3-test")
    wait(browser).until(lambda b: "not enabled" in text_of(b, "#s3-form .form-error"), "the test says S3 is off")
    browser.find_element(By.CSS_SELECTOR, "#s3-enabled").click()
    click(browser, '#s3-form button[type="submit"]')
    wait(browser).until(lambda b: text_of(b, '#s3-form [data-error-for="s3.bucket"]') != "", "the bucket is required")
    assert api.get("/api/settings").json()["s3"]["enabled"] is False
    shot(browser, "settings-files")

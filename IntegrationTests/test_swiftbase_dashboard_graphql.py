"""The dashboard's GraphQL explorer in a real browser (headless chromium through Selenium) against a server of its
own: a query run as the signed-in superuser and as a guest (the collection's rule hides the rows from the guest,
as REST does), variables, a query that does not validate answered with GraphQL's errors, Ctrl+Enter, the query kept
across a reload, and the schema searched by type. Every wait is on a condition."""
from __future__ import annotations

import json

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from conftest import SU_EMAIL, SU_PASSWORD
from dashboard_browser import (api, browser, click, console_on_failure, retype, shot, sign_in,  # noqa: F401
                               srv, text_of, visible, wait)

pytestmark = pytest.mark.usefixtures("swiftbase_only")


@pytest.fixture(scope="module")
def notes(api):
    """A `notes` collection only signed-in users may list, with two records."""
    r = api.post("/api/collections", json={"name": "notes", "listRule": '@request.auth.id != ""',
                                           "viewRule": '@request.auth.id != ""',
                                           "fields": [{"name": "title", "type": "text"}]})
    assert r.status_code == 200, r.text
    ids = []
    for title in ("first note", "second note"):
        r = api.post("/api/collections/notes/records", json={"title": title})
        assert r.status_code == 200, r.text
        ids.append(r.json()["id"])
    return ids


def type_query(browser, text):
    return retype(browser, "#graphql-query", text)


def answer(browser, runs):
    """The answer of run number `runs` (the page counts the answers it showed in `data-runs`)."""
    wait(browser).until(lambda b: b.find_element(By.CSS_SELECTOR, "#graphql-result").get_attribute("data-runs")
                        == str(runs), f"answer {runs}")
    return text_of(browser, "#graphql-status"), json.loads(text_of(browser, "#graphql-result"))


def test_queries_as_me_and_as_a_guest_variables_and_errors(browser, srv, notes):
    sign_in(browser, srv.url + "/_/login", SU_EMAIL, SU_PASSWORD)
    browser.get(srv.url + "/_/graphql")
    visible(browser, "#graphql-form")
    type_query(browser, "query { notes(order_by: {title: asc}) { id title } }")
    click(browser, "#graphql-run")
    status, body = answer(browser, 1)
    assert status.startswith("200"), status
    assert [n["title"] for n in body["data"]["notes"]] == ["first note", "second note"], body
    shot(browser, "graphql-01-me")

    # The same query as a guest: the list rule hides every row.
    Select(browser.find_element(By.CSS_SELECTOR, "#graphql-identity")).select_by_value("guest")
    click(browser, "#graphql-run")
    status, body = answer(browser, 2)
    assert body == {"data": {"notes": []}}, body

    # Variables, run with Ctrl+Enter, as me again.
    Select(browser.find_element(By.CSS_SELECTOR, "#graphql-identity")).select_by_value("me")
    browser.find_element(By.CSS_SELECTOR, "#graphql-variables").send_keys(json.dumps({"id": notes[1]}))
    box = type_query(browser, "query One($id: String!) { notes_by_pk(id: $id) { title } }")
    box.send_keys(Keys.CONTROL, Keys.ENTER)
    status, body = answer(browser, 3)
    assert body == {"data": {"notes_by_pk": {"title": "second note"}}}, body

    # A query that does not validate: GraphQL's errors, shown as answered.
    browser.find_element(By.CSS_SELECTOR, "#graphql-variables").clear()
    type_query(browser, "query { notes { nope } }")
    click(browser, "#graphql-run")
    status, body = answer(browser, 4)
    assert body.get("errors") and "nope" in body["errors"][0]["message"], body


def test_the_query_is_kept_and_the_schema_is_searchable(browser, srv, notes):
    browser.get(srv.url + "/_/graphql")
    visible(browser, "#graphql-form")
    assert "notes { nope }" in browser.find_element(By.CSS_SELECTOR, "#graphql-query").get_attribute("value")
    visible(browser, "#graphql-schema")
    wait(browser).until(lambda b: "type query_root" in text_of(b, "#graphql-schema"), "the SDL shown")
    browser.find_element(By.CSS_SELECTOR, "#graphql-schema-search").send_keys("notes_bool_exp")
    # The type of that name first, then only the blocks that mention it.
    wait(browser).until(lambda b: "input notes_bool_exp {" in text_of(b, "#graphql-schema").split("\n\n")[0],
                        "the search narrows the SDL")
    shown = text_of(browser, "#graphql-schema")
    assert all("notes_bool_exp" in block for block in shown.split("\n\n")), shown
    shot(browser, "graphql-02-schema")

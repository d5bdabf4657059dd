"""The admin dashboard at /_/ in a real browser: Selenium driving Debian's headless chromium (chromedriver on
PATH) against the binary. One browser and one server for the module; the tests run in file order, each
continuing the last one's session (sign-in first). Every wait is a WebDriverWait on a condition; a screenshot
of each page goes to IntegrationTests/.output/dashboard/ (gitignored)."""
from __future__ import annotations

import io
import json
import re
from datetime import datetime, timedelta, timezone

import pytest
import requests
from PIL import Image
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from conftest import (SU_EMAIL, SU_PASSWORD, Api, EmlDirMailbox, create_collection, jwt_payload, superuser_token,
                      unique_name)
from dashboard_browser import (browser, click, clickable, console_on_failure, shot, text_of,  # noqa: F401 (fixtures)
                               visible, wait)
from oidc_provider import CLIENT_ID, CLIENT_SECRET, OIDCProvider
from test_oauth2 import sign_in as oauth2_sign_in
from test_oauth2 import subscribe_oauth2
from test_swiftbase_webhooks import Receiver

pytestmark = pytest.mark.usefixtures("swiftbase_only")


@pytest.fixture(scope="module")
def srv(own_server):
    return own_server


@pytest.fixture(scope="module")
def api(srv) -> Api:
    return Api(srv.url, superuser_token(srv.url))


@pytest.fixture(scope="module")
def state():
    """What one test leaves for the next (collection names, ids)."""
    return {}


def go(browser, srv, path):
    browser.get(srv.url + "/_" + path)


def row_ids(browser):
    return [r.get_attribute("data-id") for r in browser.find_elements(By.CSS_SELECTOR, "#records-table tbody tr[data-id]")]


def dialog_field(browser, name, css="input"):
    return browser.find_element(By.CSS_SELECTOR, f'dialog [data-field-name="{name}"] {css}')


def png_bytes(color=(200, 30, 30), size=(240, 160)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


# --------------------------------------------------------------------------- tests
def test_sign_in_and_session_survives_a_reload(browser, srv):
    go(browser, srv, "/")
    wait(browser).until(EC.url_contains("/_/login"))
    email = visible(browser, 'input[name="identity"]')
    shot(browser, "01-login")
    email.send_keys(SU_EMAIL)
    browser.find_element(By.CSS_SELECTOR, 'input[name="password"]').send_keys("wrong-password")
    browser.find_element(By.CSS_SELECTOR, 'button[type="submit"]').click()
    wait(browser).until(lambda b: text_of(b, "#login-error") != "", "the wrong password is refused")
    pw = browser.find_element(By.CSS_SELECTOR, 'input[name="password"]')
    pw.clear()
    pw.send_keys(SU_PASSWORD, Keys.ENTER)
    visible(browser, "#sign-out")
    assert SU_EMAIL in text_of(browser, "#signed-in-as")
    token = browser.execute_script("return JSON.parse(localStorage.getItem('swiftbase_dashboard_auth')).token")
    assert requests.get(srv.url + "/api/collections", headers={"Authorization": token}, timeout=10).status_code == 200
    browser.refresh()
    visible(browser, "#sign-out")
    assert "/login" not in browser.current_url



def test_the_navigation_is_grouped_under_headings(browser, srv):
    go(browser, srv, "/collections")
    visible(browser, "#nav-group-data")
    groups = browser.find_elements(By.CSS_SELECTOR, "nav.sidebar .nav-group")
    layout = [(g.find_element(By.CSS_SELECTOR, ".nav-group-heading").text.lower(),
               [a.text for a in g.find_elements(By.CSS_SELECTOR, ".nav-list a")]) for g in groups]
    assert layout == [("data", ["Collections", "GraphQL", "SQL", "Change feed"]),
                      ("integrations", ["Webhooks", "Functions", "MQTT"]),
                      ("monitoring", ["Logs", "Metrics"]),
                      ("admin", ["Superusers", "Settings"])], layout
    # Each list is named by its heading, for screen readers; the links still lead to their pages.
    assert groups[2].find_element(By.CSS_SELECTOR, "ul").get_attribute("aria-labelledby") == "nav-group-monitoring"
    groups[2].find_element(By.LINK_TEXT, "Logs").click()
    wait(browser).until(EC.url_contains("/_/logs"))

def test_create_collection_with_fields_and_see_a_bad_rule_rejected_inline(browser, srv, api, state):
    authors = api.post("/api/collections", json={"name": unique_name("ui_authors"),
                                                 "fields": [{"name": "name", "type": "text", "presentable": True}]}).json()
    for n in ("Ada", "Grace"):
        assert api.post(f"/api/collections/{authors['name']}/records", json={"name": n}).status_code == 200
    name = unique_name("ui_posts")
    state.update(posts=name, authors=authors)
    go(browser, srv, "/collections-new")
    visible(browser, "#collection-name").send_keys(name)

    def add(field_type, field_name):
        return add_field(browser, field_type, field_name)

    add("text", "title")
    add("number", "views")
    add("bool", "published")
    status = add("select", "status")
    status.find_element(By.XPATH, ".//label[text()='Values']/following-sibling::input").send_keys("draft, live")
    add("json", "meta")
    cover = add("file", "cover")
    cover.find_element(By.XPATH, ".//label[text()='Thumb sizes']/following-sibling::input").send_keys("100x100")
    author = add("relation", "author")
    Select(author.find_element(By.CSS_SELECTOR, "select:not(.field-type)")).select_by_visible_text(authors["name"])
    add("date", "due")

    lock = browser.find_element(By.CSS_SELECTOR, "#rule-listRule-lock")
    lock.click()  # from "superusers only" to a rule
    rule = browser.find_element(By.CSS_SELECTOR, "#rule-listRule")
    rule.send_keys("title ~~ 'oops")
    shot(browser, "02-collection-editor")
    browser.find_element(By.CSS_SELECTOR, "#save-collection").click()
    error = wait(browser).until(lambda b: b.find_element(By.CSS_SELECTOR, '[data-error-for="listRule"]').text or None,
                                "the rule's error under the rule")
    assert "filter" in error.lower() or "invalid" in error.lower(), error
    shot(browser, "03-bad-rule")
    assert api.get(f"/api/collections/{name}").status_code == 404

    rule.clear()
    rule.send_keys('@request.auth.id != ""')
    browser.find_element(By.CSS_SELECTOR, "#save-collection").click()
    wait(browser).until(EC.url_contains(f"/_/collections/{name}"))
    visible(browser, "#records-table")
    saved = api.get(f"/api/collections/{name}").json()
    types = {f["name"]: f["type"] for f in saved["fields"]}
    assert {k: types.get(k) for k in ("title", "views", "published", "status", "meta", "cover", "author", "due")} == {
        "title": "text", "views": "number", "published": "bool", "status": "select", "meta": "json",
        "cover": "file", "author": "relation", "due": "date"}
    assert saved["listRule"] == '@request.auth.id != ""'
    assert next(f for f in saved["fields"] if f["name"] == "status")["values"] == ["draft", "live"]
    assert next(f for f in saved["fields"] if f["name"] == "author")["collectionId"] == authors["id"]
    assert browser.find_element(By.CSS_SELECTOR, f'#collection-list a[data-collection="{name}"]')


def add_field(browser, field_type, field_name):
    """Adds a field of `field_type` named `field_name` in the collection editor; answers its row."""
    Select(browser.find_element(By.CSS_SELECTOR, "#new-field-type")).select_by_value(field_type)
    browser.find_element(By.CSS_SELECTOR, "#add-field").click()
    row = browser.find_elements(By.CSS_SELECTOR, "#field-list > li")[-1]
    row.find_element(By.CSS_SELECTOR, ".field-name").send_keys(field_name)
    return row


def open_new_record(browser):
    clickable(browser, "#new-record").click()
    return visible(browser, "dialog .record-form")


def save_record(browser):
    browser.find_element(By.CSS_SELECTOR, "#save-record").click()
    wait(browser).until(EC.invisibility_of_element_located((By.CSS_SELECTOR, "dialog .record-form")), "the form closed")


def test_create_edit_filter_and_delete_records(browser, srv, api, state):
    name = state["posts"]
    go(browser, srv, f"/collections/{name}")
    visible(browser, "#records-table")
    open_new_record(browser)
    dialog_field(browser, "title").send_keys("first post")
    dialog_field(browser, "views").send_keys("3")
    dialog_field(browser, "published").click()
    Select(dialog_field(browser, "status", "select")).select_by_value("live")
    meta = dialog_field(browser, "meta", "textarea")
    meta.send_keys('{"a": ')
    wait(browser).until(lambda b: "Invalid JSON" in text_of(b, 'dialog [data-field-name="meta"] .json-status'))
    meta.send_keys("1}")
    wait(browser).until(lambda b: text_of(b, 'dialog [data-field-name="meta"] .json-status') == "Valid JSON")
    search = dialog_field(browser, "author", 'input[type="search"]')
    search.send_keys("Gra")
    clickable(browser, 'dialog .relation-results button').click()
    wait(browser).until(lambda b: "Grace" in text_of(b, 'dialog [data-field-name="author"] .chips'))
    shot(browser, "04-record-form")
    save_record(browser)
    first = api.get(f"/api/collections/{name}/records", params={"filter": 'title = "first post"'}).json()["items"]
    assert len(first) == 1
    rec = first[0]
    assert (rec["views"], rec["published"], rec["status"], rec["meta"]) == (3, True, "live", {"a": 1})
    authors = state["authors"]
    grace = api.get(f"/api/collections/{authors['name']}/records", params={"filter": 'name = "Grace"'}).json()["items"][0]
    assert rec["author"] == grace["id"]
    wait(browser).until(lambda b: rec["id"] in row_ids(b), "the new row")
    # The relation shows expanded (its presentable name), not only the id.
    wait(browser).until(lambda b: "Grace" in b.find_element(
        By.CSS_SELECTOR, f'tr[data-id="{rec["id"]}"] td[data-field="author"]').text)

    open_new_record(browser)
    dialog_field(browser, "title").send_keys("second post")
    save_record(browser)
    wait(browser).until(lambda b: len(row_ids(b)) == 2)

    click(browser, f'tr[data-id="{rec["id"]}"] .open-record')
    title = visible(browser, 'dialog [data-field-name="title"] input')
    title.clear()
    title.send_keys("first post edited")
    save_record(browser)
    assert api.get(f"/api/collections/{name}/records/{rec['id']}").json()["title"] == "first post edited"
    wait(browser).until(lambda b: "first post edited" in b.find_element(By.CSS_SELECTOR, f'tr[data-id="{rec["id"]}"]').text)

    box = browser.find_element(By.CSS_SELECTOR, "#records-filter")
    box.send_keys('title ~ "edited"', Keys.ENTER)
    wait(browser).until(lambda b: row_ids(b) == [rec["id"]], "only the matching row")
    wait(browser).until(lambda b: text_of(b, "#records-count") == "1 record")
    shot(browser, "05-records-filtered")
    box.clear()
    box.send_keys("title ~~ ", Keys.ENTER)
    wait(browser).until(lambda b: text_of(b, "#filter-error") != "", "a bad filter is explained")
    assert box.get_attribute("aria-invalid") == "true"
    box.clear()
    box.send_keys(Keys.ENTER)
    wait(browser).until(lambda b: len(row_ids(b)) == 2)

    # Sort by clicking a column: ascending by title, then descending.
    click(browser, 'th button[data-sort="title"]')
    wait(browser).until(lambda b: b.find_element(By.CSS_SELECTOR, 'th button[data-sort="title"]')
                        .find_element(By.XPATH, "..").get_attribute("aria-sort") == "ascending")
    wait(browser).until(lambda b: row_ids(b)[0] == rec["id"])
    click(browser, 'th button[data-sort="title"]')
    wait(browser).until(lambda b: row_ids(b)[-1] == rec["id"])

    click(browser, f'tr[data-id="{rec["id"]}"] .open-record')
    clickable(browser, "#delete-record").click()
    clickable(browser, "dialog button.danger:not(#delete-record)").click()
    wait(browser).until(lambda b: rec["id"] not in row_ids(b), "the deleted row is gone")
    assert api.get(f"/api/collections/{name}/records/{rec['id']}").status_code == 404


def test_upload_a_file_and_see_its_thumbnail(browser, srv, api, state, tmp_path):
    name = state["posts"]
    image = tmp_path / "cover.png"
    image.write_bytes(png_bytes())
    open_new_record(browser)
    dialog_field(browser, "title").send_keys("with cover")
    # The date picker (a datetime-local input, in UTC); its typing order depends on the locale, so set its value.
    browser.execute_script("arguments[0].value = '2025-03-10T04:05:06'", dialog_field(browser, "due"))
    dialog_field(browser, "cover", 'input[type="file"]').send_keys(str(image))
    wait(browser).until(lambda b: b.find_elements(By.CSS_SELECTOR, 'dialog [data-field-name="cover"] .files img.thumb'))
    save_record(browser)
    rec = api.get(f"/api/collections/{name}/records", params={"filter": 'title = "with cover"'}).json()["items"][0]
    assert rec["cover"].startswith("cover") and rec["cover"].endswith(".png")
    assert rec["due"] == "2025-03-10 04:05:06.000Z"
    thumb_css = f'tr[data-id="{rec["id"]}"] td[data-field="cover"] img.thumb'
    # Read in the page, not through an element handle: the live table may redraw the row in between.
    src = wait(browser).until(lambda b: b.execute_script(
        "const i = document.querySelector(arguments[0]); return i && i.getAttribute('src')", thumb_css))
    assert "thumb=100x100" in src
    wait(browser).until(lambda b: b.execute_script(
        "const i = document.querySelector(arguments[0]); return i && i.complete && i.naturalWidth === 100", thumb_css),
        "the 100x100 thumbnail loaded")
    shot(browser, "06-thumbnail")


def test_a_record_created_by_the_api_appears_live(browser, srv, api, state):
    name = state["posts"]
    go(browser, srv, f"/collections/{name}")
    wait(browser).until(lambda b: text_of(b, "#live-badge") == "live", "subscribed over realtime")
    before = set(row_ids(browser))
    created = api.post(f"/api/collections/{name}/records", json={"title": "from the API"}).json()
    assert created["id"] not in before
    wait(browser).until(lambda b: created["id"] in row_ids(b), "the API's record in the open table")
    updated = api.patch(f"/api/collections/{name}/records/{created['id']}", json={"title": "changed by the API"})
    assert updated.status_code == 200
    wait(browser).until(lambda b: "changed by the API" in b.find_element(By.CSS_SELECTOR, f'tr[data-id="{created["id"]}"]').text)
    api.delete(f"/api/collections/{name}/records/{created['id']}")
    wait(browser).until(lambda b: created["id"] not in row_ids(b))



def test_column_picker_hides_a_column(browser, srv, state):
    browser.find_element(By.CSS_SELECTOR, ".column-picker summary").click()
    box = browser.find_element(By.CSS_SELECTOR, '.column-picker input[value="views"]')
    was = box.is_selected()
    box.click()
    has = lambda b: bool(b.find_elements(By.CSS_SELECTOR, 'th button[data-sort="views"]'))
    wait(browser).until(lambda b: has(b) != was)
    browser.refresh()  # remembered per collection
    visible(browser, "#records-table")
    assert has(browser) != was


def test_keyboard_opens_and_closes_a_record(browser, srv, state):
    go(browser, srv, f"/collections/{state['posts']}")
    first = visible(browser, "#records-table tbody tr[data-id] .open-record")
    browser.execute_script("arguments[0].focus()", first)
    first.send_keys(Keys.ENTER)
    form = visible(browser, "dialog .record-form")
    focused = browser.switch_to.active_element
    assert form.find_elements(By.XPATH, ".//*") and focused.tag_name in ("input", "select", "textarea")
    focused.send_keys(Keys.ESCAPE)
    wait(browser).until(EC.invisibility_of_element_located((By.CSS_SELECTOR, "dialog .record-form")))


def test_pages_left_for_others_keep_no_stream_open(browser, srv, api):
    """A records page left by a full navigation may stay in the back/forward cache; its realtime stream must not
    stay open there, or the browser's six connections to the server run out after a few pages and every request
    waits (each page below is a full load of another collection's records)."""
    names = []
    for i in range(8):
        names.append(unique_name(f"ui_bf{i}"))
        assert api.post("/api/collections", json={"name": names[-1], "listRule": "", "viewRule": "",
                                                  "fields": [{"name": "title", "type": "text"}]}).status_code == 200
        assert api.post(f"/api/collections/{names[-1]}/records", json={"title": f"page {i}"}).status_code == 200
    for name in names:
        if name == names[-1]:
            browser.execute_script("window.sbLeftBehind = true")  # still set if the page comes back from the cache
        go(browser, srv, f"/collections/{name}")
        wait(browser).until(lambda b: text_of(b, "#live-badge") == "live" and len(row_ids(b)) == 1,
                            f"{name}'s record shown, subscribed")
    # A change the page left behind could not see; then back: the page is shown again (restored from the cache, or
    # loaded anew) with that change, and follows changes again.
    missed = api.post(f"/api/collections/{names[-2]}/records", json={"title": "while away"}).json()
    browser.back()
    wait(browser).until(EC.url_contains(f"/_/collections/{names[-2]}"))
    wait(browser).until(lambda b: missed["id"] in row_ids(b), "the change made while away shown on coming back")
    print("restored from the back/forward cache:", browser.execute_script("return window.sbLeftBehind === true"))
    wait(browser).until(lambda b: text_of(b, "#live-badge") == "live", "subscribed again")
    created = api.post(f"/api/collections/{names[-2]}/records", json={"title": "after coming back"}).json()
    wait(browser).until(lambda b: created["id"] in row_ids(b), "a change after coming back shown live")
    for name in names:
        api.delete(f"/api/collections/{name}")

def test_auth_and_view_collections_indexes_and_deleting_one(browser, srv, api, state):
    members = unique_name("ui_members")
    go(browser, srv, "/collections-new")
    visible(browser, "#collection-name").send_keys(members)
    Select(browser.find_element(By.CSS_SELECTOR, "#collection-type")).select_by_value("auth")
    visible(browser, "#auth-otp").click()
    browser.find_element(By.CSS_SELECTOR, "#collection-indexes").send_keys(
        f"CREATE INDEX idx_{members}_created ON {members} (created)")
    shot(browser, "21-auth-collection")
    browser.find_element(By.CSS_SELECTOR, "#save-collection").click()
    wait(browser).until(EC.url_contains(f"/_/collections/{members}"))
    saved = api.get(f"/api/collections/{members}").json()
    assert saved["type"] == "auth" and saved["otp"]["enabled"] is True
    assert any(f"idx_{members}_created" in i for i in saved["indexes"])
    assert {"email", "password", "verified"} <= {f["name"] for f in saved["fields"]}

    view = unique_name("ui_view")
    go(browser, srv, "/collections-new")
    visible(browser, "#collection-name").send_keys(view)
    Select(browser.find_element(By.CSS_SELECTOR, "#collection-type")).select_by_value("view")
    visible(browser, "#view-query").send_keys(f"SELECT id, title FROM {state['posts']}")
    browser.find_element(By.CSS_SELECTOR, "#rule-listRule-lock").click()
    browser.find_element(By.CSS_SELECTOR, "#save-collection").click()
    wait(browser).until(EC.url_contains(f"/_/collections/{view}"))
    wait(browser).until(lambda b: len(row_ids(b)) == api.get(f"/api/collections/{view}/records").json()["totalItems"] > 0)
    assert not browser.find_elements(By.CSS_SELECTOR, "#new-record")  # a view is read-only
    shot(browser, "22-view-collection")

    clickable(browser, "#edit-collection").click()
    clickable(browser, "#delete-collection").click()
    clickable(browser, "dialog button.danger:not(#delete-collection)").click()
    wait(browser).until(lambda b: b.current_url.rstrip("/").endswith("/_/collections") or
                        f"/collections/{view}" not in b.current_url)
    assert api.get(f"/api/collections/{view}").status_code == 404
    wait(browser).until(lambda b: not b.find_elements(By.CSS_SELECTOR, f'#collection-list a[data-collection="{view}"]'))


def ts_text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def ts_chart(browser):
    """The time-series chart's lines as the page holds them: label and the values of the buckets that hold points."""
    return browser.execute_script(
        "const c = Chart.getChart(document.getElementById('ts-chart'));"
        "return c ? c.data.datasets.map((d) => ({label: d.label, ys: d.data.filter((p) => p.y !== null).map((p) => p.y)})) : null")


def ts_rows(browser):
    return browser.execute_script(
        "return [...document.querySelectorAll('#ts-points tbody tr[data-id]')].map((r) => ({id: r.dataset.id,"
        " time: r.querySelector('td[data-field=time]').textContent, device: r.querySelector('td[data-field=device]')"
        ".textContent, temp: Number(r.querySelector('td[data-field=temp]').textContent)}))")


def test_timeseries_collection_in_the_editor_with_errors_inline(browser, srv, api, state):
    name = unique_name("ui_ts")
    state["ts"] = name
    go(browser, srv, "/collections-new")
    visible(browser, "#collection-name").send_keys(name)
    Select(browser.find_element(By.CSS_SELECTOR, "#collection-type")).select_by_value("timeseries")
    # A time series starts with its time (no autodate fields) and offers only the types it takes.
    wait(browser).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#ts-raw-retention"))
    rows = browser.find_elements(By.CSS_SELECTOR, "#field-list > li")
    assert [r.find_element(By.CSS_SELECTOR, ".field-name").get_attribute("value") for r in rows] == ["time"]
    assert rows[0].find_element(By.CSS_SELECTOR, "[data-role]").text == "time"
    offered = [o.get_attribute("value") for o in browser.find_elements(By.CSS_SELECTOR, "#new-field-type option")]
    assert sorted(offered) == ["date", "number", "select", "text"]

    def add(field_type, field_name):
        return add_field(browser, field_type, field_name)

    assert add("text", "device").find_element(By.CSS_SELECTOR, "[data-role]").text == "tag"
    site = add("select", "site")
    site.find_element(By.XPATH, ".//label[text()='Values']/following-sibling::input").send_keys("north, south")
    assert add("number", "temp").find_element(By.CSS_SELECTOR, "[data-role]").text == "value"
    assert add("date", "later").find_element(By.CSS_SELECTOR, "[data-role]").text == "refused"
    browser.find_element(By.CSS_SELECTOR, "#ts-raw-retention").send_keys("7 days")
    browser.find_element(By.CSS_SELECTOR, "#ts-retention-1h").send_keys("400d")
    browser.find_element(By.CSS_SELECTOR, "#rule-listRule-lock").click()
    shot(browser, "30-timeseries-editor")
    browser.find_element(By.CSS_SELECTOR, "#save-collection").click()
    # The server's two errors, each at its field: the second date field, and the malformed retention.
    second_date = wait(browser).until(
        lambda b: b.find_element(By.CSS_SELECTOR, '[data-error-for="fields.4.type"]').text or None)
    assert "date field" in second_date, second_date
    retention = text_of(browser, '[data-error-for="timeseries.rawRetention"]')
    assert "whole number" in retention, retention
    shot(browser, "31-timeseries-errors")
    assert api.get(f"/api/collections/{name}").status_code == 404

    browser.find_element(By.CSS_SELECTOR, '#field-list > li:last-child button[aria-label^="Remove field"]').click()
    raw = browser.find_element(By.CSS_SELECTOR, "#ts-raw-retention")
    raw.clear()
    raw.send_keys("7d")
    browser.find_element(By.CSS_SELECTOR, "#save-collection").click()
    wait(browser).until(EC.url_contains(f"/_/collections/{name}"))
    visible(browser, "#ts-chart")
    saved = api.get(f"/api/collections/{name}").json()
    assert saved["type"] == "timeseries" and saved["listRule"] == ""
    assert {f["name"]: f["type"] for f in saved["fields"] if f["name"] != "id"} == {
        "time": "date", "device": "text", "site": "select", "temp": "number"}
    assert saved["timeseries"] == {"rawRetention": "7d", "rollups": {"1m": "", "1h": "400d"}}
    # Edited again: the retention comes back into the form, and a change is saved.
    go(browser, srv, f"/collections/{name}/schema")
    one_minute = visible(browser, "#ts-retention-1m")
    assert browser.find_element(By.CSS_SELECTOR, "#ts-raw-retention").get_attribute("value") == "7d"
    one_minute.send_keys("30d")
    browser.find_element(By.CSS_SELECTOR, "#save-collection").click()
    wait(browser).until(lambda b: api.get(f"/api/collections/{name}").json()["timeseries"]["rollups"]["1m"] == "30d")


def test_timeseries_chart_tags_and_points_follow_the_api(browser, srv, api, state):
    name = state["ts"]
    now = datetime.now(timezone.utc).replace(microsecond=0)
    # Ten points in the last ten minutes (one a minute) and twenty from 20 to 48.5 minutes ago: every point in a
    # bucket of its own at the chart's steps, and a five-minute margin on each side of "last 15 min".
    recent = [now - timedelta(seconds=30 + 60 * k) for k in range(10)]
    older = [now - timedelta(minutes=20, seconds=90 * j) for j in range(20)]
    points = [{"time": ts_text(t), "device": "d1" if i % 2 == 0 else "d2", "site": "north" if i < 15 else "south",
               "temp": 100 + i} for i, t in enumerate(recent + older)]
    r = api.post(f"/api/timeseries/{name}/points", json=points)
    assert r.json() == {"inserted": 30}, r.text
    newest = points[0]

    go(browser, srv, f"/collections/{name}")
    wait(browser).until(lambda b: text_of(b, "#ts-total") == "30", "30 points in the last hour")
    lines = ts_chart(browser)
    assert [l["label"] for l in lines] == ["temp (avg)"]
    assert sorted(lines[0]["ys"]) == sorted(p["temp"] for p in points)   # one bucket per point: avg = the value
    assert text_of(browser, '[data-latest="temp"]') == str(newest["temp"])
    assert "of 10s" in text_of(browser, "#ts-summary")                    # an hour at 10 s: 360 buckets
    rows = ts_rows(browser)
    assert len(rows) == 20 and rows[0]["time"] == newest["time"] and rows[0]["temp"] == newest["temp"]
    assert [r["time"] for r in rows] == sorted((r["time"] for r in rows), reverse=True)  # newest first
    click(browser, "#ts-next-page")
    wait(browser).until(lambda b: len(ts_rows(b)) == 10 and ts_rows(b)[-1]["time"] == points[-1]["time"])
    shot(browser, "32-timeseries-chart")

    # A tag filter: the tags' values come from the range; the chart and the table keep only d1.
    device = Select(wait(browser).until(lambda b: b.find_element(By.CSS_SELECTOR, '#ts-tag-device option[value="=d1"]')
                                        and b.find_element(By.CSS_SELECTOR, "#ts-tag-device")))
    assert [o.text for o in device.options] == ["any", "d1", "d2"]
    device.select_by_value("=d1")
    wait(browser).until(lambda b: text_of(b, "#ts-total") == "15")
    assert sorted(ts_chart(browser)[0]["ys"]) == sorted(p["temp"] for p in points if p["device"] == "d1")
    wait(browser).until(lambda b: len(ts_rows(b)) == 15 and {r["device"] for r in ts_rows(b)} == {"d1"})
    assert "tag.device=d1" in browser.current_url

    # Split by a tag: a line per site; then the max instead of the average.
    Select(browser.find_element(By.CSS_SELECTOR, "#ts-group")).select_by_value("site")
    wait(browser).until(lambda b: [l["label"] for l in ts_chart(b)] == ["temp · site=north (avg)", "temp · site=south (avg)"])
    Select(browser.find_element(By.CSS_SELECTOR, "#ts-agg")).select_by_value("max")
    wait(browser).until(lambda b: [l["label"] for l in ts_chart(b)] == ["temp · site=north (max)", "temp · site=south (max)"])
    Select(browser.find_element(By.CSS_SELECTOR, "#ts-group")).select_by_value("")

    # Live: a "last …" range refreshes by itself (points reach no realtime subscription).
    assert text_of(browser, "#ts-live-badge").startswith("live")
    live = {"time": ts_text(datetime.now(timezone.utc)), "device": "d1", "site": "north", "temp": 7}
    assert api.post(f"/api/timeseries/{name}/points", json=[live]).json() == {"inserted": 1}
    wait(browser, 40).until(lambda b: text_of(b, "#ts-total") == "16", "the new point, without a reload")
    wait(browser, 40).until(lambda b: any(r["temp"] == 7 for r in ts_rows(b)), "the new point in the table")

    # The keyboard picks a range: the last 15 minutes hold the recent points only, at 5-second buckets.
    last15 = browser.find_element(By.CSS_SELECTOR, '#ts-range button[data-range="15m"]')
    browser.execute_script("arguments[0].focus()", last15)
    last15.send_keys(Keys.ENTER)
    expected = sum(1 for p in points[:10] if p["device"] == "d1") + 1  # and the live one
    wait(browser).until(lambda b: text_of(b, "#ts-total") == str(expected))
    assert last15.get_attribute("aria-pressed") == "true" and "of 5s" in text_of(browser, "#ts-summary")

    # A custom range (UTC, fixed: no refresh) from 30 to 15 minutes before the points were written: seven d1/d2
    # points, d1 still chosen.
    click(browser, '#ts-range button[data-range="custom"]')
    frm, to = now - timedelta(minutes=30), now - timedelta(minutes=15)
    for css, moment in (("#ts-from", frm), ("#ts-to", to)):
        browser.execute_script("arguments[0].value = arguments[1]", browser.find_element(By.CSS_SELECTOR, css),
                               moment.strftime("%Y-%m-%dT%H:%M:%S"))
    browser.find_element(By.CSS_SELECTOR, "#ts-custom button[type=submit]").click()
    in_range = [p for t, p in zip(recent + older, points) if frm <= t < to and p["device"] == "d1"]
    wait(browser).until(lambda b: text_of(b, "#ts-total") == str(len(in_range)))
    assert sorted(ts_chart(browser)[0]["ys"]) == sorted(p["temp"] for p in in_range)
    assert text_of(browser, "#ts-live-badge") == "fixed range"
    before = browser.execute_script("return document.documentElement.dataset.theme || ''")
    browser.find_element(By.CSS_SELECTOR, "#theme-toggle").click()
    after = browser.execute_script("return document.documentElement.dataset.theme")
    shot(browser, f"33-timeseries-{after}")
    browser.find_element(By.CSS_SELECTOR, "#theme-toggle").click()
    assert before != after

    # A reload keeps the view (the choices live in the URL); a point opens in the record form and is deleted.
    browser.refresh()
    wait(browser).until(lambda b: text_of(b, "#ts-total") == str(len(in_range)))
    target = ts_rows(browser)[0]
    click(browser, f'#ts-points tr[data-id="{target["id"]}"] .open-record')
    clickable(browser, "#delete-record").click()
    clickable(browser, "dialog button.danger:not(#delete-record)").click()
    wait(browser).until(lambda b: text_of(b, "#ts-total") == str(len(in_range) - 1), "the chart follows the delete")
    assert api.get(f"/api/collections/{name}/records/{target['id']}").status_code == 404


def test_timeseries_bucket_choice_in_the_page(browser, srv):
    """lib/timeseries.js: the step keeps every offered range within a few hundred buckets; a line bridges the usual
    distance between its points, not a long silence."""
    result = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        import('/_/lib/timeseries.js').then((m) => done({
          steps: m.RANGES.map((r) => [r.key, m.stepText(m.stepFor(r.ms)), Math.ceil(r.ms / 1000 / m.stepFor(r.ms))]),
          bridged: m.bridgedGap([0, 60000, 120000, 780000], 10000), alone: m.bridgedGap([0], 10000),
        })).catch((e) => done(String(e)));
    """)
    assert result["steps"] == [["15m", "5s", 180], ["1h", "10s", 360], ["24h", "5m", 288], ["7d", "30m", 336]], result
    assert (result["bridged"], result["alone"]) == (150000, 25000)  # a minute apart: 2.5 min bridged, not 11 min


def test_create_and_revoke_an_api_key(browser, srv, api):
    go(browser, srv, "/settings/api-keys")
    key_name = unique_name("uikey")
    visible(browser, "#apikey-name").send_keys(key_name)
    browser.find_element(By.CSS_SELECTOR, "#create-apikey button[type=submit]").click()
    secret = visible(browser, "#apikey-secret").get_attribute("value")
    assert secret.startswith("sbk_"), secret
    shot(browser, "07-apikey-created")
    listed = {k["name"]: k for k in api.get("/api/keys").json()["items"]}
    assert key_name in listed and listed[key_name]["revoked"] == ""
    guest_list = requests.get(srv.url + "/api/keys", headers={"Authorization": "Bearer " + secret}, timeout=10)
    assert guest_list.status_code in (401, 403)  # a key never manages keys
    browser.find_element(By.CSS_SELECTOR, "dialog header button").click()
    row = f'#apikeys-table tr[data-name="{key_name}"]'
    clickable(browser, f"{row} button.danger").click()
    clickable(browser, "dialog button.danger").click()
    wait(browser).until(lambda b: "revoked" in b.find_element(By.CSS_SELECTOR, row).text)
    assert {k["name"]: k for k in api.get("/api/keys").json()["items"]}[key_name]["revoked"] != ""
    shot(browser, "08-apikeys")


def test_take_a_backup(browser, srv, api):
    go(browser, srv, "/settings/backups")
    visible(browser, "#backup-name").send_keys("ui_backup.zip")
    browser.find_element(By.CSS_SELECTOR, "#create-backup button").click()
    visible(browser, '#backups-table tr[data-key="ui_backup.zip"]', timeout=60)
    assert "ui_backup.zip" in [b["key"] for b in api.get("/api/backups").json()]
    shot(browser, "09-backups")


def test_upload_and_delete_a_backup(browser, srv, api, tmp_path):
    token = api.post("/api/files/token").json()["token"]
    data = requests.get(f"{srv.url}/api/backups/ui_backup.zip", params={"token": token}, timeout=30)
    assert data.status_code == 200 and data.content[:2] == b"PK"
    copy = tmp_path / "uploaded_copy.zip"
    copy.write_bytes(data.content)
    go(browser, srv, "/settings/backups")
    visible(browser, '#backups-table tr[data-key="ui_backup.zip"]')
    browser.find_element(By.CSS_SELECTOR, "#backup-file").send_keys(str(copy))
    row = '#backups-table tr[data-key="uploaded_copy.zip"]'
    visible(browser, row, timeout=60)
    assert "uploaded_copy.zip" in [b["key"] for b in api.get("/api/backups").json()]
    click(browser, f"{row} button.danger")
    clickable(browser, "dialog button.danger").click()
    wait(browser).until(lambda b: not b.find_elements(By.CSS_SELECTOR, row), "the deleted backup is gone")
    assert "uploaded_copy.zip" not in [b["key"] for b in api.get("/api/backups").json()]


def test_rate_limit_rules(browser, srv, api):
    go(browser, srv, "/settings/rate-limits")
    form = visible(browser, "#settings-rate-limits form")
    form.find_element(By.XPATH, ".//button[text()='+ Add rule']").click()
    label = form.find_elements(By.CSS_SELECTOR, "tbody tr")[-1].find_element(By.CSS_SELECTOR, "input")
    label.send_keys("bad label!")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(browser).until(lambda b: b.find_element(By.CSS_SELECTOR, "#settings-rate-limits .form-error").text != "",
                        "the server's validation error")
    label.clear()
    label.send_keys("*:create")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(browser).until(lambda b: any(r["label"] == "*:create" for r in api.get("/api/settings").json()["rateLimits"]["rules"]))
    shot(browser, "20-rate-limits")


def test_settings_audit_and_theme(browser, srv, api):
    go(browser, srv, "/settings/application")
    name = visible(browser, "#app-name")
    name.clear()
    name.send_keys("Dashboard Test")
    browser.find_element(By.CSS_SELECTOR, ".settings-form button[type=submit]").click()
    wait(browser).until(lambda b: api.get("/api/settings").json()["meta"]["appName"] == "Dashboard Test")
    shot(browser, "10-settings")
    go(browser, srv, "/settings/audit")
    wait(browser).until(lambda b: "apikey.create" in text_of(b, "#audit-table"), "the key's creation is audited")
    shot(browser, "11-audit")
    before = browser.execute_script("return document.documentElement.dataset.theme || ''")
    browser.find_element(By.CSS_SELECTOR, "#theme-toggle").click()
    after = browser.execute_script("return document.documentElement.dataset.theme")
    assert after in ("light", "dark") and after != before
    shot(browser, f"12-theme-{after}")
    browser.find_element(By.CSS_SELECTOR, "#theme-toggle").click()


def test_metrics_page_charts_the_prometheus_text(browser, srv):
    go(browser, srv, "/metrics?every=1")
    wait(browser).until(lambda b: text_of(b, "#figure-requests").isdigit() and int(text_of(b, "#figure-requests")) > 0)
    # The realtime subscription of the records pages counted as a client at least once: the gauge is read.
    assert text_of(browser, "#figure-clients").isdigit()
    points = "return ['metrics-rate','metrics-latency','metrics-clients'].map(id => Chart.getChart(document.getElementById(id)).data.labels.length)"
    wait(browser).until(lambda b: min(b.execute_script(points)) >= 1, "a second scrape charted a rate and percentiles")
    shot(browser, "15-metrics")


def test_prometheus_parsing_and_quantiles_in_the_page(browser, srv):
    """lib/prometheus.js on a known exposition: labels with escapes, +Inf, sums, quantiles interpolated in buckets."""
    result = browser.execute_async_script(r"""
        const done = arguments[arguments.length - 1];
        import('/_/lib/prometheus.js').then((m) => {
          const text = [
            '# HELP d Request durations.', '# TYPE d histogram',
            'd_bucket{le="0.1",path="/a \\"q\\""} 50', 'd_bucket{le="0.5",path="/a \\"q\\""} 90',
            'd_bucket{le="+Inf",path="/a \\"q\\""} 100',
            'd_bucket{le="0.1",path="/b"} 0', 'd_bucket{le="0.5",path="/b"} 0', 'd_bucket{le="+Inf",path="/b"} 0',
            'requests_total{m="GET"} 7', 'requests_total{m="POST"} 3', 'clients 2'].join('\n');
          const s = m.parsePrometheus(text);
          const b = m.buckets(s, 'd');
          done({ labels: s[0].labels, total: m.sum(s, 'requests_total'), get: m.sum(s, 'requests_total', {m: 'GET'}),
                 p50: m.quantile(0.5, b), p70: m.quantile(0.7, b), p99: m.quantile(0.99, b),
                 window: m.bucketDelta(b, b.map((x) => ({ le: x.le, count: x.count / 2 }))).map((x) => x.count) });
        }).catch((e) => done({ error: String(e) }));
    """)
    assert "error" not in result, result
    assert result["labels"] == {"le": "0.1", "path": '/a "q"'}
    assert (result["total"], result["get"]) == (10, 7)
    assert result["p50"] == pytest.approx(0.1)
    assert result["p70"] == pytest.approx(0.3)   # 20 of the 40 between 0.1 and 0.5
    assert result["p99"] == pytest.approx(0.5)   # in +Inf: the highest finite bound, as Prometheus answers
    assert result["window"] == [25, 45, 50]


def test_superusers_page_lists_and_adds_superusers(browser, srv):
    go(browser, srv, "/superusers")
    wait(browser).until(lambda b: SU_EMAIL in text_of(b, "#records-table"))
    shot(browser, "16-superusers")
    email = f"{unique_name('second')}@example.com"
    open_new_record(browser)
    dialog_field(browser, "email").send_keys(email)
    dialog_field(browser, "password", 'input[type="password"]').send_keys("Another-Passw0rd")
    browser.find_element(By.CSS_SELECTOR, 'dialog input[name="passwordConfirm"]').send_keys("Another-Passw0rd")
    save_record(browser)
    wait(browser).until(lambda b: email in text_of(b, "#records-table"), "the new superuser listed")
    signed = requests.post(f"{srv.url}/api/collections/_superusers/auth-with-password",
                           json={"identity": email, "password": "Another-Passw0rd"}, timeout=10)
    assert signed.status_code == 200, signed.text


def test_impersonate_an_auth_record(browser, srv, api):
    users = unique_name("ui_users")
    assert api.post("/api/collections", json={"name": users, "type": "auth"}).status_code == 200
    email = f"{users}@example.com"
    user = api.post(f"/api/collections/{users}/records", json={
        "email": email, "password": "Secret-123456", "passwordConfirm": "Secret-123456"}).json()
    go(browser, srv, f"/collections/{users}")
    click(browser, f'tr[data-id="{user["id"]}"] .open-record')
    verified = visible(browser, 'dialog [data-field-name="verified"] input')
    assert not verified.is_selected()
    clickable(browser, "#impersonate").click()
    token = wait(browser).until(lambda b: b.find_element(By.CSS_SELECTOR, "#impersonate-token").get_attribute("value"))
    shot(browser, "17-impersonate")
    me = requests.post(f"{srv.url}/api/collections/{users}/auth-refresh", headers={"Authorization": token}, timeout=10)
    assert me.status_code == 200 and me.json()["record"]["id"] == user["id"], me.text
    browser.find_element(By.CSS_SELECTOR, "#impersonate-token").send_keys(Keys.ESCAPE)
    wait(browser).until(lambda b: not b.find_elements(By.CSS_SELECTOR, "#impersonate-token"))
    # Marking the record verified from the form.
    click(browser, 'dialog [data-field-name="verified"] input')
    save_record(browser)
    assert api.get(f"/api/collections/{users}/records/{user['id']}").json()["verified"] is True


def test_send_a_test_mail(browser, srv):
    mailbox = EmlDirMailbox(srv.data_dir / "mail")
    go(browser, srv, "/settings/mail")
    visible(browser, "#test-email-to").send_keys("dashboard-test@example.com")
    browser.find_element(By.CSS_SELECTOR, "#test-email-form button[type=submit]").click()
    wait(browser).until(lambda b: "Sent to" in b.find_element(By.CSS_SELECTOR, "#test-email-form [role=status]").text)
    mail = mailbox.wait_for("dashboard-test@example.com")
    assert mail.text
    shot(browser, "18-settings-mail")


def test_configure_an_oidc_provider_and_its_secret_is_kept_unseen(browser, srv, api):
    """The OAuth2 section of an auth collection: an `oidc` provider typed in, saved, read back through the API
    (the secret never shown), then a real sign-in against the loopback provider proves the stored secret; saved
    again with the secret left blank, the secret is kept."""
    oidc = OIDCProvider()
    try:
        coll = create_collection(api, {"name": unique_name("ui_oauth"), "type": "auth", "createRule": "",
                                        "fields": [{"name": "name", "type": "text"}]})
        go(browser, srv, f"/collections/{coll['name']}/schema")
        visible(browser, "#oauth2-section")
        browser.find_element(By.CSS_SELECTOR, "#oauth2-enabled").click()
        Select(browser.find_element(By.CSS_SELECTOR, "#oauth2-mapped-name")).select_by_value("name")
        Select(browser.find_element(By.CSS_SELECTOR, "#oauth2-add-provider")).select_by_value("oidc")
        browser.find_element(By.CSS_SELECTOR, "#oauth2-add").click()
        visible(browser, '[data-provider="oidc"]')
        typed = {"clientId": CLIENT_ID, "displayName": "Loopback SSO", "authURL": oidc.url + "/authorize",
                 "tokenURL": "not a url", "jwksURL": oidc.url + "/jwks", "issuers": oidc.url}
        for key, value in typed.items():
            browser.find_element(By.CSS_SELECTOR, f"#oauth2-0-{key}").send_keys(value)
        browser.find_element(By.CSS_SELECTOR, "#save-collection").click()
        # A new provider needs its secret: refused in the page, before any request.
        wait(browser).until(lambda b: text_of(b, '[data-error-for="oauth2.providers.0.clientSecret"]') != "")
        browser.find_element(By.CSS_SELECTOR, "#oauth2-0-clientSecret").send_keys(CLIENT_SECRET)
        browser.find_element(By.CSS_SELECTOR, "#save-collection").click()
        # The server's error, at its field.
        wait(browser).until(lambda b: text_of(b, '[data-error-for="oauth2.providers.0.tokenURL"]') != "",
                            "the bad token URL marked by the server")
        assert text_of(browser, '[data-error-for="oauth2.providers.0.clientSecret"]') == ""
        shot(browser, "23-oauth2-error")
        token_url = browser.find_element(By.CSS_SELECTOR, "#oauth2-0-tokenURL")
        token_url.clear()
        token_url.send_keys(oidc.url + "/token")
        browser.find_element(By.CSS_SELECTOR, "#save-collection").click()
        wait(browser).until(EC.url_contains(f"/collections/{coll['name']}"))
        wait(browser).until(lambda b: not b.current_url.endswith("/schema"))

        saved = api.get(f"/api/collections/{coll['name']}").json()["oauth2"]
        assert saved["enabled"] is True and saved["mappedFields"]["name"] == "name"
        (provider,) = saved["providers"]
        assert "clientSecret" not in provider
        assert {k: provider[k] for k in ("name", "clientId", "displayName", "authURL", "tokenURL", "userInfoURL")} == {
            "name": "oidc", "clientId": CLIENT_ID, "displayName": "Loopback SSO", "authURL": oidc.url + "/authorize",
            "tokenURL": oidc.url + "/token", "userInfoURL": ""}
        assert provider["extra"] == {"jwksURL": oidc.url + "/jwks", "issuers": [oidc.url]}
        assert provider["pkce"] is None

        def signs_in(sub):
            oidc.user = {"sub": sub, "email": sub + "@example.com", "email_verified": True, "name": "N " + sub}
            r, _, _ = oauth2_sign_in(srv.url, coll, "oidc")
            assert r.status_code == 200, r.text  # the provider refuses a wrong client secret
            assert r.json()["record"]["name"] == "N " + sub  # mappedFields.name
        signs_in(unique_name("sub"))

        # Edited again with the secret left blank: the stored one is kept.
        go(browser, srv, f"/collections/{coll['name']}/schema")
        name = visible(browser, "#oauth2-0-displayName")
        assert browser.find_element(By.CSS_SELECTOR, "#oauth2-0-clientSecret").get_attribute("value") == ""
        name.clear()
        name.send_keys("Renamed SSO")
        shot(browser, "24-oauth2-provider")
        browser.find_element(By.CSS_SELECTOR, "#save-collection").click()
        wait(browser).until(lambda b: api.get(f"/api/collections/{coll['name']}").json()["oauth2"]["providers"][0]
                            ["displayName"] == "Renamed SSO")
        signs_in(unique_name("sub"))
    finally:
        oidc.close()


def test_an_apple_client_secret_is_generated_from_a_key(browser, srv, api):
    """The Apple provider's "Generate secret from a key…": the server's field errors show in the dialog; with a
    real P-256 key the signed secret (an ES256 JWT for the Service ID) fills the provider's secret."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    coll = create_collection(api, {"name": unique_name("ui_apple"), "type": "auth", "fields": []})
    go(browser, srv, f"/collections/{coll['name']}/schema")
    visible(browser, "#oauth2-section")
    Select(browser.find_element(By.CSS_SELECTOR, "#oauth2-add-provider")).select_by_value("apple")
    browser.find_element(By.CSS_SELECTOR, "#oauth2-add").click()
    visible(browser, "#oauth2-0-clientId").send_keys("com.example.web")
    browser.find_element(By.CSS_SELECTOR, "#oauth2-0-generate-secret").click()
    visible(browser, "#apple-teamId").send_keys("SHORT")
    browser.find_element(By.CSS_SELECTOR, "#apple-secret-form button[type=submit]").click()
    wait(browser).until(lambda b: text_of(b, '#apple-secret-form [data-error-for="teamId"]') != "", "the team id refused")
    assert text_of(browser, '#apple-secret-form [data-error-for="privateKey"]') != ""
    team = browser.find_element(By.CSS_SELECTOR, "#apple-teamId")
    team.clear()
    team.send_keys("ABCDE12345")
    browser.find_element(By.CSS_SELECTOR, "#apple-keyId").send_keys("KEY0123456")
    browser.execute_script("document.getElementById('apple-privateKey').value = arguments[0]", pem)
    shot(browser, "31-apple-client-secret")
    browser.find_element(By.CSS_SELECTOR, "#apple-secret-form button[type=submit]").click()
    wait(browser).until(lambda b: not b.find_elements(By.CSS_SELECTOR, "#apple-secret-form"), "the dialog closed")
    secret = browser.find_element(By.CSS_SELECTOR, "#oauth2-0-clientSecret").get_attribute("value")
    assert secret.count(".") == 2, secret
    claims = jwt_payload(secret)
    assert claims["sub"] == "com.example.web" and claims["iss"] == "ABCDE12345", claims


def test_the_oauth2_redirect_pages(browser, srv):
    """Where /api/oauth2-redirect sends the provider's popup: failure for an unknown state, success when the
    state names a realtime client subscribed to @oauth2 (which then gets the code); each page says what happened.
    A popup opened by a script closes itself."""
    browser.get(srv.url + "/api/oauth2-redirect?state=nobody&code=c")
    wait(browser).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#oauth2-redirect-title"), "the failure page")
    assert text_of(browser, "#oauth2-redirect-title") == "Sign-in failed."
    assert browser.current_url == srv.url + "/_/auth/oauth2-redirect-failure"
    assert not browser.find_elements(By.CSS_SELECTOR, "nav.sidebar")  # no dashboard around it
    shot(browser, "25-oauth2-redirect-failure")

    stream = subscribe_oauth2(srv.url)
    try:
        browser.get(srv.url + f"/api/oauth2-redirect?state={stream.client_id}&code=the-code")
        wait(browser).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#oauth2-redirect-title"), "the success page")
        assert text_of(browser, "#oauth2-redirect-title") == "Sign-in completed."
        assert "close this window" in text_of(browser, "#oauth2-redirect")
        assert browser.current_url == srv.url + "/_/auth/oauth2-redirect-success"
        assert json.loads(stream.next().data) == {"state": stream.client_id, "code": "the-code"}
    finally:
        stream.close()
    shot(browser, "26-oauth2-redirect-success")

    # Signed out too (the popup of an app's user has no dashboard session), straight at the hash URL.
    token = browser.execute_script("return localStorage.getItem('swiftbase_dashboard_auth')")
    browser.execute_script("localStorage.removeItem('swiftbase_dashboard_auth')")
    try:
        go(browser, srv, "/#/auth/oauth2-redirect-failure")
        wait(browser).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#oauth2-redirect-title"))
        assert "/login" not in browser.current_url
    finally:
        browser.execute_script("localStorage.setItem('swiftbase_dashboard_auth', arguments[0])", token)

    main = browser.current_window_handle
    browser.execute_script("window.oauth2Popup = window.open(arguments[0], 'oauth2popup')",
                           srv.url + "/_/#/auth/oauth2-redirect-success")
    wait(browser).until(lambda b: b.execute_script("return window.oauth2Popup.closed"), "the popup closed itself")
    assert browser.window_handles == [main]


def test_create_an_api_key_with_a_topic_scope(browser, srv, api):
    """Scopes on the API keys page: a collection scope and an MQTT topic scope (filter + publish/subscribe) side
    by side; a bad topic filter is marked by the server at its row; the created key lists both."""
    go(browser, srv, "/settings/api-keys")
    key_name = unique_name("uitopic")
    visible(browser, "#apikey-name").send_keys(key_name)
    browser.find_element(By.CSS_SELECTOR, "#add-topic-scope").click()
    topic = visible(browser, '#apikey-scopes li[data-scope="topic"] .scope-topic')
    topic.send_keys("sensors/#/bad")
    row = browser.find_element(By.CSS_SELECTOR, '#apikey-scopes li[data-scope="topic"]')
    row.find_element(By.CSS_SELECTOR, 'input[value="publish"]').click()
    browser.find_element(By.CSS_SELECTOR, "#create-apikey button[type=submit]").click()
    error = wait(browser).until(lambda b: b.find_element(By.CSS_SELECTOR, '[data-error-for="scopes.1.topic"]').text or None,
                                "the bad filter marked at its row")
    assert "topic" in error.lower(), error
    message = text_of(browser, "#create-apikey .form-error")  # pointing at the row, not a dump of the JSON
    assert "See the marked fields." in message and "{" not in message, message
    assert key_name not in {k["name"] for k in api.get("/api/keys").json()["items"]}
    topic.clear()
    topic.send_keys("sensors/+/temperature")
    shot(browser, "27-apikey-topic-scope")
    browser.find_element(By.CSS_SELECTOR, "#create-apikey button[type=submit]").click()
    assert visible(browser, "#apikey-secret").get_attribute("value").startswith("sbk_")
    browser.find_element(By.CSS_SELECTOR, "dialog header button").click()
    listed = {k["name"]: k for k in api.get("/api/keys").json()["items"]}[key_name]
    scopes = sorted(listed["scopes"], key=lambda s: "topic" in s)
    assert scopes[0]["collection"] == "*" and sorted(scopes[0]["actions"]) == ["list", "view"]
    assert scopes[1]["topic"] == "sensors/+/temperature"
    assert sorted(scopes[1]["actions"]) == ["publish", "subscribe"]
    shown = wait(browser).until(lambda b: b.find_element(By.CSS_SELECTOR, f'#apikeys-table tr[data-name="{key_name}"]').text)
    assert "topic sensors/+/temperature: " in shown and "publish" in shown
    # The form is ready for the next key: one collection scope again.
    assert len(browser.find_elements(By.CSS_SELECTOR, "#apikey-scopes li")) == 1


def test_mqtt_page_says_when_the_broker_is_off(browser, srv):
    """This module's server runs without `--mqtt`: the page says how to start the broker and still offers its
    settings (test_swiftbase_dashboard_mqtt.py covers the page with the broker on)."""
    go(browser, srv, "/mqtt")
    notice = visible(browser, "#mqtt-off")
    assert "--mqtt" in notice.text
    visible(browser, "#mqtt-settings")
    assert browser.find_elements(By.CSS_SELECTOR, "#mqtt-clients") == []


def test_webhooks_page_creates_tests_disables_and_deletes_a_webhook(browser, srv, api):
    """The secret the page shows once is the one messages are signed with: a receiver verifies a record's
    message and the page's test message with it (standardwebhooks), and the deliveries page lists them."""
    coll = create_collection(api, {"name": unique_name("hooked"), "type": "base", "createRule": "",
                                   "fields": [{"name": "title", "type": "text"}]})
    receiver = Receiver()
    assert api.patch("/api/settings", json={"webhooks": {"allowPrivateTargets": True}}).status_code == 200
    try:
        go(browser, srv, "/webhooks")
        name = unique_name("uihook")
        visible(browser, "#webhook-name").send_keys(name)
        browser.find_element(By.CSS_SELECTOR, "#webhook-url").send_keys(receiver.url)
        Select(browser.find_element(By.CSS_SELECTOR, "#webhook-collections")).select_by_visible_text(coll["name"])
        browser.find_element(By.CSS_SELECTOR, "#webhook-action-delete").click()  # create and update only
        browser.find_element(By.CSS_SELECTOR, "#create-webhook button[type=submit]").click()
        secret = visible(browser, "#webhook-secret").get_attribute("value")
        assert secret.startswith("whsec_"), secret
        receiver.set_secret(secret)
        shot(browser, "29-webhook-created")
        browser.find_element(By.CSS_SELECTOR, "dialog header button").click()
        row = f'#webhooks-table tr[data-name="{name}"]'
        wait(browser).until(lambda b: "enabled" in b.find_element(By.CSS_SELECTOR, row).text)
        made = {w["name"]: w for w in api.get("/api/webhooks").json()["items"]}[name]
        assert (made["collections"], made["actions"], made["url"]) == ([coll["name"]], ["create", "update"], receiver.url)
        assert "secret" not in made  # shown once, never read back

        record = api.post(f"/api/collections/{coll['name']}/records", json={"title": "ring"}).json()
        got = receiver.wait_for(lambda seen: any(r.record_id == record["id"] for r in seen), "the record's message")
        message = next(r for r in got if r.record_id == record["id"])
        assert message.ok and message.payload["type"] == "record.create", message

        click(browser, f"{row} button.test")
        got = receiver.wait_for(lambda seen: any((r.payload or {}).get("type") == "webhook.test" for r in seen),
                                "the test message")
        assert all(r.ok for r in got), [r.error for r in got if not r.ok]

        click(browser, f"{row} a")  # the table is drawn again after each action
        visible(browser, "#webhook-details")

        def delivered(b):
            b.find_element(By.CSS_SELECTOR, "#deliveries-refresh").click()
            rows = b.find_elements(By.CSS_SELECTOR, '#deliveries-table tr[data-status="succeeded"]')
            return len(rows) >= 2 and rows
        wait(browser).until(delivered, "both deliveries listed as succeeded")
        shot(browser, "30-webhook-deliveries")

        go(browser, srv, "/webhooks")
        click(browser, f"{row} button.toggle")
        wait(browser).until(lambda b: "disabled" in b.find_element(By.CSS_SELECTOR, row).text)
        assert {w["name"]: w for w in api.get("/api/webhooks").json()["items"]}[name]["enabled"] is False
        click(browser, f"{row} button.delete")
        clickable(browser, "dialog button.danger").click()
        wait(browser).until(lambda b: not b.find_elements(By.CSS_SELECTOR, row))
        assert name not in {w["name"] for w in api.get("/api/webhooks").json()["items"]}
    finally:
        api.patch("/api/settings", json={"webhooks": {"allowPrivateTargets": False}})
        receiver.close()

def test_sign_in_with_mfa_and_an_emailed_code(browser, srv, api):
    """Last: the superusers' collection then asks for a second factor, as a PocketBase admin may configure it."""
    su = api.patch("/api/collections/_superusers", json={"mfa": {"enabled": True}, "otp": {"enabled": True}})
    assert su.status_code == 200, su.text
    length = su.json()["otp"]["length"]
    mailbox = EmlDirMailbox(srv.data_dir / "mail")
    try:
        clickable(browser, "#sign-out").click()
        visible(browser, 'input[name="identity"]').send_keys(SU_EMAIL)
        browser.find_element(By.CSS_SELECTOR, 'input[name="password"]').send_keys(SU_PASSWORD, Keys.ENTER)
        visible(browser, "#otp-title")
        shot(browser, "19-mfa-code")
        mail = mailbox.wait_for(SU_EMAIL, subject_contains="OTP")
        codes = set(re.findall(rf"(?<![0-9])[0-9]{{{length}}}(?![0-9])", mail.text))
        assert len(codes) == 1, mail.text
        visible(browser, 'input[name="password"]').send_keys(codes.pop(), Keys.ENTER)
        visible(browser, "#sign-out")
        assert "/login" not in browser.current_url
    finally:
        api.patch("/api/collections/_superusers", json={"mfa": {"enabled": False}, "otp": {"enabled": False}})

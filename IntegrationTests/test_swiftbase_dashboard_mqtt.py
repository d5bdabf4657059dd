"""The dashboard's MQTT page in a real browser (headless chromium through Selenium) against a server of its own
started with `--mqtt`: the clients the broker knows, listed as paho-mqtt clients connect and leave; disconnecting
one from the page (the client sees its connection end) and discarding an offline session; the `mqtt` settings saved from the page, the server's
per-entry ACL errors shown under the list, and what was saved read back through the API. Every wait is on a
condition."""
from __future__ import annotations

import json

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import SU_EMAIL, SU_PASSWORD, Api, _free_port, _server_kind, _start_server, superuser_token, wait_until
from dashboard_browser import (browser, click, console_on_failure, shot, sign_in, text_of,  # noqa: F401 (fixtures)
                               visible, wait)
from test_swiftbase_mqtt import TIMEOUT, Broker, Client, _wait_for_port, client_pool


@pytest.fixture(scope="module")
def srv(request):
    """A server of its own with the MQTT listener, anonymous clients allowed."""
    if _server_kind(request.config) != "swiftbase":
        pytest.skip("Swiftbase's own dashboard")
    port = _free_port()
    server = _start_server(request.config, "dashboard-mqtt", extra_args=["--mqtt", f"127.0.0.1:{port}"])
    try:
        _wait_for_port(port, server.proc, server.log_text)
        api = Api(server.url, superuser_token(server.url))
        r = api.patch("/api/settings", json={"mqtt": {"allowAnonymous": True}})
        assert r.status_code == 200, r.text
        server.mqtt = Broker("swiftbase", port, api, server.port)
        server.api = api
        yield server
    finally:
        err = server.stop()
    assert err is None, err


@pytest.fixture(scope="module", autouse=True)
def signed_in(browser, srv):
    """The module's browser signs in once; every test starts from the signed-in dashboard."""
    sign_in(browser, srv.url + "/_/login", SU_EMAIL, SU_PASSWORD)


@pytest.fixture()
def clients(srv):
    yield from client_pool(lambda *args, **kwargs: Client(srv.mqtt, *args, **kwargs))


def client_row(browser, client_id):
    rows = browser.find_elements(By.CSS_SELECTOR, f'#mqtt-clients tbody tr[data-client-id="{client_id}"]')
    return rows[0] if rows else None


def test_the_page_lists_connected_clients_and_disconnects_one(browser, srv, clients):
    keeper = clients(client_id="dash-keeper")
    keeper.subscribe("plant/+/temperature")
    leaver = clients(client_id="dash-leaver")
    browser.get(srv.url + "/_/mqtt")
    visible(browser, "#mqtt-clients")
    wait(browser).until(lambda b: client_row(b, "dash-keeper") and client_row(b, "dash-leaver"), "both clients listed")
    row = client_row(browser, "dash-keeper")
    assert "connected" in row.text and "3.1.1" in row.text, row.text
    assert "plant/+/temperature" in row.text, row.text
    assert "2 connected" in text_of(browser, "#mqtt-summary")
    shot(browser, "mqtt-01-clients")

    # Disconnect from the page: the confirmation, then the client sees its connection end and the row goes.
    client_row(browser, "dash-leaver").find_element(By.CSS_SELECTOR, "button.disconnect").click()
    click(browser, "dialog button.danger")
    assert leaver.disconnects.get(timeout=TIMEOUT) is not None
    wait(browser).until(lambda b: client_row(b, "dash-leaver") is None, "the disconnected client leaves the list")
    assert client_row(browser, "dash-keeper") is not None

    def disconnects_audited():
        items = srv.api.get("/api/audit", params={"event": "mqtt.disconnect"}).json()["items"]
        return [item["target"] for item in items]
    wait_until(lambda: disconnects_audited() == ["dash-leaver"], what="the disconnect is audited")

    # A client that connects while the page is open appears by itself (the page refreshes every few seconds).
    clients(client_id="dash-latecomer")
    wait(browser, timeout=TIMEOUT + 10).until(lambda b: client_row(b, "dash-latecomer") is not None,
                                               "a new client appears without a reload")



def test_an_offline_session_is_discarded_from_the_page(browser, srv, clients):
    sleeper = clients(client_id="dash-sleeper", clean=False)
    sleeper.subscribe("plant/+/humidity", 1)
    sleeper.close()
    browser.get(srv.url + "/_/mqtt")
    wait(browser).until(lambda b: client_row(b, "dash-sleeper") is not None, "the offline session is listed")
    row = client_row(browser, "dash-sleeper")
    assert "offline" in row.text and "plant/+/humidity" in row.text, row.text
    assert not row.find_elements(By.CSS_SELECTOR, "button.disconnect")  # nothing to disconnect
    row.find_element(By.CSS_SELECTOR, "button.discard").click()
    click(browser, "dialog button.danger")
    wait(browser).until(lambda b: client_row(b, "dash-sleeper") is None, "the discarded session leaves the list")
    items = srv.api.get("/api/audit", params={"event": "mqtt.discard"}).json()["items"]
    assert [item["target"] for item in items] == ["dash-sleeper"]
    # The device comes back to no session.
    back = clients(client_id="dash-sleeper", clean=False, connect=False)
    assert back.connect()[0] is False

def test_settings_are_saved_and_acl_errors_shown_per_entry(browser, srv):
    auth = srv.api.post("/api/collections", json={"name": "devices", "type": "auth", "fields": []})
    assert auth.status_code == 200, auth.text
    browser.get(srv.url + "/_/mqtt")
    visible(browser, "#mqtt-settings")
    Select(browser.find_element(By.CSS_SELECTOR, "#mqtt-auth-collection")).select_by_value("devices")
    keep_alive = browser.find_element(By.CSS_SELECTOR, "#mqtt-max-keepalive")
    keep_alive.clear()
    keep_alive.send_keys("120")
    acl = browser.find_element(By.CSS_SELECTOR, "#mqtt-acl")

    # Not JSON: refused in the page, nothing sent.
    acl.clear()
    acl.send_keys("[{")
    click(browser, '#mqtt-settings button[type="submit"]')
    wait(browser).until(lambda b: "JSON list" in text_of(b, "#mqtt-acl-errors"), "bad JSON is refused in the page")
    assert srv.api.get("/api/settings").json()["mqtt"].get("authCollection", "") == ""

    # The server's error for the second entry is shown under the list, named by entry and key.
    acl.clear()
    acl.send_keys(json.dumps([{"topic": "devices/{auth.id}/#", "publish": "", "subscribe": ""},
                              {"topic": "bad/#/more", "publish": "", "subscribe": ""}]))
    click(browser, '#mqtt-settings button[type="submit"]')
    wait(browser).until(lambda b: "entry 2, topic" in text_of(b, "#mqtt-acl-errors"), "the server's per-entry error")
    shot(browser, "mqtt-02-acl-error")
    assert srv.api.get("/api/settings").json()["mqtt"].get("acl", []) == []

    good = [{"topic": "devices/{auth.id}/#", "publish": "", "subscribe": ""}]
    acl.clear()
    acl.send_keys(json.dumps(good))
    browser.find_element(By.CSS_SELECTOR, "#mqtt-allow-anonymous").click()  # off
    click(browser, '#mqtt-settings button[type="submit"]')
    wait_until(lambda: srv.api.get("/api/settings").json()["mqtt"]["acl"] == good, what="the settings saved")
    wait(browser).until(lambda b: "MQTT settings saved." in text_of(b, "#toasts"), "the page says so")
    assert text_of(browser, "#mqtt-acl-errors") == ""
    mqtt = srv.api.get("/api/settings").json()["mqtt"]
    assert mqtt["authCollection"] == "devices"
    assert mqtt["maxKeepAlive"] == 120
    assert mqtt["allowAnonymous"] is False
    assert mqtt["acl"] == good

    # A reload shows what was saved.
    browser.refresh()
    visible(browser, "#mqtt-settings")
    assert json.loads(browser.find_element(By.CSS_SELECTOR, "#mqtt-acl").get_attribute("value")) == good
    assert browser.find_element(By.CSS_SELECTOR, "#mqtt-max-keepalive").get_attribute("value") == "120"
    assert not browser.find_element(By.CSS_SELECTOR, "#mqtt-allow-anonymous").is_selected()
    shot(browser, "mqtt-03-settings")

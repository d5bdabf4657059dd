"""Swiftbase beyond PocketBase: `GET /api/metrics`, the server's metrics in Prometheus' text format, for
superusers only — realtime clients connected, events delivered, clients dropped, and HTTP requests."""
import json
import re
import time
import uuid

import pytest
import requests
import websocket

from conftest import Api, assert_error, create_collection, new_record, superuser_token, unique_name

pytestmark = pytest.mark.usefixtures("swiftbase_only")

TIMEOUT = 5
PASSWORD = "Secret-pass-1234"


@pytest.fixture(scope="module")
def srv(own_server):
    return own_server


@pytest.fixture(scope="module")
def su(srv):
    return Api(srv.url, superuser_token(srv.url))


def metrics(su) -> dict:
    r = su.get("/api/metrics")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    values = {}
    for line in r.text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            values[name] = float(value)
    return values


def wait_for(predicate, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def connect(srv, topic):
    ws = websocket.create_connection(srv.url.replace("http", "ws", 1) + "/api/realtime/ws", timeout=TIMEOUT)
    hello = json.loads(ws.recv())
    assert hello["event"] == "PB_CONNECT"
    ws.send(json.dumps({"subscriptions": [topic]}))
    assert json.loads(ws.recv())["event"] == "PB_SUBSCRIBED"
    return ws


def test_metrics_are_for_superusers_only(srv, su):
    guest = Api(srv.url, None)
    assert_error(guest.get("/api/metrics"), 401, "The request requires valid record authorization token.")
    email = f"{uuid.uuid4().hex[:10]}@example.com"
    r = guest.post("/api/collections/users/records",
                   json={"email": email, "password": PASSWORD, "passwordConfirm": PASSWORD})
    assert r.status_code == 200, r.text
    token = guest.post("/api/collections/users/auth-with-password",
                       json={"identity": email, "password": PASSWORD}).json()["token"]
    assert_error(Api(srv.url, token).get("/api/metrics"), 403,
                 "The authorized record is not allowed to perform this action.")


def test_realtime_clients_and_delivered_events_are_counted(srv, su):
    posts = create_collection(su, {"name": unique_name("metrics_posts"), "listRule": "", "viewRule": "",
                                   "createRule": "", "fields": [{"name": "title", "type": "text"}]})
    before = metrics(su)
    delivered0 = before.get("swiftbase_realtime_events_delivered_total", 0)
    clients0 = before.get("swiftbase_realtime_clients", 0)
    a, b = connect(srv, posts["name"]), connect(srv, f"{posts['name']}/*")
    try:
        assert metrics(su)["swiftbase_realtime_clients"] == clients0 + 2
        new_record(su, posts, title="one")
        for ws in (a, b):
            assert json.loads(ws.recv())["data"]["record"]["title"] == "one"
        assert metrics(su)["swiftbase_realtime_events_delivered_total"] == delivered0 + 2
    finally:
        a.close()
    assert wait_for(lambda: metrics(su)["swiftbase_realtime_clients"] == clients0 + 1)
    b.close()
    assert wait_for(lambda: metrics(su)["swiftbase_realtime_clients"] == clients0)


def test_http_requests_are_counted_per_route(srv, su):
    for _ in range(3):
        assert requests.get(srv.url + "/api/health", timeout=TIMEOUT).status_code == 200
    values = metrics(su)
    health = [v for k, v in values.items() if k.startswith("hb_requests{") and '"/api/health"' in k]
    assert health and sum(health) >= 3, [k for k in values if k.startswith("hb_requests")]
    assert any(re.match(r'http_server_request_duration_(bucket|count|sum)\{', k) for k in values)

"""(Swiftbase only) `superuserIPs` on the transports PocketBase does not have: over the realtime WebSocket a
superuser's credential from outside the list acts as no one (rule-filtered events a guest would not get stay
away), from inside it works as before. Own server, `trustedProxy` on `X-Real-IP` naming the client."""
import json

import pytest
import requests
import websocket

from conftest import SU_EMAIL, SU_PASSWORD, create_collection, new_record, unique_name, Api

pytestmark = pytest.mark.usefixtures("swiftbase_only")

INSIDE = "10.0.0.5"
OUTSIDE = "10.0.1.5"


@pytest.fixture(scope="module")
def ctx(own_server):
    url = own_server.url
    token = requests.post(url + "/api/collections/_superusers/auth-with-password",
                          json={"identity": SU_EMAIL, "password": SU_PASSWORD}, timeout=30).json()["token"]
    api = Api(url, token)
    r = api.patch("/api/settings", json={"trustedProxy": {"headers": ["X-Real-IP"]}})
    assert r.status_code == 200, r.text
    r = api.patch("/api/settings", headers={"X-Real-IP": INSIDE}, json={"superuserIPs": ["10.0.0.0/24"]})
    assert r.status_code == 200, r.text
    inside = Api(url, token)
    inside.s.headers["X-Real-IP"] = INSIDE
    locked = create_collection(inside, {"name": unique_name("ips_locked"), "fields": [{"name": "t", "type": "text"}]})
    public = create_collection(inside, {"name": unique_name("ips_public"), "listRule": "", "viewRule": "",
                                        "fields": [{"name": "t", "type": "text"}]})
    yield {"url": url, "token": token, "api": inside, "locked": locked, "public": public}
    inside.patch("/api/settings", json={"superuserIPs": []})


def first_event(ctx, client_ip):
    ws = websocket.create_connection(ctx["url"].replace("http", "ws", 1) + "/api/realtime/ws", timeout=5,
                                     header=[f"Authorization: {ctx['token']}", f"X-Real-IP: {client_ip}"])
    try:
        assert json.loads(ws.recv())["event"] == "PB_CONNECT"
        ws.send(json.dumps({"subscriptions": [ctx["locked"]["name"], ctx["public"]["name"]]}))
        assert json.loads(ws.recv())["event"] == "PB_SUBSCRIBED"
        new_record(ctx["api"], ctx["locked"], t="superusers only")
        new_record(ctx["api"], ctx["public"], t="anyone")  # the barrier: events come in commit order
        return json.loads(ws.recv())["event"]
    finally:
        ws.close()


def test_a_superuser_websocket_from_outside_sees_what_a_guest_sees(ctx):
    assert first_event(ctx, OUTSIDE) == ctx["public"]["name"]


def test_a_superuser_websocket_from_inside_sees_everything(ctx):
    assert first_event(ctx, INSIDE) == ctx["locked"]["name"]

"""Swiftbase beyond PocketBase: the realtime subscriptions over one WebSocket (`/api/realtime/ws`), with
the same topics, rules and events as the SSE API, and the credential sent in a message or on the upgrade."""
import json
import uuid

import pytest
import websocket

from conftest import SU_EMAIL, create_collection, new_record, superuser_token, unique_name

pytestmark = pytest.mark.usefixtures("swiftbase_only")

TIMEOUT = 5
PASSWORD = "Secret-pass-1234"


def connect(server, header=None):
    ws = websocket.create_connection(server.url.replace("http", "ws", 1) + "/api/realtime/ws", timeout=TIMEOUT,
                                     header=header or [])
    hello = json.loads(ws.recv())
    assert hello["event"] == "PB_CONNECT" and len(hello["clientId"]) == 40
    assert hello["data"] == {"clientId": hello["clientId"]}
    return ws, hello["clientId"]


def send(ws, body):
    ws.send(json.dumps(body))
    return json.loads(ws.recv())


@pytest.fixture(scope="module")
def posts(api):
    return create_collection(api, {"name": unique_name("ws_posts"), "listRule": "owner = @request.auth.id",
                                   "viewRule": "owner = @request.auth.id", "createRule": "",
                                   "fields": [{"name": "title", "type": "text"}, {"name": "owner", "type": "text"}]})


@pytest.fixture(scope="module")
def user(api):
    email = f"{uuid.uuid4().hex[:10]}@example.com"
    r = api.post("/api/collections/users/records", auth=False,
                 json={"email": email, "password": PASSWORD, "passwordConfirm": PASSWORD})
    assert r.status_code == 200, r.text
    login = api.post("/api/collections/users/auth-with-password", auth=False,
                     json={"identity": email, "password": PASSWORD}).json()
    return login["record"], login["token"]


def test_subscribe_and_receive_rule_filtered_events(server, api, posts, user):
    record, token = user
    ws, cid = connect(server)
    try:
        ack = send(ws, {"subscriptions": [f"{posts['name']}/*"], "authorization": token})
        assert ack == {"event": "PB_SUBSCRIBED", "data": {"subscriptions": [f"{posts['name']}/*"]}}
        new_record(api, posts, title="not mine", owner="someone-else")
        mine = new_record(api, posts, title="mine", owner=record["id"])
        event = json.loads(ws.recv())
        assert event["event"] == f"{posts['name']}/*" and event["clientId"] == cid
        assert event["data"]["action"] == "create" and event["data"]["record"]["id"] == mine["id"]
        api.delete(f"/api/collections/{posts['name']}/records/{mine['id']}")
        gone = json.loads(ws.recv())
        assert gone["data"]["action"] == "delete" and gone["data"]["record"]["id"] == mine["id"]
    finally:
        ws.close()


def test_credential_on_the_upgrade_request_and_options(server, api, posts):
    ws, _ = connect(server, header=[f"Authorization: {superuser_token(server.url)}"])
    try:
        topic = f"{posts['name']}?options=" + json.dumps({"query": {"fields": "title"}})
        assert send(ws, {"subscriptions": [topic]})["event"] == "PB_SUBSCRIBED"
        new_record(api, posts, title="seen by the superuser", owner="x")
        event = json.loads(ws.recv())
        assert event["event"] == topic and event["data"]["record"] == {"title": "seen by the superuser"}
    finally:
        ws.close()


def test_errors_come_back_in_pocketbase_shape(server, user):
    _, token = user
    ws, _ = connect(server)
    try:
        assert send(ws, {"subscriptions": "nope"}) == {
            "event": "PB_ERROR",
            "data": {"status": 400, "message": "Something went wrong while processing your request.", "data": {}}}
        assert send(ws, {"subscriptions": ["a"], "authorization": token})["event"] == "PB_SUBSCRIBED"
        other = superuser_token(server.url)
        assert send(ws, {"subscriptions": ["a"], "authorization": other}) == {
            "event": "PB_ERROR",
            "data": {"status": 403, "message": "The current and the previous request authorization don't match.",
                     "data": {}}}
        assert send(ws, {"subscriptions": ["x" * 2501]})["data"]["data"]["subscriptions"]["0"]["code"] == \
            "validation_length_too_long"
    finally:
        ws.close()


def test_other_paths_do_not_upgrade(server):
    with pytest.raises(websocket.WebSocketBadStatusException):
        websocket.create_connection(server.url.replace("http", "ws", 1) + "/api/realtime/wss", timeout=TIMEOUT)

"""Swiftbase's MQTT access control: `mqtt.acl` in /api/settings (topic patterns with `{auth.*}` placeholders, rules
over `@request.auth`), API keys' topic scopes, superusers, and what each denial answers and audits.

Clients are paho-mqtt 2.2 (3.1.1 and 5.0) and raw sockets where exact bytes matter (a QoS 2 PUBREC, which paho
does not expose). The absence of a message is checked after a later sentinel on the same subscription arrived."""
import uuid

import paho.mqtt.client as mqtt
import pytest

from conftest import Api, _free_port, _server_kind, _start_server, create_collection, new_record, superuser_token, \
    unique_name, wait_until
from test_swiftbase_mqtt import PASSWORD, TIMEOUT, Broker, Client, Raw, _wait_for_port, client_pool, connect_bytes, \
    packet, utf8

ACL = [
    {"topic": "devices/{auth.id}/#", "publish": "", "subscribe": ""},
    {"topic": "sites/{auth.site}/#", "publish": None, "subscribe": ""},
    {"topic": "vip/#", "publish": "@request.auth.verified = true", "subscribe": "@request.auth.verified = true"},
    {"topic": "region/#", "publish": "@request.auth.site = 'south'", "subscribe": "@request.auth.site = 'north'"},
    {"topic": "public/#", "publish": None, "subscribe": ""},
]


@pytest.fixture(scope="module")
def acl(request):
    """A server of its own with `--mqtt`, anonymous clients allowed, an auth collection of devices (one verified)
    and the ACL above."""
    if _server_kind(request.config) != "swiftbase":
        pytest.skip("Swiftbase's own feature")
    port = _free_port()
    srv = _start_server(request.config, "mqtt-acl", extra_args=["--mqtt", f"127.0.0.1:{port}"])
    try:
        _wait_for_port(port, srv.proc, srv.log_text)
        api = Api(srv.url, superuser_token(srv.url))
        coll = create_collection(api, {"name": "devices", "type": "auth",
                                       "fields": [{"name": "site", "type": "text"}]})
        devs = {}
        for name, verified in [("dev1", True), ("dev2", False)]:
            email = f"{name}@example.com"
            rec = new_record(api, coll, email=email, password=PASSWORD, passwordConfirm=PASSWORD, site="north",
                             verified=verified)
            devs[name] = {"record": rec, "email": email}
        r = api.patch("/api/settings", json={"mqtt": {"allowAnonymous": True, "acl": ACL}})
        assert r.status_code == 200, r.text
        yield {"broker": Broker("swiftbase", port, api, srv.port), "api": api, "devices": devs}
    finally:
        err = srv.stop()
    assert err is None, err


class AckClient(Client):
    """A paho client that also keeps the reason codes of PUBACKs (MQTT 5) and SUBACKs."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.acks = {}
        self.c.on_publish = lambda c, u, mid, rc, props: self.acks.__setitem__(mid, getattr(rc, "value", rc))

    def publish_qos1(self, topic, payload):
        info = self.c.publish(topic, payload, qos=1)
        info.wait_for_publish(timeout=TIMEOUT)
        wait_until(lambda: info.mid in self.acks, timeout=TIMEOUT, what="PUBACK")
        return self.acks[info.mid]

    def subscribe_codes(self, *filters):
        if self.protocol == mqtt.MQTTv5:
            _, mid = self.c.subscribe([(f, mqtt.SubscribeOptions(qos=1)) for f in filters])
        else:
            _, mid = self.c.subscribe([(f, 1) for f in filters])
        got, rcs = self.subacks.get(timeout=TIMEOUT)
        assert got == mid
        return [getattr(rc, "value", rc) for rc in rcs]


@pytest.fixture()
def clients(acl):
    yield from client_pool(lambda protocol=mqtt.MQTTv5, **kwargs: AckClient(acl["broker"], protocol, **kwargs))


def device(clients, acl, name, protocol=mqtt.MQTTv5):
    return clients(protocol, username=acl["devices"][name]["email"], password=PASSWORD)


def dev_id(acl, name):
    return acl["devices"][name]["record"]["id"]


def denials(acl, actor):
    r = acl["api"].get("/api/audit", params={"perPage": 500, "event": "mqtt.denied"})
    assert r.status_code == 200, r.text
    return [e for e in r.json()["items"] if e["actor"] == actor]


def assert_not_delivered(watcher, publisher_topic_sentinel):
    """The watcher's next message is the sentinel: what was published before it never arrived."""
    msg = watcher.next()
    assert msg.payload == publisher_topic_sentinel, msg.payload


# --------------------------------------------------------------------------- settings
def test_acl_is_validated_field_by_field(acl):
    api = acl["api"]
    bad = [{"topic": "a/#/b", "publish": "", "subscribe": ""},
           {"topic": "devices/{user.id}", "publish": "", "subscribe": ""},
           {"topic": "", "publish": "@request.auth.id = ", "subscribe": "title = 'x'"},
           {"topic": "ok/#", "publish": None, "subscribe": "@request.auth.verified = true"}]
    r = api.patch("/api/settings", json={"mqtt": {"acl": bad}})
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["status"] == 400 and body["message"]
    errors = body["data"]["mqtt"]["acl"]
    assert errors["0"]["topic"]["code"] == "validation_invalid_topic"
    assert errors["1"]["topic"]["code"] == "validation_invalid_topic"
    assert errors["2"]["topic"]["code"] == "validation_required"
    assert errors["2"]["publish"]["code"] == "validation_invalid_rule"
    assert errors["2"]["subscribe"]["code"] == "validation_invalid_rule"  # a bare field: there is no record
    assert "3" not in errors
    # Nothing was saved; null rules come back as null.
    acl_now = api.get("/api/settings").json()["mqtt"]["acl"]
    assert acl_now == ACL


# --------------------------------------------------------------------------- records
def test_device_publishes_and_subscribes_under_its_own_id_only_v5(acl, clients):
    me, other = dev_id(acl, "dev1"), dev_id(acl, "dev2")
    dev = device(clients, acl, "dev1")
    assert dev.subscribe_codes(f"devices/{me}/#", f"devices/{other}/#", "devices/+/status") == [1, 0x87, 0x87]
    assert dev.publish_qos1(f"devices/{me}/t", b"mine") == 0
    assert dev.next().payload == b"mine"
    assert dev.publish_qos1(f"devices/{other}/t", b"theirs") == 0x87


def test_denied_publish_reaches_nobody_v311(acl, clients):
    me, other = dev_id(acl, "dev1"), dev_id(acl, "dev2")
    watcher = clients(mqtt.MQTTv5, username="su", password=acl["api"].token)
    assert watcher.subscribe_codes("devices/#") == [1]
    dev = device(clients, acl, "dev1", mqtt.MQTTv311)
    # 3.1.1 has no way to say no: QoS 1 is acknowledged (reason 0) and dropped, SUBACK says 0x80.
    assert dev.publish_qos1(f"devices/{other}/t", b"spoofed") == 0
    dev.publish(f"devices/{me}/t", b"sentinel", qos=1)
    assert_not_delivered(watcher, b"sentinel")
    assert dev.subscribe_codes(f"devices/{other}/#") == [0x80]


@pytest.mark.parametrize("level", [4, 5])
def test_denied_qos2_publish_answers_pubrec(acl, level):
    broker = acl["broker"]
    raw = Raw(broker)
    raw.send(connect_bytes(level, "it-raw-" + uuid.uuid4().hex[:6], username=acl["devices"]["dev2"]["email"],
                           password=PASSWORD))
    assert raw.read_packet()[0] == 0x20
    props = b"\x00" if level == 5 else b""
    raw.send(packet(0x34, utf8("public/x") + (5).to_bytes(2, "big") + props + b"payload"))
    first, body = raw.read_packet()
    assert first == 0x50
    assert body[:2] == (5).to_bytes(2, "big")
    if level == 5:
        assert body[2] == 0x87
    else:
        assert len(body) == 2  # 3.1.1: a plain PUBREC, the flow runs on
        raw.send(packet(0x62, (5).to_bytes(2, "big")))
        assert raw.read_packet() == (0x70, (5).to_bytes(2, "big"))
    raw.close()


def test_placeholders_of_any_field(acl, clients):
    dev = device(clients, acl, "dev1")
    assert dev.subscribe_codes("sites/north/#", "sites/south/#") == [1, 0x87]
    assert dev.publish_qos1("sites/north/x", b"no") == 0x87  # publish: null, nobody


def test_rules_over_request_auth(acl, clients):
    verified = device(clients, acl, "dev1")
    unverified = device(clients, acl, "dev2")
    assert verified.subscribe_codes("vip/#") == [1]
    assert unverified.subscribe_codes("vip/#") == [0x87]
    assert unverified.publish_qos1("vip/news", b"x") == 0x87
    assert verified.publish_qos1("vip/news", b"y") == 0
    assert verified.next().payload == b"y"


def test_rules_over_fields_of_the_auth_record(acl, clients):
    # `site` is not one of the plain auth fields bound as values: the rule joins the device's record.
    dev = device(clients, acl, "dev1")
    assert dev.subscribe_codes("region/x") == [1]
    assert dev.publish_qos1("region/x", b"x") == 0x87


def test_rules_are_decided_in_the_order_packets_arrive(acl, clients):
    """The rules a client's packets need ran at CONNECT: a SUBSCRIBE that needs one is in force as soon as it
    arrives, so a message another client publishes right after it (its SUBACK not yet back) reaches it, as on a
    broker whose ACL needs no database. (Eclipse Paho's interoperability suite publishes that way.)"""
    def connected():
        raw = Raw(acl["broker"])
        raw.send(connect_bytes(5, "it-order-" + uuid.uuid4().hex[:6], username=acl["devices"]["dev1"]["email"],
                               password=PASSWORD))
        assert raw.read_packet()[0] == 0x20
        return raw

    publisher = connected()
    for _ in range(5):
        t = "vip/" + uuid.uuid4().hex[:8]
        subscriber = connected()
        subscriber.send(packet(0x82, b"\x00\x01\x00" + utf8(t) + b"\x00"))  # SUBSCRIBE at QoS 0
        publisher.send(packet(0x30, utf8(t) + b"\x00" + b"right after"))  # PUBLISH at once, no SUBACK awaited
        seen = [subscriber.read_packet(), subscriber.read_packet()]
        subscriber.close()
        assert seen[0] == (0x90, b"\x00\x01\x00\x00")
        assert seen[1] == (0x30, utf8(t) + b"\x00" + b"right after"), seen
    publisher.close()


def test_no_matching_entry_denies(acl, clients):
    dev = device(clients, acl, "dev1")
    assert dev.subscribe_codes("elsewhere/#", "#") == [0x87, 0x87]
    assert dev.publish_qos1("elsewhere/x", b"x") == 0x87


# --------------------------------------------------------------------------- guests, superusers, API keys
def test_guests_are_not_authenticated(acl, clients):
    guest = clients(mqtt.MQTTv5)
    assert guest.subscribe_codes("public/#") == [0x87]  # "" is anyone *authenticated*
    assert guest.publish_qos1("public/x", b"x") == 0x87
    mine = [e for e in denials(acl, "guest") if e["details"]["clientId"] == guest.client_id]
    assert sorted((e["details"]["action"], e["target"]) for e in mine) == [("publish", "public/x"),
                                                                          ("subscribe", "public/#")]


def test_superusers_pass_but_never_publish_server_topics(acl, clients):
    su = clients(mqtt.MQTTv5, username="su", password=acl["api"].token)
    assert su.subscribe_codes("#", "anything/+/x") == [1, 1]
    assert su.publish_qos1("anything/at/all", b"x") == 0
    assert su.publish_qos1("$swiftbase/records/devices/create", b"{}") == 0x87
    su_id = acl["api"].get("/api/collections/_superusers/records").json()["items"][0]["id"]
    mine = [(e["details"]["action"], e["target"]) for e in denials(acl, f"_superusers:{su_id}")]
    assert mine == [("publish", "$swiftbase/records/devices/create")]


def test_api_keys_are_judged_by_their_topic_scopes(acl, clients):
    api = acl["api"]
    scoped = api.post("/api/keys", json={"name": unique_name("sensors"), "scopes": [
        {"topic": "sensors/#", "actions": ["publish", "subscribe"]},
        {"topic": "cmd/+", "actions": ["subscribe"]}]})
    assert scoped.status_code == 200, scoped.text
    listed = scoped.json()
    assert {"topic": "cmd/+", "actions": ["subscribe"]} in listed.get("scopes", listed.get("info", {}).get("scopes", []))
    plain = api.post("/api/keys", json={"name": unique_name("plain"),
                                        "scopes": [{"collection": "devices", "actions": ["list"]}]})
    assert plain.status_code == 200, plain.text

    key = clients(mqtt.MQTTv5, username="k", password=scoped.json()["key"])
    assert key.subscribe_codes("sensors/#", "cmd/a", "cmd/#", "public/x") == [1, 1, 0x87, 0x87]
    assert key.publish_qos1("sensors/1/t", b"21.5") == 0
    assert key.next().payload == b"21.5"
    assert key.publish_qos1("cmd/a", b"x") == 0x87

    unscoped = clients(mqtt.MQTTv5, username="k", password=plain.json()["key"])
    assert unscoped.subscribe_codes("sensors/#", "public/#") == [0x87, 0x87]
    assert unscoped.publish_qos1("sensors/1/t", b"x") == 0x87
    key_id = plain.json().get("id") or plain.json()["info"]["id"]
    targets = {(e["details"]["action"], e["target"]) for e in denials(acl, f"apikey:{key_id}")}
    assert targets == {("subscribe", "sensors/#"), ("subscribe", "public/#"), ("publish", "sensors/1/t")}


def test_topic_scopes_are_validated(acl):
    r = acl["api"].post("/api/keys", json={"name": "bad", "scopes": [
        {"topic": "a/#/b", "actions": ["publish"]}, {"topic": "ok", "actions": ["delete"]}]})
    assert r.status_code == 400, r.text
    errors = r.json()["data"]["scopes"]
    assert errors["0"]["topic"]["code"] == "validation_invalid_topic"
    assert errors["1"]["actions"]["code"] == "validation_in_invalid"


# --------------------------------------------------------------------------- audit
def test_denials_are_audited_once_a_minute_per_client_topic_and_action(acl, clients):
    dev = device(clients, acl, "dev2")
    actor = f"devices:{dev_id(acl, 'dev2')}"
    target = f"forbidden/{uuid.uuid4().hex[:8]}"
    for _ in range(5):
        assert dev.publish_qos1(target, b"x") == 0x87
    assert dev.subscribe_codes(target) == [0x87]
    entries = [e for e in denials(acl, actor) if e["target"] == target]
    actions = sorted(e["details"]["action"] for e in entries)
    assert actions == ["publish", "subscribe"], entries
    assert all(e["details"]["clientId"] == dev.client_id for e in entries)


# --------------------------------------------------------------------------- WebSocket
def test_the_acl_applies_over_websocket_too(acl):
    c = AckClient(acl["broker"], mqtt.MQTTv5, username=acl["devices"]["dev1"]["email"], password=PASSWORD,
                  websocket=True)
    c.connect()
    try:
        me = dev_id(acl, "dev1")
        assert c.subscribe_codes(f"devices/{me}/#", "elsewhere/#", "vip/#") == [1, 0x87, 1]
        assert c.publish_qos1("elsewhere/x", b"x") == 0x87
        assert c.publish_qos1(f"devices/{me}/ws", b"over websocket") == 0
        assert c.next().payload == b"over websocket"
    finally:
        c.close()

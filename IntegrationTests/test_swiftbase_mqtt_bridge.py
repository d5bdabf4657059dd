"""Swiftbase's MQTT bridges to records. Out: committed record changes published to
`$swiftbase/records/{collection}/{action}`, each subscriber getting the record as the REST API shows it to them and
only when its identity may view it. In: `mqtt.ingest` routes turning publishes into records through the same
rules as a REST create, with failures counted on /api/metrics instead of reaching the publisher.

Clients are paho-mqtt 2.2 (3.1.1 and 5.0) and `mosquitto_pub`. The absence of a message is checked after a later
message on the same subscription arrived."""
import json
import shutil
import subprocess

import paho.mqtt.client as mqtt
import pytest

from conftest import Api, _free_port, _server_kind, _start_server, create_collection, new_record, superuser_token, \
    wait_until
from test_swiftbase_mqtt import PASSWORD, TIMEOUT, Broker, Client, _wait_for_port, client_pool


@pytest.fixture(scope="module")
def env(request):
    if _server_kind(request.config) != "swiftbase":
        pytest.skip("Swiftbase's own feature")
    port = _free_port()
    srv = _start_server(request.config, "mqtt-bridge", extra_args=["--mqtt", f"127.0.0.1:{port}"])
    try:
        _wait_for_port(port, srv.proc, srv.log_text)
        api = Api(srv.url, superuser_token(srv.url))
        users = create_collection(api, {"name": "people", "type": "auth", "fields": []})
        people = {}
        for name in ("alice", "bob"):
            email = f"{name}@example.com"
            people[name] = {"email": email, "record": new_record(api, users, email=email, password=PASSWORD,
                                                                 passwordConfirm=PASSWORD)}
        owner_rule = "owner = @request.auth.id"
        notes = create_collection(api, {
            "name": "notes", "listRule": owner_rule, "viewRule": owner_rule, "createRule": "", "updateRule": owner_rule,
            "fields": [{"name": "title", "type": "text"},
                       {"name": "owner", "type": "relation", "collectionId": users["id"], "maxSelect": 1},
                       {"name": "secret", "type": "text", "hidden": True}]})
        readings = create_collection(api, {
            "name": "readings", "createRule": '@request.auth.collectionName = "people"', "listRule": None,
            "fields": [{"name": "device", "type": "text"}, {"name": "celsius", "type": "number"}]})
        r = api.patch("/api/settings", json={"mqtt": {"allowAnonymous": True, "ingest": [
            {"topic": "sensors/+/temperature", "collection": "readings",
             "fields": {"device": "topic[1]", "celsius": "$.value"}}]}})
        assert r.status_code == 200, r.text
        yield {"api": api, "broker": Broker("swiftbase", port, api, srv.port), "people": people, "notes": notes,
               "readings": readings, "srv": srv}
    finally:
        err = srv.stop()
    assert err is None, err


@pytest.fixture()
def clients(env):
    yield from client_pool(lambda protocol=mqtt.MQTTv5, **kwargs: Client(env["broker"], protocol, **kwargs))


def person(env, clients, name, protocol=mqtt.MQTTv5):
    return clients(protocol, username=env["people"][name]["email"], password=PASSWORD)


def owner_id(env, name):
    return env["people"][name]["record"]["id"]


# --------------------------------------------------------------------------- out
@pytest.mark.parametrize("protocol", [mqtt.MQTTv311, mqtt.MQTTv5], ids=["v311", "v5"])
def test_bridge_delivers_only_records_the_subscriber_may_view(env, clients, protocol):
    api = env["api"]
    alice = person(env, clients, "alice", protocol)
    bob = person(env, clients, "bob", protocol)
    su = clients(mqtt.MQTTv5, username="su", password=api.token)
    for c in (alice, bob, su):
        c.subscribe("$swiftbase/records/notes/+", 1)
    alices = new_record(api, env["notes"], title="for alice", owner=owner_id(env, "alice"), secret="s1")
    bobs = new_record(api, env["notes"], title="for bob", owner=owner_id(env, "bob"), secret="s2")

    m = alice.next()
    assert m.topic == "$swiftbase/records/notes/create"
    body = json.loads(m.payload)
    assert body["id"] == alices["id"] and body["title"] == "for alice"
    assert "secret" not in body  # hidden fields stay hidden, as in the REST API
    assert body["collectionName"] == "notes"
    # Bob's first message is his own note: Alice's never reached him.
    assert json.loads(bob.next().payload)["id"] == bobs["id"]
    # Superusers see everything, hidden fields included.
    seen = [json.loads(su.next().payload) for _ in range(2)]
    assert [x["id"] for x in seen] == [alices["id"], bobs["id"]] and seen[0]["secret"] == "s1"

    r = api.patch(f"/api/collections/notes/records/{alices['id']}", json={"title": "renamed"})
    assert r.status_code == 200, r.text
    m = alice.next()
    assert m.topic == "$swiftbase/records/notes/update" and json.loads(m.payload)["title"] == "renamed"
    assert api.delete(f"/api/collections/notes/records/{alices['id']}").status_code == 204
    m = alice.next()
    assert m.topic == "$swiftbase/records/notes/delete" and json.loads(m.payload)["id"] == alices["id"]
    # Bob heard none of it: his next message is the next change to his own note.
    assert api.patch(f"/api/collections/notes/records/{bobs['id']}", json={"title": "b2"}).status_code == 200
    m = bob.next()
    assert m.topic == "$swiftbase/records/notes/update" and json.loads(m.payload)["id"] == bobs["id"]


def test_bridge_topics_go_through_the_acl(env, clients):
    api = env["api"]
    acl = [{"topic": "$swiftbase/records/notes/#", "publish": None, "subscribe": ""}]
    assert api.patch("/api/settings", json={"mqtt": {"acl": acl}}).status_code == 200
    try:
        alice = person(env, clients, "alice")
        subacks = []
        alice.c.on_subscribe = lambda c, u, mid, rcs, props: subacks.append([rc.value for rc in rcs])
        alice.c.subscribe([("$swiftbase/records/notes/create", mqtt.SubscribeOptions(qos=1)),
                           ("$swiftbase/records/people/+", mqtt.SubscribeOptions(qos=1)),
                           ("#", mqtt.SubscribeOptions(qos=1))])
        wait_until(lambda: subacks, timeout=TIMEOUT, what="SUBACK")
        assert subacks[0] == [1, 0x87, 0x87]
    finally:
        assert api.patch("/api/settings", json={"mqtt": {"acl": []}}).status_code == 200


# --------------------------------------------------------------------------- in
def metric(env, name):
    text = env["api"].get("/api/metrics").text
    values = [float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name + " ")]
    return values[0] if values else 0.0


def readings(env, device):
    r = env["api"].get("/api/collections/readings/records", params={"filter": f'device = "{device}"', "perPage": 50})
    assert r.status_code == 200, r.text
    return r.json()["items"]


def test_ingest_creates_records_with_the_publishers_identity(env, clients):
    alice = person(env, clients, "alice")
    alice.publish("sensors/dev-a/temperature", json.dumps({"value": 21.5}), qos=1)
    wait_until(lambda: readings(env, "dev-a"), timeout=TIMEOUT, what="the ingested record")
    (rec,) = readings(env, "dev-a")
    assert rec["celsius"] == 21.5
    # mosquitto_pub as a device of its own, over 3.1.1.
    subprocess.run([shutil.which("mosquitto_pub") or "/usr/bin/mosquitto_pub", "-h", "127.0.0.1", "-p",
                    str(env["broker"].port), "-t", "sensors/dev-b/temperature", "-m", '{"value": -3}', "-q", "1",
                    "-u", env["people"]["bob"]["email"], "-P", PASSWORD], check=True, timeout=TIMEOUT)
    wait_until(lambda: readings(env, "dev-b"), timeout=TIMEOUT, what="the record of mosquitto_pub's message")
    assert readings(env, "dev-b")[0]["celsius"] == -3


def test_ingest_lag_and_queue_are_on_metrics(env, clients):
    before = metric(env, "swiftbase_mqtt_ingest_lag_seconds_count")
    alice = person(env, clients, "alice")
    for i in range(5):
        alice.publish(f"sensors/dev-lag-{i}/temperature", json.dumps({"value": i}), qos=1)
    wait_until(lambda: metric(env, "swiftbase_mqtt_ingest_lag_seconds_count") >= before + 5, timeout=TIMEOUT,
               what="a lag observed per ingested message")
    assert all(readings(env, f"dev-lag-{i}") for i in range(5))
    # Every message committed: none waiting; each took some time, none forever.
    assert metric(env, "swiftbase_mqtt_ingest_queued") == 0
    assert 0 < metric(env, "swiftbase_mqtt_ingest_lag_seconds_sum") < 60


def test_ingest_refused_by_rules_or_bad_payloads_is_counted_not_fatal(env, clients):
    before = metric(env, "swiftbase_mqtt_ingest_failures_total")
    guest = clients(mqtt.MQTTv5)  # createRule wants a person: a guest's message is no record
    guest.publish("sensors/dev-guest/temperature", json.dumps({"value": 1}), qos=1)
    alice = person(env, clients, "alice")
    alice.publish("sensors/dev-bad/temperature", b"not json", qos=1)
    alice.publish("sensors/dev-nofield/temperature", json.dumps({"other": 1}), qos=1)
    wait_until(lambda: metric(env, "swiftbase_mqtt_ingest_failures_total") >= before + 3, timeout=TIMEOUT,
               what="three ingest failures counted")
    # The sessions live on: Alice still publishes, and what she sends still becomes records.
    alice.publish("sensors/dev-after/temperature", json.dumps({"value": 7}), qos=1)
    wait_until(lambda: readings(env, "dev-after"), timeout=TIMEOUT, what="a record after the failures")
    assert not readings(env, "dev-guest") and not readings(env, "dev-bad") and not readings(env, "dev-nofield")


def test_ingest_routes_are_validated(env):
    r = env["api"].patch("/api/settings", json={"mqtt": {"ingest": [
        {"topic": "a/#/b", "collection": "nope", "fields": {"device": "topic[x]"}},
        {"topic": "ok/+", "collection": "readings", "fields": {"missing": "$.v", "device": "value"}}]}})
    assert r.status_code == 400, r.text
    e = r.json()["data"]["mqtt"]["ingest"]
    assert e["0"]["topic"]["code"] == "validation_invalid_topic"
    assert e["0"]["collection"]["code"] == "validation_invalid_collection"
    assert e["1"]["fields"]["missing"]["code"] == "validation_unknown_field"
    assert e["1"]["fields"]["device"]["code"] == "validation_invalid_source"


def test_bridge_queues_for_an_offline_persistent_session(env, clients):
    api = env["api"]
    alice = Client(env["broker"], mqtt.MQTTv5, client_id="bridge-alice-offline", clean=False, session_expiry=600,
                   username=env["people"]["alice"]["email"], password=PASSWORD)
    alice.connect()
    alice.subscribe("$swiftbase/records/notes/create", 1)
    alice.close()
    bobs = new_record(api, env["notes"], title="not hers", owner=owner_id(env, "bob"))
    hers = new_record(api, env["notes"], title="while offline", owner=owner_id(env, "alice"))

    def queued():
        items = api.get("/api/mqtt/clients").json()["items"]
        return next((x["queued"] for x in items if x["clientId"] == "bridge-alice-offline"), 0)
    wait_until(lambda: queued() >= 1, timeout=TIMEOUT, what="the bridge's message queued for the offline session")
    assert queued() == 1  # Bob's note was not queued for her
    again = Client(env["broker"], mqtt.MQTTv5, client_id="bridge-alice-offline", clean=False, session_expiry=600,
                   username=env["people"]["alice"]["email"], password=PASSWORD)
    try:
        assert again.connect()[0]  # session present
        body = json.loads(again.next().payload)
        assert body["id"] == hers["id"] != bobs["id"]
    finally:
        again.close()

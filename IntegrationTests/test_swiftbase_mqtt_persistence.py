"""Swiftbase's MQTT broker keeps retained messages and persistent sessions across restarts (write-behind into the
data database, flushed once a second and at a graceful stop).

A graceful restart (SIGTERM) and a crash (SIGKILL, after the write-behind stored what the test published, which
the test waits for by reading the stored rows) are both followed by clients that get back what was retained and
what was queued for them at QoS 1 and 2 while they were offline. paho-mqtt 2.2 for 3.1.1 and 5.0."""
import signal
import sqlite3

import paho.mqtt.client as mqtt
import pytest

from conftest import STOP_TIMEOUT, Api, _free_port, _server_kind, _start_server, superuser_token, wait_until
from test_swiftbase_mqtt import TIMEOUT, Broker, Client, _wait_for_port


@pytest.fixture()
def restartable(request):
    if _server_kind(request.config) != "swiftbase":
        pytest.skip("Swiftbase's own feature")
    port = _free_port()
    srv = _start_server(request.config, "mqtt-persist", extra_args=["--mqtt", f"127.0.0.1:{port}"])
    try:
        _wait_for_port(port, srv.proc, srv.log_text)
        api = Api(srv.url, superuser_token(srv.url))
        assert api.patch("/api/settings", json={"mqtt": {"allowAnonymous": True}}).status_code == 200
        yield srv, Broker("swiftbase", port, api, srv.port), port
    finally:
        err = srv.stop()
    assert err is None, err


def restart(srv, port, crash):
    if crash:
        srv.proc.kill()
    else:
        srv.proc.send_signal(signal.SIGTERM)
    srv.proc.wait(timeout=STOP_TIMEOUT)
    srv._serve()
    _wait_for_port(port, srv.proc, srv.log_text)


def stored(srv, table, key):
    """The stored blob of `key` in `table` (`_mqttSessions` by client id, `_mqttRetained` by topic), or None."""
    with sqlite3.connect(f"file:{srv.data_dir / 'data.db'}?mode=ro", uri=True, timeout=5) as db:
        try:
            column = "clientId" if table == "_mqttSessions" else "topic"
            row = db.execute(f'SELECT * FROM "{table}" WHERE "{column}" = ?', (key,)).fetchone()
        except sqlite3.OperationalError:
            return None
    return row[1] if row else None


@pytest.mark.parametrize("crash", [False, True], ids=["sigterm", "kill-9"])
def test_retained_and_queued_messages_survive_a_restart(restartable, crash):
    srv, broker, port = restartable
    v311 = Client(broker, mqtt.MQTTv311, client_id="persist-v311", clean=False)
    v5 = Client(broker, mqtt.MQTTv5, client_id="persist-v5", clean=False, session_expiry=3600)
    for c in (v311, v5):
        c.connect()
        c.subscribe("plant/#", 2)
        c.close()
    pub = Client(broker, mqtt.MQTTv5)
    pub.connect()
    pub.publish("plant/config", b"retained-config", qos=1, retain=True)
    pub.publish("plant/a", b"qos1-message", qos=1)
    pub.publish("plant/b", b"qos2-message", qos=2)
    pub.close()
    if crash:
        # The write-behind stores within about a second; the crash comes after it did.
        wait_until(lambda: stored(srv, "_mqttRetained", "plant/config") is not None
                   and all(b"qos2-message" in (stored(srv, "_mqttSessions", c) or b"")
                           for c in ("persist-v311", "persist-v5")),
                   timeout=TIMEOUT, what="the MQTT state stored")
    restart(srv, port, crash)

    for client_id, protocol in [("persist-v311", mqtt.MQTTv311), ("persist-v5", mqtt.MQTTv5)]:
        c = Client(broker, protocol, client_id=client_id, clean=False, session_expiry=3600)
        session_present, _ = c.connect()
        assert session_present, client_id
        got = {}
        for _ in range(3):
            m = c.next()
            got[m.topic] = (m.payload, m.qos, m.retain)
        # Queued while offline, each at the QoS it was published with; the retained one went out at subscribe
        # (before the restart), so here it is a plain copy.
        assert got == {"plant/config": (b"retained-config", 1, False), "plant/a": (b"qos1-message", 1, False),
                       "plant/b": (b"qos2-message", 2, False)}, client_id
        c.close()

    fresh = Client(broker, mqtt.MQTTv5)
    fresh.connect()
    fresh.subscribe("plant/config", 1)
    m = fresh.next()
    assert (m.payload, m.retain) == (b"retained-config", True)
    fresh.close()


def test_inflight_messages_are_resent_after_a_restart(restartable):
    """A QoS 1 message sent and not acknowledged before the stop comes again (DUP) to the resumed session."""
    srv, broker, port = restartable
    sub = Client(broker, mqtt.MQTTv5, client_id="persist-inflight", clean=False, session_expiry=3600)
    sub.connect()
    sub.subscribe("inflight/#", 1)
    sub.c.loop_stop()  # stop reading: nothing is acknowledged
    pub = Client(broker, mqtt.MQTTv5)
    pub.connect()
    pub.publish("inflight/x", b"unacked", qos=1)
    pub.close()
    wait_until(lambda: b"unacked" in (stored(srv, "_mqttSessions", "persist-inflight") or b""),
               timeout=TIMEOUT, what="the in-flight message stored")
    sub.c.socket().close()
    restart(srv, port, crash=False)
    again = Client(broker, mqtt.MQTTv5, client_id="persist-inflight", clean=False, session_expiry=3600)
    assert again.connect()[0]
    m = again.next()
    assert (m.topic, m.payload, m.qos) == ("inflight/x", b"unacked", 1)
    again.close()


def test_clean_sessions_are_not_kept(restartable):
    srv, broker, port = restartable
    c = Client(broker, mqtt.MQTTv311, client_id="persist-clean", clean=True)
    c.connect()
    c.subscribe("clean/#", 1)
    keep = Client(broker, mqtt.MQTTv311, client_id="persist-kept", clean=False)
    keep.connect()
    keep.subscribe("clean/#", 1)
    wait_until(lambda: stored(srv, "_mqttSessions", "persist-kept") is not None, timeout=TIMEOUT,
               what="the persistent session stored")
    assert stored(srv, "_mqttSessions", "persist-clean") is None
    c.close()
    keep.close()
    restart(srv, port, crash=False)
    clients = broker.api.get("/api/mqtt/clients").json()["items"]
    ids = {x["clientId"]: x for x in clients}
    assert "persist-clean" not in ids
    assert ids["persist-kept"]["subscriptions"] == ["clean/#"] and not ids["persist-kept"]["connected"]

"""The MQTT benchmark's load generator (`Benchmarks/compare/mqtt_client/mqtt_client.c`) is trustworthy: what it
publishes is what a real client (paho-mqtt) receives, what it counts is what arrived, its pacing is honoured, and its
idle connections are really connected. Run against Swiftbase's broker and Debian's Mosquitto, the two brokers the
benchmark compares. No fixed sleeps: every wait is a bounded wait on a condition."""
import queue
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from conftest import Api, _free_port, _start_server, superuser_token, wait_until
from test_swiftbase_mqtt import _wait_for_port

SOURCE = Path(__file__).resolve().parent.parent / "Benchmarks" / "compare" / "mqtt_client" / "mqtt_client.c"
TOPIC = "bench/mqtt"  # the one topic the load generator uses
TIMEOUT = 20


@pytest.fixture(scope="module")
def load_generator(tmp_path_factory):
    out = tmp_path_factory.mktemp("mqtt-client") / "mqtt_client"
    # cc where there is one; else the Swift toolchain's clang, which every machine building Swiftbase has.
    compiler = shutil.which("cc") or shutil.which("clang")
    assert compiler, "no C compiler on PATH (cc or clang) to build the load generator"
    subprocess.run([compiler, "-O2", "-Wall", "-Werror", "-o", str(out), str(SOURCE)], check=True)
    return str(out)


@pytest.fixture(scope="module", params=["swiftbase", "mosquitto"])
def broker(request):
    """(kind, MQTT port, superuser Api or None) of a broker allowing anonymous clients."""
    port = _free_port()
    if request.param == "mosquitto":
        binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        tmp = Path(tempfile.mkdtemp(prefix="sb-it-bench-mosquitto-"))
        conf = tmp / "mosquitto.conf"
        # sys_interval 1: $SYS/broker/clients/connected is published every second (it counts the idle clients)
        conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nsys_interval 1\n")
        proc = subprocess.Popen([binary, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                stdin=subprocess.DEVNULL)
        try:
            _wait_for_port(port, proc, lambda: "(mosquitto's output is not kept)")
            yield "mosquitto", port, None
        finally:
            proc.terminate()
            proc.wait(timeout=10)
            shutil.rmtree(tmp, ignore_errors=True)
        return
    srv = _start_server(request.config, "mqtt-bench", extra_args=["--mqtt", f"127.0.0.1:{port}"])
    try:
        _wait_for_port(port, srv.proc, srv.log_text)
        api = Api(srv.url, superuser_token(srv.url))
        assert api.patch("/api/settings", json={"mqtt": {"allowAnonymous": True}}).status_code == 200
        yield "swiftbase", port, api
    finally:
        err = srv.stop()
    assert err is None, err


@pytest.fixture()
def listener(broker):
    """A paho subscriber of the load generator's topic (QoS 1), connected and subscribed (SUBACK in)."""
    messages, acks = queue.Queue(), queue.Queue()
    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="it-" + uuid.uuid4().hex[:12])
    c.on_connect = lambda *_: acks.put("connack")
    c.on_subscribe = lambda *_: acks.put("suback")
    c.on_message = lambda _c, _u, msg: messages.put(msg)
    c.connect("127.0.0.1", broker[1], keepalive=30)
    c.loop_start()
    assert acks.get(timeout=TIMEOUT) == "connack"
    c.subscribe(TOPIC, 1)
    assert acks.get(timeout=TIMEOUT) == "suback"
    yield messages
    c.disconnect()
    c.loop_stop()


def flow(generator, port, qos, publishers, per_publisher, subscribers, rate=0, payload=32):
    done = subprocess.run([generator, "flow", str(port), str(qos), str(publishers), str(per_publisher),
                           str(subscribers), str(rate), str(payload), "30"],
                          capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr
    figures = {}
    for line in done.stdout.splitlines():
        key, value = line.split()
        figures[key] = float(value)
    return figures


@pytest.mark.parametrize("qos", [0, 1])
def test_what_it_publishes_a_real_client_receives_and_it_counts_what_arrived(load_generator, broker, listener, qos):
    before = time.monotonic_ns()
    figures = flow(load_generator, broker[1], qos, publishers=3, per_publisher=4, subscribers=2, payload=40)
    after = time.monotonic_ns()
    assert figures["sent"] == 12
    assert figures["acked"] == (12 if qos else 0)  # a PUBACK per QoS 1 publish, none for QoS 0
    assert figures["expected"] == 24 and figures["delivered"] == 24  # its own 2 subscribers got every message
    assert 0 < figures["p50_ms"] <= figures["p99_ms"] <= figures["max_ms"] < (after - before) / 1e6
    assert figures["cpu_s"] > 0
    received = [listener.get(timeout=TIMEOUT) for _ in range(12)]
    for msg in received:
        assert msg.topic == TOPIC and msg.qos == qos and len(msg.payload) == 40
        # The payload opens with its CLOCK_MONOTONIC send time (Python's monotonic clock on Linux), host order.
        sent_at = int.from_bytes(msg.payload[:8], "little", signed=True)
        assert before <= sent_at <= after
        assert msg.payload[8:] == b"x" * 32


def test_pacing_spreads_the_messages_at_the_rate(load_generator, broker, listener):
    # 20 messages at 40/s: the last goes out 19/40 s after the first, however fast the broker is.
    figures = flow(load_generator, broker[1], 0, publishers=2, per_publisher=10, subscribers=1, rate=40)
    assert figures["delivered"] == 20
    times = sorted(int.from_bytes(listener.get(timeout=TIMEOUT).payload[:8], "little") for _ in range(20))
    assert (times[-1] - times[0]) / 1e9 >= 19 / 40 - 0.001


def connected_counter(broker):
    """A function answering how many clients the broker counts as connected, besides any paho client of this one:
    Swiftbase's `GET /api/mqtt/clients` (clients named bench-…), Mosquitto's `$SYS/broker/clients/connected`
    (published every second, so a count is at most a second old)."""
    kind, port, api = broker
    if kind == "swiftbase":
        def count():
            r = api.get("/api/mqtt/clients")
            assert r.status_code == 200, r.text
            return sum(1 for c in r.json()["items"] if c["clientId"].startswith("bench-") and c["connected"])
        return count, lambda: None
    latest = {}
    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="it-" + uuid.uuid4().hex[:12])
    c.on_message = lambda _c, _u, msg: latest.update(value=int(msg.payload))
    c.connect("127.0.0.1", port, keepalive=30)
    c.loop_start()
    c.subscribe("$SYS/broker/clients/connected")
    wait_until(lambda: "value" in latest, timeout=TIMEOUT, what="Mosquitto's $SYS connected count")

    def stop():
        c.disconnect()
        c.loop_stop()
    return (lambda: latest["value"] - 1), stop  # less the paho client reading it


def test_idle_connections_are_connected_until_released(load_generator, broker):
    count, stop_counting = connected_counter(broker)
    proc = subprocess.Popen([load_generator, "idle", str(broker[1]), "300", "60"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"  # every CONNACK is in
        wait_until(lambda: count() == 300, timeout=TIMEOUT, what="300 connected idle clients")
        out, _ = proc.communicate("\n", timeout=30)
        assert out.startswith("cpu_s ")
        wait_until(lambda: count() == 0, timeout=TIMEOUT, what="idle clients to be gone")
    finally:
        stop_counting()
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)

"""Realtime (SSE) — §7: `GET /api/realtime` framing and headers, `POST /api/realtime` (validation, client
lookup, auth pinning, topic limits), record events for every topic form, list/view rules evaluated for
the client's auth, per-topic `?options=` (filter, expand, fields, headers, query), `@request.context`,
the Python SDK's subscribe/subscribe_one/unsubscribe and auth changes of connected clients.

Every expectation below was observed on PocketBase 0.40.6.

Negative checks ("not delivered") are made deterministic with a marker: every stream is also
subscribed to `<markers>/*` (public rules); `Realtime.drain(stream)` creates one marker record and
returns every event the stream received before that marker's create event. A server that wrongly
delivered something sends it before the marker, so no test sleeps to prove an absence (the few that
need silence, like the SDK after `unsubscribe()`, wait 0.5 s).
"""
from __future__ import annotations

import http.client
import json
import queue
import re
import socket
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field

import pytest
import requests
from pocketbase import PocketBase
from pocketbase.services import realtime_service, sse

from conftest import assert_error, create_collection, unique_name, new_record, records

TIMEOUT = 5.0                 # every wait is bounded by this
PASSWORD = "Secret-pass-1234"
NEW_PASSWORD = "Another-pass-5678"
GENERIC_400 = "Something went wrong while processing your request."
BAD_CLIENT = "Missing or invalid client id."
AUTH_MISMATCH = "The current and the previous request authorization don't match."
INVALID_CLIENT = "Invalid realtime client."
OWNER = "owner = @request.auth.id"
CLIENT_ID = re.compile(r"[A-Za-z0-9]{40}")


# =========================================================================== raw SSE client
@dataclass
class Event:
    """One SSE frame (the lines up to a blank line), parsed as the SSE spec says: `field:value`, a single
    space after the colon is dropped, `data` lines are joined with "\\n", lines starting with `:` are
    comments. `raw` is the frame's exact bytes including the terminating blank line."""
    raw: bytes
    id: str | None = None
    event: str | None = None
    data: str | None = None
    retry: str | None = None
    comments: list = field(default_factory=list)

    @classmethod
    def parse(cls, lines: list[bytes]) -> "Event":
        ev = cls(raw=b"".join(lines))
        data = []
        for line in lines:
            text = line.decode("utf-8").rstrip("\r\n")
            if text == "":
                continue
            if text.startswith(":"):
                ev.comments.append(text[1:])
                continue
            name, _, value = text.partition(":")
            if value.startswith(" "):
                value = value[1:]
            if name == "data":
                data.append(value)
            elif name in ("id", "event", "retry"):
                setattr(ev, name, value)
        ev.data = "\n".join(data) if data else None
        return ev

    @property
    def json(self):
        return json.loads(self.data)

    @property
    def action(self) -> str:
        return self.json["action"]

    @property
    def record(self) -> dict:
        return self.json["record"]

    def assert_pocketbase_framing(self, client_id: str) -> None:
        """PocketBase writes exactly `id:<clientId>\\nevent:<name>\\ndata:<json>\\n\\n` — no spaces after
        the colons, no retry/comment lines, one data line, the id is always the client id."""
        assert self.id == client_id, self.raw
        assert self.event is not None and self.data is not None, self.raw
        expected = (f"id:{client_id}\nevent:{self.event}\ndata:{self.data}\n\n").encode()
        assert self.raw == expected, self.raw

    def summary(self):
        return (self.event, self.action, self.record.get("id"))

    def __repr__(self):
        return f"Event({self.raw!r})"


class SSEStream:
    """A raw `GET /api/realtime` on http.client (so the source address can be chosen). The first
    frame (PB_CONNECT) is read synchronously; afterwards a daemon thread reads frames into a queue.
    Always close() it (the `rt` fixture does): the socket is shut down and the thread joined."""

    def __init__(self, base_url: str, *, headers: dict | None = None, source_address=None):
        u = urllib.parse.urlsplit(base_url)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=TIMEOUT,
                                               source_address=source_address)
        self.raw = bytearray()          # every body byte received (de-chunked)
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self.first: Event | None = None
        self.client_id: str | None = None
        try:
            self.conn.request("GET", "/api/realtime", headers=headers or {})
            self.resp = self.conn.getresponse()
            self.status = self.resp.status
            self.headers = self.resp.headers
            if self.status == 200:
                frame = self._read_frame()
                assert frame is not None, f"stream ended before PB_CONNECT: {bytes(self.raw)!r}"
                self.first = Event.parse(frame)
                self.client_id = self.first.id
                self.conn.sock.settimeout(None)  # the reader blocks; close() unblocks it
                self._thread = threading.Thread(target=self._pump, daemon=True, name="it-sse")
                self._thread.start()
        except BaseException:
            self.close()
            raise

    def _read_frame(self) -> list[bytes] | None:
        lines = []
        while True:
            line = self.resp.readline()
            if not line:
                return None
            self.raw += line
            lines.append(line)
            if line in (b"\n", b"\r\n"):
                return lines

    def _pump(self) -> None:
        while True:
            try:
                frame = self._read_frame()
            except Exception as e:  # closed under our feet
                self._queue.put(e)
                return
            if frame is None:
                self._queue.put(None)
                return
            self._queue.put(Event.parse(frame))

    def next(self, timeout: float = TIMEOUT) -> Event:
        try:
            item = self._queue.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no SSE frame within {timeout}s (client {self.client_id})") from None
        if item is None or isinstance(item, Exception):
            raise AssertionError(f"SSE stream ended: {item!r}")
        return item

    def assert_silent(self, seconds: float) -> None:
        try:
            item = self._queue.get(timeout=seconds)
        except queue.Empty:
            return
        raise AssertionError(f"unexpected SSE frame: {getattr(item, 'raw', item)!r}")

    def close(self) -> None:
        sock = getattr(self.conn, "sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(TIMEOUT)
            assert not self._thread.is_alive(), "SSE reader thread did not stop"
        self.conn.close()


class Realtime:
    """Per-test realtime helper: opens streams (closed at teardown), posts subscriptions and drains
    events up to a marker."""

    def __init__(self, server, su_token: str, markers: dict):
        self.url = server.url
        self.su = su_token
        self.markers = markers
        self.marker_topic = f"{markers['name']}/*"
        self.http = requests.Session()
        self.streams: list[SSEStream] = []

    def connect(self, **kw) -> SSEStream:
        s = SSEStream(self.url, **kw)
        self.streams.append(s)
        assert s.status == 200, s.status
        return s

    def post(self, body, token: str | None = None, **kw) -> requests.Response:
        headers = dict(kw.pop("headers", None) or {})
        if token:
            headers["Authorization"] = token
        return self.http.post(self.url + "/api/realtime", json=body, headers=headers,
                              timeout=TIMEOUT, **kw)

    def subscribe(self, stream: SSEStream, topics, token: str | None = None, *, marker=True, **kw):
        subs = list(topics) + ([self.marker_topic] if marker else [])
        r = self.post({"clientId": stream.client_id, "subscriptions": subs}, token, **kw)
        assert r.status_code == 204, r.text
        return r

    def drain(self, stream: SSEStream) -> list[Event]:
        """Create a marker record; return every event `stream` got before its create event (marker
        events of earlier drains are skipped). Also checks PocketBase's framing of every event."""
        r = self.http.post(f"{self.url}/api/collections/{self.markers['name']}/records",
                           json={"note": "marker"}, timeout=TIMEOUT)
        assert r.status_code == 200, r.text
        marker_id = r.json()["id"]
        got = []
        deadline = time.monotonic() + TIMEOUT
        while True:
            ev = stream.next(max(0.01, deadline - time.monotonic()))
            ev.assert_pocketbase_framing(stream.client_id)
            if ev.event == self.marker_topic:
                if ev.record["id"] == marker_id:
                    return got
                continue
            got.append(ev)

    def close(self) -> None:
        for s in self.streams:
            s.close()
        self.http.close()


# =========================================================================== fixtures / helpers
@pytest.fixture(scope="module")
def markers(api):
    return create_collection(api, {"name": unique_name("rt_markers"), "listRule": "", "viewRule": "",
                                   "createRule": "", "fields": [{"name": "note", "type": "text"}]})


@pytest.fixture()
def rt(server, su_token, markers):
    helper = Realtime(server, su_token, markers)
    yield helper
    helper.close()


@pytest.fixture(scope="module")
def people(api):
    """An auth collection every identity can list/view; `secret` is hidden; admins manage."""
    return create_collection(api, {
        "name": unique_name("rt_people"), "type": "auth", "listRule": "", "viewRule": "",
        "manageRule": '@request.auth.role = "admin"',
        "fields": [{"name": "role", "type": "text"}, {"name": "nick", "type": "text"},
                   {"name": "secret", "type": "text", "hidden": True}]})


def update(api, coll, rid, **data) -> dict:
    r = api.patch(f"{records(coll)}/{rid}", json=data)
    assert r.status_code == 200, r.text
    return r.json()


def delete(api, coll, rid) -> None:
    r = api.delete(f"{records(coll)}/{rid}")
    assert r.status_code == 204, r.text


def view_as(api, coll, rid, token):
    headers = {"Authorization": token} if token else {}
    r = api.get(f"{records(coll)}/{rid}", auth=False, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def login(api, coll, email, password=PASSWORD) -> str:
    r = api.post(f"/api/collections/{coll['name']}/auth-with-password", auth=False,
                 json={"identity": email, "password": password})
    assert r.status_code == 200, r.text
    return r.json()["token"]


def new_user(api, coll, **fields) -> dict:
    email = f"{uuid.uuid4().hex[:12]}@example.com"
    rec = new_record(api, coll, email=email, password=PASSWORD, passwordConfirm=PASSWORD, **fields)
    return {"id": rec["id"], "email": email, "token": login(api, coll, email), "record": rec}


def make_coll(api, prefix, fields=None, **rules) -> dict:
    base = {"listRule": "", "viewRule": "", "createRule": "", "updateRule": "", "deleteRule": ""}
    base.update(rules)
    return create_collection(api, {"name": unique_name(prefix), **base,
                                   "fields": fields or [{"name": "title", "type": "text"}]})


def opts(**options) -> str:
    """The `?options=` suffix the JS SDK builds: URL-encoded compact JSON."""
    return "?options=" + urllib.parse.quote(json.dumps(options, separators=(",", ":")), safe="")


def summaries(events) -> list:
    return [e.summary() for e in events]


# =========================================================================== 1. connection
def test_connect_headers_and_pb_connect_frame(rt):
    s = rt.connect()
    assert s.headers["Content-Type"] == "text/event-stream"
    assert s.headers["Cache-Control"] == "no-store"
    assert s.headers["X-Accel-Buffering"] == "no"
    assert CLIENT_ID.fullmatch(s.client_id), s.client_id
    first = s.first
    assert first.event == "PB_CONNECT" and first.id == s.client_id
    assert first.json == {"clientId": s.client_id}
    # byte-exact: no space after the colons, no retry/comment lines, one blank line
    assert first.raw == (f"id:{s.client_id}\nevent:PB_CONNECT\n"
                         f'data:{{"clientId":"{s.client_id}"}}\n\n').encode()
    assert bytes(s.raw) == first.raw


def test_no_heartbeat_and_unique_client_ids(rt):
    a, b = rt.connect(), rt.connect()
    assert a.client_id != b.client_id
    a.assert_silent(1.0)                       # no ping / comment / retry frames
    assert bytes(a.raw) == a.first.raw


def test_stream_auth_header_is_ignored(rt, api):
    """The GET carries no auth context: only the POST's Authorization counts."""
    locked = make_coll(api, "rt_locked_get", listRule=None, viewRule=None)
    s = rt.connect(headers={"Authorization": rt.su})
    rt.subscribe(s, [f"{locked['name']}/*"])  # as guest
    new_record(api, locked, title="hidden")
    assert rt.drain(s) == []
    rt.subscribe(s, [f"{locked['name']}/*"], rt.su)  # guest -> superuser is an allowed upgrade
    rec = new_record(api, locked, title="seen")
    assert summaries(rt.drain(s)) == [(f"{locked['name']}/*", "create", rec["id"])]


# =========================================================================== 2. POST /api/realtime
def test_subscribe_answers_204_without_body(rt):
    s = rt.connect()
    r = rt.post({"clientId": s.client_id, "subscriptions": ["anything/*"]})
    assert r.status_code == 204 and r.content == b""
    assert "Content-Type" not in r.headers


def test_unknown_client_id(rt):
    for cid in ("nope", "x" * 40):
        assert_error(rt.post({"clientId": cid, "subscriptions": []}), 404, BAD_CLIENT, {})


def test_client_id_validation(rt):
    required = {"clientId": {"code": "validation_required", "message": "Cannot be blank."}}
    for body in ({"subscriptions": []}, {"clientId": "", "subscriptions": []}, {"clientId": None}, {}):
        assert_error(rt.post(body), 400, GENERIC_400, required)
    too_long = {"clientId": {"code": "validation_length_out_of_range",
                             "message": "The length must be between 1 and 255.",
                             "params": {"max": 255, "min": 1}}}
    assert_error(rt.post({"clientId": "x" * 256}), 400, GENERIC_400, too_long)
    assert_error(rt.post({"clientId": "é" * 128}), 400, GENERIC_400, too_long)  # UTF-8 bytes count
    # 255 bytes pass the validation and then fail the lookup
    for cid in ("x" * 255, "é" * 127 + "a"):
        assert_error(rt.post({"clientId": cid}), 404, BAD_CLIENT, {})


def test_malformed_bodies(rt):
    s = rt.connect()
    r = rt.http.post(rt.url + "/api/realtime", data=b"{bad", timeout=TIMEOUT,
                     headers={"Content-Type": "application/json"})
    assert_error(r, 400, GENERIC_400, {})
    for body in ({"clientId": 5}, {"clientId": s.client_id, "subscriptions": "x"},
                 {"clientId": s.client_id, "subscriptions": [1]}):
        assert_error(rt.post(body), 400, GENERIC_400, {})


def test_topic_limits(rt):
    s = rt.connect()
    cid = s.client_id
    too_many = {"subscriptions": {"code": "validation_length_too_long",
                                  "message": "The length must be no more than 1000.",
                                  "params": {"max": 1000, "min": 0}}}
    assert_error(rt.post({"clientId": cid, "subscriptions": ["a"] * 1001}), 400, GENERIC_400, too_many)
    # the count check wins over the per-topic check
    assert_error(rt.post({"clientId": cid, "subscriptions": ["a"] * 1001 + ["b" * 2501]}),
                 400, GENERIC_400, too_many)
    assert rt.post({"clientId": cid, "subscriptions": ["a"] * 1000}).status_code == 204  # dups count
    long_topic = {"code": "validation_length_too_long", "message": "The length must be no more than 2500.",
                  "params": {"max": 2500, "min": 0}}
    r = rt.post({"clientId": cid, "subscriptions": ["a", "b" * 2501, "c" * 2501]})
    assert_error(r, 400, GENERIC_400, {"subscriptions": {"1": long_topic, "2": long_topic}})
    assert rt.post({"clientId": cid, "subscriptions": ["b" * 2500]}).status_code == 204
    # the length is counted in UTF-8 bytes, not characters
    assert rt.post({"clientId": cid, "subscriptions": ["é" * 1250]}).status_code == 204
    assert rt.post({"clientId": cid, "subscriptions": ["😀" * 625]}).status_code == 204
    for topic in ("é" * 1251, "a" + "é" * 1250, "😀" * 626):
        assert_error(rt.post({"clientId": cid, "subscriptions": [topic]}), 400, GENERIC_400,
                     {"subscriptions": {"0": long_topic}})


def test_form_encoded_body(rt, api):
    """The body is bound like any PocketBase form: urlencoded with repeated keys works too."""
    a, b = make_coll(api, "rt_form_a"), make_coll(api, "rt_form_b")
    s = rt.connect()
    r = rt.http.post(rt.url + "/api/realtime", timeout=TIMEOUT, data={
        "clientId": s.client_id, "subscriptions": [f"{a['name']}/*", f"{b['name']}/*", rt.marker_topic]})
    assert r.status_code == 204, r.text
    ra, rb = new_record(api, a, title="a"), new_record(api, b, title="b")
    assert summaries(rt.drain(s)) == [(f"{a['name']}/*", "create", ra["id"]),
                                      (f"{b['name']}/*", "create", rb["id"])]


def test_closed_stream_forgets_client(rt):
    s = rt.connect()
    cid = s.client_id
    assert rt.post({"clientId": cid, "subscriptions": []}).status_code == 204
    s.close()
    deadline = time.monotonic() + TIMEOUT
    while True:
        r = rt.post({"clientId": cid, "subscriptions": []})
        if r.status_code == 404 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert_error(r, 404, BAD_CLIENT, {})


def test_other_source_ip_is_rejected(rt):
    """The POST must come from the IP that opened the stream (all of 127/8 is loopback)."""
    try:
        s = rt.connect(source_address=("127.0.0.2", 0))
    except OSError as e:
        pytest.skip(f"cannot use 127.0.0.2 as a source address: {e}")
    assert_error(rt.post({"clientId": s.client_id, "subscriptions": []}), 400, INVALID_CLIENT, {})


def test_empty_or_missing_list_unsubscribes(rt, api):
    coll = make_coll(api, "rt_unsub")
    topic = f"{coll['name']}/*"
    for body_extra in ({"subscriptions": []}, {"subscriptions": None}, {}):
        s = rt.connect()
        rt.subscribe(s, [topic])
        r = rt.post({"clientId": s.client_id, **body_extra})
        assert r.status_code == 204, r.text
        new_record(api, coll, title="nobody listens")
        rt.subscribe(s, [])  # only the marker
        assert rt.drain(s) == []


def test_new_set_replaces_the_old_one(rt, api):
    a, b = make_coll(api, "rt_repl_a"), make_coll(api, "rt_repl_b")
    s = rt.connect()
    rt.subscribe(s, [f"{a['name']}/*"])
    rt.subscribe(s, [f"{b['name']}/*"])
    new_record(api, a, title="a")
    rb = new_record(api, b, title="b")
    assert summaries(rt.drain(s)) == [(f"{b['name']}/*", "create", rb["id"])]


def test_auth_pinning(rt, api, people):
    coll = make_coll(api, "rt_pin", listRule='@request.auth.id != ""')
    topic = f"{coll['name']}/*"
    u1, u2 = new_user(api, people), new_user(api, people)

    s = rt.connect()
    rt.subscribe(s, [topic])                           # guest
    rt.subscribe(s, [topic], u1["token"])              # guest -> user: allowed
    rt.subscribe(s, [topic], login(api, people, u1["email"]))  # same user, other token: allowed
    other_topic = f"{coll['name']}/nothing"
    for token in (u2["token"], None, rt.su):           # any other auth (even none) is refused
        r = rt.post({"clientId": s.client_id, "subscriptions": [other_topic]}, token)
        assert_error(r, 403, AUTH_MISMATCH, {})
    # a refused POST changes nothing: the old topics and auth are still in place
    rec = new_record(api, coll, title="x")
    assert summaries(rt.drain(s)) == [(topic, "create", rec["id"])]

    su = rt.connect()
    rt.subscribe(su, [topic], rt.su)
    assert_error(rt.post({"clientId": su.client_id, "subscriptions": []}, u1["token"]), 403,
                 AUTH_MISMATCH, {})
    # an invalid token is a guest
    assert_error(rt.post({"clientId": su.client_id, "subscriptions": []}, "garbage"), 403,
                 AUTH_MISMATCH, {})


# =========================================================================== 3. events
def test_create_update_delete_on_wildcard(rt, api):
    coll = make_coll(api, "rt_crud", [{"name": "title", "type": "text"}, {"name": "n", "type": "number"}])
    topic = f"{coll['name']}/*"
    s = rt.connect()
    rt.subscribe(s, [topic])

    created = new_record(api, coll, title="one", n=1)
    ev = s.next()
    ev.assert_pocketbase_framing(s.client_id)
    assert ev.event == topic and set(ev.json) == {"action", "record"}
    assert ev.action == "create"
    assert ev.record == view_as(api, coll, created["id"], None)
    assert ev.record == {"collectionId": coll["id"], "collectionName": coll["name"],
                         "id": created["id"], "title": "one", "n": 1}

    update(api, coll, created["id"], title="two")
    ev = s.next()
    ev.assert_pocketbase_framing(s.client_id)
    assert (ev.event, ev.action) == (topic, "update")
    assert ev.record == {**created, "title": "two"}

    delete(api, coll, created["id"])
    ev = s.next()
    ev.assert_pocketbase_framing(s.client_id)
    assert (ev.event, ev.action) == (topic, "delete")
    assert ev.record == {**created, "title": "two"}  # the last state
    assert rt.drain(s) == []


def test_event_data_is_one_line_of_json(rt, api):
    """Newlines and other specials inside values stay escaped: one `data:` line per event."""
    coll = make_coll(api, "rt_json")
    s = rt.connect()
    topic = f"{coll['name']}/*?x=é&options=" + urllib.parse.quote('{"query":{"fields":"id,title"}}')
    rt.subscribe(s, [topic])
    title = 'line1\nline2\r\n<a href="x">&</a> é \u2028 \\ / \t'
    rec = new_record(api, coll, title=title)
    assert rec["title"] == title
    [e] = rt.drain(s)                     # drain() checks the exact frame layout
    assert e.event == topic               # the topic is echoed verbatim, not URL-decoded
    assert e.json == {"action": "create", "record": {"id": rec["id"], "title": title}}


def test_every_topic_form(rt, api):
    """`name/*`, `id/*`, bare `name`/`id`, `name/<rid>`, `id/<rid>`: one event per matching topic."""
    coll = make_coll(api, "rt_forms")
    r1 = new_record(api, coll, title="r1")
    n, i = coll["name"], coll["id"]
    wide = [f"{n}/*", f"{i}/*", n, i]
    one = [f"{n}/{r1['id']}", f"{i}/{r1['id']}"]
    s = rt.connect()
    rt.subscribe(s, wide + one)

    update(api, coll, r1["id"], title="r1b")
    got = rt.drain(s)
    assert sorted(e.event for e in got) == sorted(wide + one)
    assert {(e.action, e.record["id"], e.record["title"]) for e in got} == {("update", r1["id"], "r1b")}

    r2 = new_record(api, coll, title="r2")
    got = rt.drain(s)
    assert sorted(e.event for e in got) == sorted(wide)
    assert {(e.action, e.record["id"]) for e in got} == {("create", r2["id"])}


def test_topics_that_match_nothing(rt, api):
    coll = make_coll(api, "rt_nomatch")
    other = make_coll(api, "rt_nomatch_other")
    n = coll["name"]
    s = rt.connect()
    rt.subscribe(s, [f"{other['name']}/*", f"{n}/notanid1234567", f"{n}/*x", f"{n}/", f"{n}/*/",
                     f"{n}x", n.upper() + "/*", n.upper(), "nonexistent_collection/*", "*", ""])
    new_record(api, coll, title="t")
    assert rt.drain(s) == []


def test_options_suffix_is_part_of_the_event_name(rt, api):
    coll = make_coll(api, "rt_suffix")
    n = coll["name"]
    rec = new_record(api, coll, title="t")
    topics = [f"{n}/*" + opts(), f"{n}/*" + opts(query={"x": "1"}), n + opts(headers={"a": "b"}),
              f"{n}/{rec['id']}" + opts(query={}), f"{n}/*?foo=bar", f"{n}/*?options=notjson", f"{n}/*"]
    s = rt.connect()
    rt.subscribe(s, topics)
    update(api, coll, rec["id"], title="u")
    got = rt.drain(s)
    assert sorted(e.event for e in got) == sorted(topics)
    assert all(e.action == "update" and e.record["title"] == "u" for e in got)


def test_events_follow_commit_order(rt, api):
    coll = make_coll(api, "rt_order")
    topic = f"{coll['name']}/*"
    s = rt.connect()
    rt.subscribe(s, [topic])
    ids = [new_record(api, coll, title=f"t{k}")["id"] for k in range(5)]
    update(api, coll, ids[2], title="changed")
    delete(api, coll, ids[0])
    update(api, coll, ids[4], title="changed")
    expected = [(topic, "create", rid) for rid in ids] + [
        (topic, "update", ids[2]), (topic, "delete", ids[0]), (topic, "update", ids[4])]
    assert summaries(rt.drain(s)) == expected


def test_topics_follow_collection_renames(rt, api):
    """Topics are matched against the collection's current name/id at broadcast time."""
    coll = make_coll(api, "rt_rename")
    old = coll["name"]
    s = rt.connect()
    rt.subscribe(s, [f"{old}/*", f"{coll['id']}/*"])
    new = unique_name("rt_renamed")
    r = api.patch(f"/api/collections/{coll['id']}", json={"name": new})
    assert r.status_code == 200, r.text
    rec = new_record(api, {"name": new}, title="t")
    assert summaries(rt.drain(s)) == [(f"{coll['id']}/*", "create", rec["id"])]


# =========================================================================== 4. rules
@pytest.fixture()
def idents(api, people, rt):
    """Four streams: guest, owner, other, superuser — each authorised by its first POST."""
    owner, other = new_user(api, people, role="user"), new_user(api, people, role="user")
    tokens = {"guest": None, "owner": owner["token"], "other": other["token"], "superuser": rt.su}
    streams = {name: rt.connect() for name in tokens}
    return {"users": {"owner": owner, "other": other}, "tokens": tokens, "streams": streams}


def owned_coll(api, people, prefix, **rules):
    return make_coll(api, prefix, [{"name": "title", "type": "text"},
                                   {"name": "owner", "type": "relation", "collectionId": people["id"]}],
                     **rules)


def test_list_rule_filters_wildcard_and_bare_topics(rt, api, people, idents):
    coll = owned_coll(api, people, "rt_owner_list", listRule=f'@request.auth.id != "" && {OWNER}',
                      viewRule=None)
    n = coll["name"]
    for name, s in idents["streams"].items():
        rt.subscribe(s, [f"{n}/*", n], idents["tokens"][name])
    owner_id, other_id = idents["users"]["owner"]["id"], idents["users"]["other"]["id"]

    rec = new_record(api, coll, title="mine", owner=owner_id)
    update(api, coll, rec["id"], owner=other_id)       # ownership moves: owner no longer matches
    delete(api, coll, rec["id"])
    both = lambda *items: sorted((t, a, rec["id"]) for a in items for t in (f"{n}/*", n))
    got = {name: sorted(summaries(rt.drain(s))) for name, s in idents["streams"].items()}
    assert got == {
        "guest": [],
        "owner": both("create"),
        "other": both("update", "delete"),
        "superuser": both("create", "update", "delete"),
    }


def test_view_rule_for_record_topics(rt, api, people, idents):
    coll = owned_coll(api, people, "rt_owner_view", listRule=None, viewRule=OWNER)
    owner_id = idents["users"]["owner"]["id"]
    rec = new_record(api, coll, title="mine", owner=owner_id)
    n = coll["name"]
    rec_topic = f"{n}/{rec['id']}"
    for name, s in idents["streams"].items():
        rt.subscribe(s, [f"{n}/*", n, rec_topic], idents["tokens"][name])
    update(api, coll, rec["id"], title="changed")
    got = {name: sorted(summaries(rt.drain(s))) for name, s in idents["streams"].items()}
    assert got == {
        "guest": [], "other": [],
        "owner": [(rec_topic, "update", rec["id"])],   # listRule null: nothing on `*`/bare
        "superuser": sorted([(t, "update", rec["id"]) for t in (f"{n}/*", n, rec_topic)]),
    }


def test_null_rules_only_superusers(rt, api, people, idents):
    coll = make_coll(api, "rt_null", listRule=None, viewRule=None)
    rec = new_record(api, coll, title="a")
    n = coll["name"]
    topics = [f"{n}/*", n, f"{n}/{rec['id']}"]
    for name, s in idents["streams"].items():
        rt.subscribe(s, topics, idents["tokens"][name])
    update(api, coll, rec["id"], title="b")
    delete(api, coll, rec["id"])
    got = {name: sorted(summaries(rt.drain(s))) for name, s in idents["streams"].items()}
    assert got == {"guest": [], "owner": [], "other": [],
                   "superuser": sorted((t, a, rec["id"]) for t in topics for a in ("update", "delete"))}


def test_guest_null_owner_trap(rt, api, people, idents):
    """As in the REST API, a guest's @request.auth.id is '' and an empty owner equals it."""
    coll = owned_coll(api, people, "rt_trap", listRule=OWNER)
    s = idents["streams"]["guest"]
    rt.subscribe(s, [f"{coll['name']}/*"])
    unowned = new_record(api, coll, title="unowned")
    new_record(api, coll, title="owned", owner=idents["users"]["owner"]["id"])
    assert summaries(rt.drain(s)) == [(f"{coll['name']}/*", "create", unowned["id"])]


def test_rule_is_evaluated_on_the_new_state(rt, api):
    """Updates are checked after commit: a record that stops matching sends nothing (no 'leave'
    event), one that starts matching arrives as an 'update'; deletes are checked before deletion."""
    coll = make_coll(api, "rt_state", [{"name": "title", "type": "text"}, {"name": "public", "type": "bool"}],
                     listRule="public = true")
    topic = f"{coll['name']}/*"
    s = rt.connect()
    rt.subscribe(s, [topic])
    rec = new_record(api, coll, title="a", public=False)
    assert rt.drain(s) == []
    update(api, coll, rec["id"], public=True)
    update(api, coll, rec["id"], title="b")
    update(api, coll, rec["id"], public=False)
    update(api, coll, rec["id"], title="c")
    assert [(e.action, e.record["title"], e.record["public"]) for e in rt.drain(s)] == [
        ("update", "a", True), ("update", "b", True)]
    delete(api, coll, rec["id"])                    # not visible before the delete: nothing
    pub = new_record(api, coll, title="p", public=True)
    delete(api, coll, pub["id"])
    assert summaries(rt.drain(s)) == [(topic, "create", pub["id"]), (topic, "delete", pub["id"])]


def test_delete_events_only_for_those_who_could_see(rt, api, people, idents):
    coll = owned_coll(api, people, "rt_del", listRule=f'@request.auth.id != "" && {OWNER}')
    rec = new_record(api, coll, title="mine", owner=idents["users"]["owner"]["id"])
    n = coll["name"]
    for name, s in idents["streams"].items():
        rt.subscribe(s, [f"{n}/*"], idents["tokens"][name])
    delete(api, coll, rec["id"])
    got = {name: [(e.action, e.record) for e in rt.drain(s)] for name, s in idents["streams"].items()}
    assert got == {"guest": [], "other": [], "owner": [("delete", rec)], "superuser": [("delete", rec)]}


def test_cascade_deleted_records_use_pre_delete_state(rt, api, people, idents):
    """A cascade-deleted child whose rule goes through the (already deleted) parent is still
    delivered: the delete rules are evaluated outside the delete transaction."""
    parents = owned_coll(api, people, "rt_parents", listRule=OWNER)
    children = make_coll(api, "rt_children", [
        {"name": "title", "type": "text"},
        {"name": "parent", "type": "relation", "collectionId": parents["id"], "cascadeDelete": True}],
        listRule="parent.owner = @request.auth.id")
    owner = idents["users"]["owner"]
    p = new_record(api, parents, title="p", owner=owner["id"])
    c = new_record(api, children, title="c", parent=p["id"])
    s, o = idents["streams"]["owner"], idents["streams"]["other"]
    for stream, token in ((s, owner["token"]), (o, idents["tokens"]["other"])):
        rt.subscribe(stream, [f"{parents['name']}/*", f"{children['name']}/*"], token)
    delete(api, parents, p["id"])
    assert sorted(summaries(rt.drain(s))) == sorted([(f"{parents['name']}/*", "delete", p["id"]),
                                                     (f"{children['name']}/*", "delete", c["id"])])
    assert rt.drain(o) == []


def test_hidden_fields_only_for_superusers(rt, api, idents):
    coll = make_coll(api, "rt_hidden", [{"name": "title", "type": "text"},
                                        {"name": "secret", "type": "text", "hidden": True}])
    for name in ("guest", "superuser"):
        rt.subscribe(idents["streams"][name], [f"{coll['name']}/*"], idents["tokens"][name])
    rec = new_record(api, coll, title="t", secret="s3cr3t")
    assert rec["secret"] == "s3cr3t"      # the superuser's REST answer shows it too
    [g] = rt.drain(idents["streams"]["guest"])
    [su] = rt.drain(idents["streams"]["superuser"])
    assert "secret" not in g.record and g.record["title"] == "t"
    assert su.record == rec


def test_auth_record_email_visibility(rt, api, people):
    """Email in auth-record events: the record itself, managers (manageRule) and superusers always
    see it; others only with emailVisibility. password/tokenKey never appear; hidden fields only
    for superusers."""
    target = new_user(api, people, role="user", secret="pin")
    viewers = {"guest": None, "self": target["token"], "other": new_user(api, people, role="user")["token"],
               "admin": new_user(api, people, role="admin")["token"], "superuser": rt.su}
    streams = {}
    for name, token in viewers.items():
        streams[name] = rt.connect()
        rt.subscribe(streams[name], [f"{people['name']}/{target['id']}"], token)

    update(api, people, target["id"], nick="n1")
    update(api, people, target["id"], emailVisibility=True)
    seen = {}
    for name, s in streams.items():
        events = rt.drain(s)
        assert [e.action for e in events] == ["update", "update"], name
        for e in events:
            assert "password" not in e.record and "tokenKey" not in e.record
            assert ("secret" in e.record) == (name == "superuser"), name
        seen[name] = ["email" in e.record for e in events]
        if name in ("self", "admin", "superuser"):
            assert events[0].record["email"] == target["email"]
        if name == "superuser":
            assert events[1].record == view_as(api, people, target["id"], rt.su)
    assert seen == {"guest": [False, True], "other": [False, True], "self": [True, True],
                    "admin": [True, True], "superuser": [True, True]}


# =========================================================================== 5. options
def test_filter_option(rt, api):
    coll = make_coll(api, "rt_filter", [{"name": "title", "type": "text"}, {"name": "n", "type": "number"}])
    topic = f"{coll['name']}/*" + opts(query={"filter": 'title ~ "yes" && n > 1'})
    s = rt.connect()
    rt.subscribe(s, [topic])
    new_record(api, coll, title="no", n=5)
    new_record(api, coll, title="yes", n=1)
    hit = new_record(api, coll, title="yes!", n=2)
    update(api, coll, hit["id"], n=0)              # stops matching: nothing
    assert summaries(rt.drain(s)) == [(topic, "create", hit["id"])]


def test_filter_option_restrictions(rt, api, people):
    """Non-superusers cannot filter by @request./@collection. (nothing is delivered); superusers can.
    Invalid filters deliver nothing. Hidden fields cannot be filtered, not even by superusers."""
    coll = make_coll(api, "rt_filter2", [{"name": "title", "type": "text"},
                                         {"name": "secret", "type": "text", "hidden": True}])
    n = coll["name"]
    request_filter = f"{n}/*" + opts(query={"filter": '@request.context = "realtime"'})
    collection_filter = f"{n}/*" + opts(query={"filter": f'@collection.{n}.title ?= "t"'})
    bad_filter = f"{n}/*" + opts(query={"filter": "title ~~ ("})
    unknown_field = f"{n}/*" + opts(query={"filter": 'nope = "t"'})
    hidden_filter = f"{n}/*" + opts(query={"filter": 'secret = "s"'})
    plain = f"{n}/*" + opts(query={"filter": 'title = "t"'})
    topics = [request_filter, collection_filter, bad_filter, unknown_field, hidden_filter, plain]
    user = new_user(api, people)
    streams = {"guest": (rt.connect(), None), "user": (rt.connect(), user["token"]),
               "superuser": (rt.connect(), rt.su)}
    for s, token in streams.values():
        rt.subscribe(s, topics, token)
    new_record(api, coll, title="t", secret="s")
    got = {name: sorted(e.event for e in rt.drain(s)) for name, (s, _) in streams.items()}
    assert got == {"guest": [plain], "user": [plain],
                   "superuser": sorted([request_filter, collection_filter, plain])}


def test_expand_option(rt, api):
    authors = make_coll(api, "rt_authors", [{"name": "name", "type": "text"}])
    secrets = make_coll(api, "rt_secret_authors", [{"name": "name", "type": "text"}], viewRule=None)
    posts = make_coll(api, "rt_posts", [
        {"name": "title", "type": "text"},
        {"name": "author", "type": "relation", "collectionId": authors["id"]},
        {"name": "ghost", "type": "relation", "collectionId": secrets["id"]}])
    a = new_record(api, authors, name="Ann")
    g = new_record(api, secrets, name="Hidden")
    topic = f"{posts['name']}/*" + opts(query={"expand": "author,ghost"})
    plain = f"{posts['name']}/*"
    guest, su = rt.connect(), rt.connect()
    rt.subscribe(guest, [topic, plain])
    rt.subscribe(su, [topic], rt.su)
    p = new_record(api, posts, title="p", author=a["id"], ghost=g["id"])
    by_topic = {e.event: e for e in rt.drain(guest)}
    assert set(by_topic) == {topic, plain}
    assert by_topic[topic].record == {**p, "expand": {"author": a}}   # ghost's viewRule is null
    assert "expand" not in by_topic[plain].record
    [e] = rt.drain(su)
    assert e.record == {**p, "expand": {"author": a, "ghost": g}}


def test_fields_option(rt, api):
    authors = make_coll(api, "rt_fauthors", [{"name": "name", "type": "text"}])
    posts = make_coll(api, "rt_fposts", [{"name": "title", "type": "text"}, {"name": "body", "type": "text"},
                                         {"name": "author", "type": "relation", "collectionId": authors["id"]}])
    a = new_record(api, authors, name="Ann")
    n = posts["name"]
    t1 = f"{n}/*" + opts(query={"fields": "id,title"})
    t2 = f"{n}/*" + opts(query={"fields": "title,expand.author.name", "expand": "author"})
    t3 = f"{n}/*" + opts(query={"fields": "body:excerpt(4,true)"})
    s = rt.connect()
    rt.subscribe(s, [t1, t2, t3])
    p = new_record(api, posts, title="p", body="hello world", author=a["id"])
    by_topic = {e.event: e.json for e in rt.drain(s)}
    assert by_topic == {
        t1: {"action": "create", "record": {"id": p["id"], "title": "p"}},
        t2: {"action": "create", "record": {"title": "p", "expand": {"author": {"name": "Ann"}}}},
        t3: {"action": "create", "record": {"body": "hell..."}},
    }


def test_headers_option_in_rules(rt, api):
    coll = make_coll(api, "rt_headers", listRule='@request.headers.x_token = "abc"')
    n = coll["name"]
    good = f"{n}/*" + opts(headers={"X-Token": "abc"})
    snake = f"{n}/*" + opts(headers={"x_token": "abc"})
    wrong = f"{n}/*" + opts(headers={"X-Token": "nope"})
    bare = f"{n}/*"
    # real HTTP headers of the stream or the POST are not used
    s = rt.connect(headers={"X-Token": "abc"})
    rt.subscribe(s, [good, snake, wrong, bare], headers={"X-Token": "abc"})
    new_record(api, coll, title="t")
    assert sorted(e.event for e in rt.drain(s)) == sorted([good, snake])


def test_query_option_in_rules(rt, api):
    coll = make_coll(api, "rt_query", listRule='@request.query.key = "5"')
    n = coll["name"]
    as_string = f"{n}/*" + opts(query={"key": "5"})
    as_number = f"{n}/*" + opts(query={"key": 5})     # values are cast to strings
    other = f"{n}/*" + opts(query={"key": 6})
    none = f"{n}/*"
    s = rt.connect()
    rt.subscribe(s, [as_string, as_number, other, none])
    new_record(api, coll, title="t")
    assert sorted(e.event for e in rt.drain(s)) == sorted([as_string, as_number])


def test_request_context_and_method(rt, api):
    """During realtime @request.context is "realtime" and @request.method is "GET"."""
    live = make_coll(api, "rt_ctx", listRule='@request.context = "realtime" && @request.method = "GET"',
                     viewRule='@request.context = "realtime"')
    rest = make_coll(api, "rt_ctx_default", listRule='@request.context = "default"')
    s = rt.connect()
    rec = new_record(api, live, title="t")
    rt.subscribe(s, [f"{live['name']}/*", f"{live['name']}/{rec['id']}", f"{rest['name']}/*"])
    update(api, live, rec["id"], title="u")
    new_record(api, rest, title="r")
    assert sorted(summaries(rt.drain(s))) == sorted([(f"{live['name']}/*", "update", rec["id"]),
                                                     (f"{live['name']}/{rec['id']}", "update", rec["id"])])
    # the same rule hides the record from the REST API
    r = api.get(records(live), auth=False)
    assert r.status_code == 200 and r.json()["items"] == []
    assert api.get(f"{records(live)}/{rec['id']}", auth=False).status_code == 404


# =========================================================================== 6. the Python SDK
class SdkRealtime:
    """Runs a PocketBase SDK client's realtime in a test: waits until the SDK's subscription POST has
    been answered, collects callback events in a queue, and on close() unsubscribes and stops the
    SDK's reader thread. (SSEClient.close() in pocketbase 0.17.3 only sets a flag the blocked reader
    never sees, so the socket is shut down here.)"""

    def __init__(self, client: PocketBase):
        self.client = client
        self.events: queue.Queue = queue.Queue()
        self._sources = []

    def callback(self, e):
        self.events.put(e)

    def run(self, action) -> None:
        """Call `action()` (a subscribe…) and wait until its POST /api/realtime went through."""
        rt = self.client.realtime
        done, errors = threading.Event(), []
        original = rt._submit_subscriptions

        def wrapped():
            try:
                return original()
            except Exception as e:  # noqa: BLE001 — reported below
                errors.append(e)
                raise
            finally:
                done.set()

        rt._submit_subscriptions = wrapped
        try:
            action()
            assert done.wait(TIMEOUT), "the SDK did not submit its subscriptions"
        finally:
            del rt._submit_subscriptions
        assert not errors, errors
        if rt.event_source is not None and rt.event_source not in self._sources:
            self._sources.append(rt.event_source)

    def next(self, timeout=TIMEOUT):
        try:
            return self.events.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no SDK realtime callback within {timeout}s") from None

    def assert_silent(self, seconds=0.5):
        try:
            e = self.events.get(timeout=seconds)
        except queue.Empty:
            return
        raise AssertionError(f"unexpected SDK realtime event {e.action} {vars(e.record)}")

    def close(self) -> None:
        rt = self.client.realtime
        if rt.subscriptions:
            rt.unsubscribe()
        for source in self._sources:
            loop = source._loop_thread
            loop.kill = True
            for conn in loop.client._transport._pool.connections:
                stream = getattr(getattr(conn, "_connection", None), "_network_stream", None)
                sock = stream.get_extra_info("socket") if stream is not None else None
                if sock is not None:
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
            loop.join(TIMEOUT)
            assert not loop.is_alive(), "the SDK's SSE thread did not stop"
            loop.client.close()


class ListenerFirstSSEClient(sse.SSEClient):
    """The SDK's SSE client, with its reader thread started once the first listener is registered.

    pocketbase 0.17.3 starts the reader in `SSEClient.__init__` and `RealtimeService._connect` adds its
    PB_CONNECT listener only afterwards; the reader drops events nobody listens to. When the reader gets the
    server's first event before the main thread gets to add the listener (a loaded machine, a fast server),
    PB_CONNECT is lost and the SDK never submits its subscriptions — against PocketBase as against us (seen
    here about once in ten runs with both cores busy). What goes over the wire is unchanged."""

    def __init__(self, url, method="GET", headers=None, payload=None, encoding="utf-8"):  # noqa: PLR0913
        self._listeners = {}
        self._loop_thread = sse.EventLoop(url=url, method=method, headers=headers, payload=payload,
                                          encoding=encoding, listeners=self._listeners, name="loop")
        self._loop_thread.daemon = True
        self._reader_started = False

    def add_event_listener(self, event, callback):
        super().add_event_listener(event, callback)
        if not self._reader_started:
            self._reader_started = True
            self._loop_thread.start()


@pytest.fixture()
def sdk(server, monkeypatch):
    monkeypatch.setattr(realtime_service, "SSEClient", ListenerFirstSSEClient)
    made = []

    def make(token: str | None = None) -> SdkRealtime:
        client = PocketBase(server.url, timeout=30)
        if token:
            client.auth_store.save(token, None)
        helper = SdkRealtime(client)
        made.append(helper)
        return helper

    yield make
    for helper in made:
        helper.close()


def test_sdk_subscribe_collection(sdk, api):
    coll = make_coll(api, "rt_sdk")
    h = sdk()
    h.run(lambda: h.client.collection(coll["name"]).subscribe(h.callback))
    assert list(h.client.realtime.subscriptions) == [coll["name"]]   # the bare topic
    assert CLIENT_ID.fullmatch(h.client.realtime.client_id)

    rec = new_record(api, coll, title="a")
    e = h.next()
    assert e.action == "create"
    assert (e.record.id, e.record.title, e.record.collection_name) == (rec["id"], "a", coll["name"])
    update(api, coll, rec["id"], title="b")
    e = h.next()
    assert (e.action, e.record.id, e.record.title) == ("update", rec["id"], "b")
    delete(api, coll, rec["id"])
    e = h.next()
    assert (e.action, e.record.id, e.record.title) == ("delete", rec["id"], "b")

    h.client.collection(coll["name"]).unsubscribe()
    assert h.client.realtime.subscriptions == {} and h.client.realtime.event_source is None
    new_record(api, coll, title="after")
    h.assert_silent()


def test_sdk_subscribe_one(sdk, api):
    coll = make_coll(api, "rt_sdk_one")
    mine, other = new_record(api, coll, title="mine"), new_record(api, coll, title="other")
    h = sdk()
    h.run(lambda: h.client.collection(coll["name"]).subscribe_one(mine["id"], h.callback))
    assert list(h.client.realtime.subscriptions) == [f"{coll['name']}/{mine['id']}"]
    update(api, coll, other["id"], title="x")
    update(api, coll, mine["id"], title="y")
    e = h.next()
    assert (e.action, e.record.id, e.record.title) == ("update", mine["id"], "y")
    delete(api, coll, mine["id"])
    e = h.next()
    assert (e.action, e.record.id) == ("delete", mine["id"])
    h.client.collection(coll["name"]).unsubscribe(mine["id"])
    assert h.client.realtime.event_source is None
    h.assert_silent()


def test_sdk_authenticated_subscription(sdk, api, people):
    """The SDK connects without auth and POSTs its subscriptions with the auth store's token."""
    coll = owned_coll(api, people, "rt_sdk_auth", listRule=f'@request.auth.id != "" && {OWNER}')
    owner, other = new_user(api, people), new_user(api, people)
    h = sdk()
    h.client.collection(people["name"]).auth_with_password(owner["email"], PASSWORD)
    h.run(lambda: h.client.collection(coll["name"]).subscribe(h.callback))
    new_record(api, coll, title="theirs", owner=other["id"])
    mine = new_record(api, coll, title="mine", owner=owner["id"])
    e = h.next()
    assert (e.action, e.record.id, e.record.title) == ("create", mine["id"], "mine")
    h.assert_silent()


# =========================================================================== 7. auth changes
def test_deleted_auth_record_becomes_guest(rt, api, people):
    coll = make_coll(api, "rt_gone", listRule='@request.auth.id != ""')
    topic = f"{coll['name']}/*"
    user, other = new_user(api, people), new_user(api, people)
    s = rt.connect()
    rt.subscribe(s, [topic], user["token"])
    first = new_record(api, coll, title="1")
    assert summaries(rt.drain(s)) == [(topic, "create", first["id"])]
    delete(api, people, user["id"])
    new_record(api, coll, title="2")
    assert rt.drain(s) == []
    # the client is a guest again, so any auth may claim it now
    rt.subscribe(s, [topic], other["token"])
    third = new_record(api, coll, title="3")
    assert summaries(rt.drain(s)) == [(topic, "create", third["id"])]


def test_password_change_clears_client_auth(rt, api, people):
    coll = make_coll(api, "rt_pw", listRule='@request.auth.id != ""')
    topic = f"{coll['name']}/*"
    user = new_user(api, people)
    s = rt.connect()
    rt.subscribe(s, [topic], user["token"])
    update(api, people, user["id"], password=NEW_PASSWORD, passwordConfirm=NEW_PASSWORD)
    new_record(api, coll, title="after password change")
    assert rt.drain(s) == []
    fresh = login(api, people, user["email"], NEW_PASSWORD)
    rt.subscribe(s, [topic], fresh)
    rec = new_record(api, coll, title="re-authed")
    assert summaries(rt.drain(s)) == [(topic, "create", rec["id"])]


def test_auth_record_update_refreshes_client_auth(rt, api, people):
    """An update that keeps the tokenKey replaces the client's auth record: rules see the new values."""
    coll = make_coll(api, "rt_role", listRule='@request.auth.role = "admin"')
    topic = f"{coll['name']}/*"
    user = new_user(api, people, role="user")
    s = rt.connect()
    rt.subscribe(s, [topic], user["token"])
    new_record(api, coll, title="not yet")
    assert rt.drain(s) == []
    update(api, people, user["id"], role="admin")
    rec = new_record(api, coll, title="now")
    assert summaries(rt.drain(s)) == [(topic, "create", rec["id"])]
    update(api, people, user["id"], role="user")
    new_record(api, coll, title="not anymore")
    assert rt.drain(s) == []

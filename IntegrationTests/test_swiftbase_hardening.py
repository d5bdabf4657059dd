"""Swiftbase beyond PocketBase for issue 13 ("no request may stop the server"):

- pages past the end are empty even where PocketBase's page offset wraps around (pages near 2**63),
  also for the audit log;
- a body shorter than its Content-Length never creates a record, even when the bytes that came are a
  whole JSON object (PocketBase creates one);
- sorting on an email hidden by emailVisibility is no oracle: it answers 200 as PocketBase does, but hidden
  emails sort as empty (PocketBase sorts by them for guests);
- connection limits: `--header-timeout SECONDS` (a connection must send a whole request head within
  it), `--idle-timeout SECONDS` (an idle keep-alive connection or a stalled body is closed after it),
  `--max-connections N` (at N open connections the one idle the longest — no request yet, or kept alive
  between requests — is closed to make room; when all are busy new requests get 503 + Retry-After), and a server whose open-files limit is
  too small for its clients keeps serving.
"""
from __future__ import annotations

import errno
import gc
import os
import resource
import selectors
import socket
import time

import pytest
import requests

from conftest import (
    Api, _server_kind, _start_server, assert_error, create_collection, new_record, records,
    superuser_token, unique_name,
)
from test_hardening import (
    BIG_BUT_PARSEABLE, GENERIC_400, HEALTH_REQUEST, INT64_MAX, RawConn, assert_error_shape,
    assert_healthy, list_shape, raw_request,
)

pytestmark = pytest.mark.usefixtures("swiftbase_only")

HEADER_TIMEOUT = 2
IDLE_TIMEOUT = 3
MARGIN = 3.0   # seconds a timeout may be late


# =========================================================================== helpers
def fd_count(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def wait_fd_count_at_most(pid: int, limit: int, within: float) -> int:
    deadline = time.monotonic() + within
    n = fd_count(pid)
    while n > limit and time.monotonic() < deadline:
        time.sleep(0.1)
        n = fd_count(pid)
    return n


def open_connections(port: int, count: int, within: float = 10.0) -> list[socket.socket]:
    """Starts `count` non-blocking connects at once and returns the sockets connected within
    `within` seconds (the others are closed): a server out of descriptors may leave some in the
    kernel's accept queue, which still counts as connected for the client."""
    pending, done = {}, []
    sel = selectors.DefaultSelector()
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            err = s.connect_ex(("127.0.0.1", port))
            if err not in (0, errno.EINPROGRESS):
                s.close()
                continue
            pending[s.fileno()] = s
            sel.register(s, selectors.EVENT_WRITE)
        deadline = time.monotonic() + within
        while pending and time.monotonic() < deadline:
            for key, _ in sel.select(timeout=max(0.0, min(0.2, deadline - time.monotonic()))):
                s = pending.pop(key.fd)
                sel.unregister(s)
                if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                    done.append(s)
                else:
                    s.close()
    finally:
        for s in pending.values():
            s.close()
        sel.close()
    return done


def wait_all_answered_and_closed(socks: list[socket.socket], within: float) -> dict:
    """Reads every socket until the server closes it (EOF or reset) or `within` runs out.
    Returns {socket: bytes received} for the sockets still open at the deadline under key 'open'
    and the bytes of each closed one under key 'closed'."""
    data = {s: b"" for s in socks}
    open_ = set(socks)
    sel = selectors.DefaultSelector()
    for s in socks:
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
    deadline = time.monotonic() + within
    try:
        while open_ and time.monotonic() < deadline:
            for key, _ in sel.select(timeout=max(0.0, min(0.2, deadline - time.monotonic()))):
                s = key.fileobj
                try:
                    chunk = s.recv(65536)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    chunk = b""
                if chunk:
                    data[s] += chunk
                else:
                    open_.discard(s)
                    sel.unregister(s)
    finally:
        sel.close()
    return {"open": [data[s] for s in socks if s in open_],
            "closed": [data[s] for s in socks if s not in open_]}


def close_all(socks):
    for s in socks:
        s.close()


def swiftbase_with(request, label: str, *args, nofile: int | None = None):
    """A dedicated Swiftbase server started with extra `serve` flags (and a hard open-files limit)."""
    if _server_kind(request.config) != "swiftbase":
        pytest.skip("Swiftbase's connection flags")

    def limit_files():
        resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

    srv = _start_server(request.config, label, extra_args=args,
                        preexec_fn=limit_files if nofile else None)
    # a health poll of the start-up that timed out may still hold its connection in a reference
    # cycle; it must not occupy one of the server's connection slots during the tests
    gc.collect()
    return srv


def raw_health(port: int, within: float = 10.0):
    with RawConn(port, connect_timeout=within) as conn:
        return conn.exchange(HEALTH_REQUEST, within=within)


def assert_health_or_busy(resp) -> None:
    """200, or 503 in PocketBase's error envelope with a Retry-After header."""
    assert resp.status in (200, 503), resp.raw[:300]
    if resp.status == 503:
        assert_error_shape(503, resp.headers.get("content-type", ""), resp.body)
        assert resp.headers.get("retry-after", "").isdigit(), resp.headers


# =========================================================================== pages past the end
@pytest.fixture(scope="module")
def pub(api):
    coll = create_collection(api, {"name": unique_name("sbh_pub"), "listRule": "", "viewRule": "",
                                   "fields": [{"name": "title", "type": "text"}]})
    for i in range(3):
        new_record(api, coll, title=f"t{i}")
    return coll


@pytest.mark.parametrize("per_page", ["30", "500", "1000"])
@pytest.mark.parametrize("page", [307445734561825862, 307445734561825863, 2**62, INT64_MAX])
def test_page_past_the_end_is_empty_even_when_the_offset_overflows(guest, api, pub, page, per_page):
    """(page-1)*perPage is past 2**63 here; PocketBase wraps around and answers page 1's items."""
    for client in (guest, api):
        for extra in ({}, {"skipTotal": "1"}):
            r = client.get(records(pub), params={"page": str(page), "perPage": per_page, **extra})
            assert r.status_code == 200, r.text
            body = r.json()
            list_shape(body)
            assert body["page"] == page and body["perPage"] == int(per_page)
            assert body["items"] == [], body


@pytest.mark.parametrize("page", [307445734561825862, INT64_MAX])
def test_collections_page_past_the_end_is_empty(api, page):
    r = api.get("/api/collections", params={"page": str(page)})
    assert r.status_code == 200, r.text
    assert r.json()["page"] == page and r.json()["items"] == []


@pytest.mark.parametrize("page", [1_000_000, 307445734561825862, 2**62, INT64_MAX])
@pytest.mark.parametrize("per_page", ["1", "30", "1000"])
def test_audit_log_huge_page(server, api, page, per_page):
    r = api.get("/api/audit", params={"page": str(page), "perPage": per_page})
    assert r.status_code == 200, r.text
    body = r.json()
    assert {"page", "perPage", "totalItems", "totalPages", "items"} <= set(body)
    assert body["page"] == page and body["perPage"] == int(per_page) and body["items"] == []
    assert_healthy(server)


@pytest.mark.parametrize("value", [str(2**63), str(2**64), "9" * 40, "1e309", "NaN", "abc"])
@pytest.mark.parametrize("param", ["page", "perPage"])
def test_audit_log_page_outside_int64_is_400(server, api, param, value):
    assert_error(api.get("/api/audit", params={param: value}), 400, GENERIC_400, {})
    assert_healthy(server)


@pytest.mark.parametrize("page", ["0", "-1", str(-2**63)])
def test_audit_log_page_below_one_is_page_one(api, page):
    r = api.get("/api/audit", params={"page": page, "perPage": "1"})
    assert r.status_code == 200, r.text
    assert r.json()["page"] == 1 and len(r.json()["items"]) == 1


# =========================================================================== parse-layer limits
@pytest.mark.parametrize("case", sorted(BIG_BUT_PARSEABLE))
def test_head_limit_errors_close_the_connection(server, pub, case):
    """Where Swiftbase's head limits are smaller than PocketBase's 1 MiB, the 414/431 it answers ends the
    connection (the rest of the head is unread); a normal answer keeps it usable."""
    build, _ = BIG_BUT_PARSEABLE[case]
    with RawConn(server.port) as conn:
        resp = conn.exchange(build(pub))
        assert resp.status is not None and resp.status < 500, resp.raw[:300]
        if resp.status in (414, 431):
            assert conn.closed_within(5.0)
        elif not resp.closed:
            assert conn.exchange(HEALTH_REQUEST).status in (200, None)
    assert_healthy(server)


# =========================================================================== short bodies
def test_complete_json_in_a_short_body_creates_nothing(server, api, su_token):
    """The 13 bytes sent are a whole JSON object, but 1000 were announced and the client half-closes:
    a 400, no record (PocketBase 0.40.6 creates the record: its JSON decoder stops after the object)."""
    coll = create_collection(api, {"name": unique_name("sbh_short"), "createRule": "",
                                   "fields": [{"name": "title", "type": "text"}]})
    payload = raw_request("POST", records(coll), body=b'{"title":"x"}',
                          headers={"Content-Type": "application/json", "Content-Length": "1000",
                                   "Authorization": su_token})
    with RawConn(server.port) as conn:
        resp = conn.exchange(payload, shut_wr=True)
        assert resp.status == 400, resp.raw[:400]
        assert resp.json() == {"status": 400, "message": GENERIC_400, "data": {}}
        assert conn.closed_within(5.0)
    assert api.get(records(coll)).json()["totalItems"] == 0
    assert_healthy(server)


# =========================================================================== hidden emails
@pytest.fixture(scope="module")
def members(api):
    """An auth collection whose emails are all hidden, and posts pointing at its records."""
    coll = create_collection(api, {"name": unique_name("sbh_mem"), "type": "auth", "listRule": "",
                                   "viewRule": "", "fields": [{"name": "nick", "type": "text"}]})
    ids = {}
    for email in ["zed@example.com", "amy@example.com", "mo@example.com"]:
        rec = new_record(api, coll, email=email, password="Passw0rd-123", passwordConfirm="Passw0rd-123",
                         nick=email[:2], emailVisibility=False)
        ids[email[:2]] = rec["id"]
    posts = create_collection(api, {"name": unique_name("sbh_post"), "listRule": "", "viewRule": "",
                                    "fields": [{"name": "title", "type": "text"},
                                               {"name": "author", "type": "relation",
                                                "collectionId": coll["id"], "maxSelect": 1}]})
    for nick, rid in ids.items():
        new_record(api, posts, title="p-" + nick, author=rid)
    return coll, posts


@pytest.fixture(scope="module")
def member_api(server, members):
    coll, _ = members
    r = requests.post(f"{server.url}/api/collections/{coll['name']}/auth-with-password",
                      json={"identity": "mo@example.com", "password": "Passw0rd-123"}, timeout=30)
    assert r.status_code == 200, r.text
    return Api(server.url, r.json()["token"])


@pytest.mark.parametrize("who", ["guest", "member"])
@pytest.mark.parametrize("which,sort", [("members", "email"), ("members", "-email"),
                                        ("members", "nick,email"), ("posts", "author.email"),
                                        ("posts", "-author.email")])
def test_sorting_on_a_hidden_email_is_no_oracle(api, guest, member_api, members, who, which, sort):
    """Ordering by an email the requester may not see would reveal it letter by letter (PocketBase
    0.40.6 sorts by it). Swiftbase answers the same request (200), but a hidden email sorts as empty: the
    order stays the same when a hidden email changes to one that sorts elsewhere. (A filter on a hidden
    email is no oracle either: it matches nothing, 200, as in PocketBase.)"""
    coll = members[0] if which == "members" else members[1]
    client = guest if who == "guest" else member_api

    def order():
        r = client.get(records(coll), params={"sort": sort})
        assert r.status_code == 200, r.text
        return [item["id"] for item in r.json()["items"]]

    before = order()
    amy = api.get(records(members[0]), params={"filter": "nick = 'am'"}).json()["items"][0]
    assert api.patch(f"{records(members[0])}/{amy['id']}", json={"email": "zzz@example.com"}).status_code == 200
    try:
        assert order() == before
    finally:
        assert api.patch(f"{records(members[0])}/{amy['id']}", json={"email": "amy@example.com"}).status_code == 200


@pytest.mark.parametrize("who", ["guest", "member"])
def test_filter_on_a_hidden_email_matches_nothing(guest, member_api, members, who):
    coll, posts = members
    client = guest if who == "guest" else member_api
    for c, flt in [(coll, 'email = "amy@example.com"'), (coll, 'email ~ "a%"'),
                   (posts, 'author.email = "amy@example.com"')]:
        r = client.get(records(c), params={"filter": flt})
        assert r.status_code == 200, r.text
        assert r.json()["items"] == [], (flt, r.json()["items"])


def test_superuser_sorts_on_email(api, members):
    coll, posts = members
    r = api.get(records(coll), params={"sort": "-email"})
    assert r.status_code == 200, r.text
    assert [i["nick"] for i in r.json()["items"]] == ["ze", "mo", "am"]
    r = api.get(records(posts), params={"sort": "author.email"})
    assert r.status_code == 200, r.text
    assert [i["title"] for i in r.json()["items"]] == ["p-am", "p-mo", "p-ze"]


@pytest.mark.parametrize("who", ["guest", "member"])
def test_sorting_on_visible_fields_still_works(guest, member_api, members, who):
    coll, posts = members
    client = guest if who == "guest" else member_api
    r = client.get(records(coll), params={"sort": "-nick"})
    assert r.status_code == 200, r.text
    assert [i["nick"] for i in r.json()["items"]] == ["ze", "mo", "am"]
    r = client.get(records(posts), params={"sort": "author.nick"})
    assert r.status_code == 200, r.text
    assert [i["title"] for i in r.json()["items"]] == ["p-am", "p-mo", "p-ze"]


# =========================================================================== timeouts
@pytest.fixture(scope="module")
def timed(request):
    srv = swiftbase_with(request, "timeouts", "--header-timeout", HEADER_TIMEOUT,
                         "--idle-timeout", IDLE_TIMEOUT)
    yield srv
    err = srv.stop()
    assert err is None, err


def test_silent_connection_is_closed_after_the_header_timeout(timed):
    with RawConn(timed.port) as conn:
        assert conn.open_for(HEADER_TIMEOUT / 2), "closed before the header timeout"
        assert conn.closed_within(HEADER_TIMEOUT + MARGIN)
    assert_healthy(timed)


def test_slow_request_head_is_closed_after_the_header_timeout(timed):
    """A head trickling in a byte every 0.2 s must still be complete within the header timeout."""
    head = b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 1000
    started = time.monotonic()
    with RawConn(timed.port) as conn:
        sent = 0
        while not conn.eof and sent < len(head) and time.monotonic() - started < HEADER_TIMEOUT + MARGIN:
            try:
                sent += conn.sock.send(head[sent:sent + 1])
            except OSError:
                break
            conn.closed_within(0.2)          # paces the trickle and notices the close
        assert conn.closed_within(0.5), "a trickling head kept the connection open"
        assert time.monotonic() - started <= HEADER_TIMEOUT + MARGIN + 1
        late = conn.read_response(0.1)
        assert late.status in (None, 400, 408), late.raw[:200]
    assert_healthy(timed)


def test_idle_keep_alive_connection_is_closed_after_the_idle_timeout(timed):
    with RawConn(timed.port) as conn:
        resp = conn.exchange(HEALTH_REQUEST)
        assert resp.status == 200 and not resp.closed
        assert conn.open_for(1.0), "a keep-alive connection was closed right after its answer"
        assert conn.exchange(HEALTH_REQUEST).status == 200   # still usable
        assert conn.closed_within(IDLE_TIMEOUT + MARGIN)
    assert_healthy(timed)


def test_stalled_body_is_closed_after_the_idle_timeout(timed):
    api = Api(timed.url, superuser_token(timed.url))
    coll = create_collection(api, {"name": unique_name("sbh_stall"), "createRule": "",
                                   "fields": [{"name": "title", "type": "text"}]})
    payload = raw_request("POST", records(coll), body=b'{"title":"',
                          headers={"Content-Type": "application/json", "Content-Length": "1000"})
    with RawConn(timed.port) as conn:
        resp = conn.exchange(payload, within=1.0)        # no answer expected yet: the body is pending
        assert resp.status is None and not resp.closed, resp.raw[:200]
        assert conn.closed_within(IDLE_TIMEOUT + MARGIN), "a stalled body kept the connection open"
        if conn._buf:
            late = conn.read_response(0.1)
            assert late.status in (400, 408), late.raw[:300]
            assert_error_shape(late.status, late.headers.get("content-type", ""), late.body)
    assert api.get(records(coll)).json()["totalItems"] == 0
    assert_healthy(timed)


def test_300_malformed_requests_are_answered_and_closed(timed):
    """300 connections each send one request that cannot be parsed and stay silent: each gets a 4xx and
    is closed within seconds, and the server's descriptors return to where they were."""
    pid = timed.proc.pid
    assert_healthy(timed)
    start_fds = fd_count(pid)
    socks = open_connections(timed.port, 300)
    try:
        assert len(socks) == 300
        for s in socks:
            s.setblocking(True)
            s.sendall(b"HELLO WORLD\r\n\r\n")
        result = wait_all_answered_and_closed(socks, within=10.0)
        assert not result["open"], f"{len(result['open'])} connections still open"
        bad = [d[:60] for d in result["closed"] if not (d.startswith(b"HTTP/1.1 4") or
                                                       d.startswith(b"HTTP/1.0 4"))]
        assert not bad, f"{len(bad)} connections closed without a 4xx, e.g. {bad[:3]}"
        assert timed.proc.poll() is None
    finally:
        close_all(socks)
    assert wait_fd_count_at_most(pid, start_fds + 10, within=10.0) <= start_fds + 10
    assert_healthy(timed)


# =========================================================================== descriptor exhaustion
@pytest.fixture(scope="module")
def starved(request):
    """Swiftbase under a hard open-files limit of 256 it cannot raise."""
    srv = swiftbase_with(request, "nofile", "--header-timeout", HEADER_TIMEOUT,
                         "--idle-timeout", IDLE_TIMEOUT, nofile=256)
    yield srv
    err = srv.stop()
    assert err is None, err


def test_descriptor_exhaustion_does_not_stop_the_server(starved):
    """~400 silent connections against a 256-descriptor limit: the process lives, a normal client still
    gets an answer (200, or 503 + Retry-After), the silent connections are closed by the header timeout
    and normal service resumes with the descriptors back near their starting count."""
    pid = starved.proc.pid
    assert_healthy(starved)
    start_fds = fd_count(pid)
    socks = open_connections(starved.port, 400, within=10.0)
    try:
        assert len(socks) >= 200, f"only {len(socks)} connections could be opened"
        assert starved.proc.poll() is None, "the server died under descriptor pressure"
        resp = raw_health(starved.port, within=HEADER_TIMEOUT + 10)
        assert resp.status is not None, f"no answer while starved: {resp.raw[:200]!r}"
        assert_health_or_busy(resp)
        assert starved.proc.poll() is None
        # every silent connection is closed: the accepted ones by the header timeout (or to make
        # room), the queued ones once accepted in turn
        result = wait_all_answered_and_closed(socks, within=3 * HEADER_TIMEOUT + 10)
        assert not result["open"], f"{len(result['open'])} silent connections still open"
        assert starved.proc.poll() is None
    finally:
        close_all(socks)
    for _ in range(5):
        assert_healthy(starved)
    assert wait_fd_count_at_most(pid, start_fds + 10, within=10.0) <= start_fds + 10


@pytest.fixture(scope="module")
def capped(request):
    """At most 10 connections; a long header timeout, so only making room frees slots quickly."""
    srv = swiftbase_with(request, "maxconn", "--max-connections", 10, "--header-timeout", 30,
                         "--idle-timeout", 60)
    yield srv
    err = srv.stop()
    assert err is None, err


def test_max_connections_closes_the_oldest_silent_connection_to_make_room(capped):
    socks = open_connections(capped.port, 30)
    try:
        assert len(socks) == 30
        resp = raw_health(capped.port, within=5.0)
        assert resp.status == 200, resp.raw[:300]
        # the oldest silent connections were closed to make room
        result = wait_all_answered_and_closed(socks[:10], within=5.0)
        assert not result["open"], f"{len(result['open'])} of the oldest silent connections still open"
    finally:
        close_all(socks)
    assert_healthy(capped)


def test_max_connections_closes_the_longest_idle_keep_alive_connection_to_make_room(capped):
    """Connections parked between requests (keep-alive, everything answered) make room too, the one idle
    the longest first: a client that parks connections costs itself, not the next client."""
    conns = []
    try:
        for _ in range(10):
            c = RawConn(capped.port)
            assert c.exchange(HEALTH_REQUEST).status == 200
            conns.append(c)   # answered one after another: idle in this order
        resp = raw_health(capped.port, within=5.0)
        assert resp.status == 200, resp.raw[:300]
        oldest = conns.pop(0)
        oldest.sock.settimeout(5.0)
        assert oldest.sock.recv(1) == b"", "the longest idle connection was not closed"
        oldest.close()
        assert all(c.exchange(HEALTH_REQUEST).status == 200 for c in conns), "kept connections broke"
    finally:
        close_all(c.sock for c in conns)


def test_max_connections_busy_answer_is_503_with_retry_after(capped):
    """When every slot holds a connection that is answering (realtime streams), a new request gets 503 in
    PocketBase's error envelope with Retry-After; once a slot frees, 200 again."""
    streams = []
    try:
        for _ in range(10):
            s = socket.create_connection(("127.0.0.1", capped.port), timeout=5.0)
            s.sendall(b"GET /api/realtime HTTP/1.1\r\nHost: x\r\n\r\n")
            head = b""
            while b"PB_CONNECT" not in head:
                chunk = s.recv(4096)
                assert chunk, "a realtime stream closed while the slots filled"
                head += chunk
            streams.append(s)
        busy = raw_health(capped.port, within=5.0)
        assert busy.status == 503, busy.raw[:300]
        assert_health_or_busy(busy)
        streams.pop().close()
        deadline = time.monotonic() + 5
        while True:
            resp = raw_health(capped.port, within=5.0)
            if resp.status == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert resp.status == 200, resp.raw[:300]
    finally:
        close_all(streams)

"""`settings.trustedProxy` — the client's address behind a proxy — validated against PocketBase 0.40.6.

PocketBase (core/event_request.go `RealIP`) in short: the configured headers are trusted whenever they are
set (no check of the peer); they are tried in order, and of a header's last value the comma-separated IPs are
read from the right (or from the left with `useLeftmostIP`), the first valid one winning, IPv6 written in full;
when no header gives a valid IP, the client is the peer. That address is the logs' `userIP` (`remoteIP` stays
the peer), the superuser health's `realIP`, and the key the rate limiter counts per client.
Runs on a private server: the settings are global.
"""
import uuid
from types import SimpleNamespace

import pytest

from conftest import Api, poll, superuser_token

PEER = "127.0.0.1"
TOO_MANY = {"data": {}, "message": "Too Many Requests.", "status": 429}
# PocketBase writes its log batch every 3 s: waits allow for several rounds on a busy machine.
WAIT = 20


@pytest.fixture(scope="module")
def ctx(own_server):
    url = own_server.url
    su = Api(url, superuser_token(url))
    r = su.patch("/api/settings", json={"logs": {"logIP": True, "maxDays": 5, "minLevel": 0}})
    assert r.status_code == 200, r.text
    return SimpleNamespace(url=url, su=su, guest=Api(url, None))


@pytest.fixture()
def proxy(ctx):
    """proxy(headers, leftmost=False): configures `trustedProxy`; cleared again after the test."""
    def configure(headers, leftmost=False):
        r = ctx.su.patch("/api/settings", json={"trustedProxy": {"headers": headers, "useLeftmostIP": leftmost}})
        assert r.status_code == 200, r.text
        assert r.json()["trustedProxy"] == {"headers": headers, "useLeftmostIP": leftmost}
    yield configure
    r = ctx.su.patch("/api/settings", json={"trustedProxy": {"headers": [], "useLeftmostIP": False},
                                            "rateLimits": {"enabled": False}})
    assert r.status_code == 200, r.text


def real_ip(ctx, **headers) -> str:
    """The client's address as the server sees it (the superuser health's `realIP`)."""
    r = ctx.su.get("/api/health", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["data"]["realIP"]


def logged_ips(ctx, headers: dict) -> tuple:
    """Sends one marked guest request with `headers`, waits for its log entry, answers (userIP, remoteIP)."""
    mark = "m" + uuid.uuid4().hex[:12]
    assert ctx.guest.get(f"/api/health?probe={mark}", headers=headers).status_code == 200

    def fetch():
        r = ctx.su.get("/api/logs", params={"filter": f'data.url ~ "{mark}"'})
        assert r.status_code == 200, r.text
        return r.json()
    body = poll(fetch, lambda b: b["totalItems"] >= 1, timeout=WAIT, what=f"the log entry of {mark}")
    [entry] = body["items"]
    return entry["data"]["userIP"], entry["data"]["remoteIP"]


def test_default_setting_is_empty(ctx):
    r = ctx.su.get("/api/settings")
    assert r.status_code == 200, r.text
    assert r.json()["trustedProxy"] == {"headers": [], "useLeftmostIP": False}


def test_headers_are_ignored_without_the_setting(ctx):
    assert real_ip(ctx, **{"X-Forwarded-For": "203.0.113.7", "X-Real-IP": "203.0.113.8"}) == PEER
    assert logged_ips(ctx, {"X-Forwarded-For": "203.0.113.7"}) == (PEER, PEER)


def test_configured_header_names_the_client_and_the_peer_stays_remote_ip(ctx, proxy):
    proxy(["X-Forwarded-For"])
    assert real_ip(ctx, **{"X-Forwarded-For": "203.0.113.7"}) == "203.0.113.7"
    assert logged_ips(ctx, {"X-Forwarded-For": "203.0.113.9"}) == ("203.0.113.9", PEER)
    # A request without the header is the peer's.
    assert real_ip(ctx) == PEER
    assert logged_ips(ctx, {}) == (PEER, PEER)


def test_rightmost_ip_by_default(ctx, proxy):
    proxy(["X-Forwarded-For"])
    assert real_ip(ctx, **{"X-Forwarded-For": "198.51.100.1, 198.51.100.2,198.51.100.3"}) == "198.51.100.3"
    # Invalid entries are skipped from the chosen end.
    assert real_ip(ctx, **{"X-Forwarded-For": "198.51.100.1, 198.51.100.2, unknown, "}) == "198.51.100.2"


def test_leftmost_ip_when_asked(ctx, proxy):
    proxy(["X-Forwarded-For"], leftmost=True)
    assert real_ip(ctx, **{"X-Forwarded-For": "198.51.100.1, 198.51.100.2, 198.51.100.3"}) == "198.51.100.1"
    assert real_ip(ctx, **{"X-Forwarded-For": "bogus, 198.51.100.2, 198.51.100.3"}) == "198.51.100.2"
    assert logged_ips(ctx, {"X-Forwarded-For": "192.0.2.10, 192.0.2.11"}) == ("192.0.2.10", PEER)


def test_no_valid_ip_falls_back_to_the_peer(ctx, proxy):
    proxy(["X-Forwarded-For"])
    assert real_ip(ctx, **{"X-Forwarded-For": "not-an-ip, also bad"}) == PEER
    assert real_ip(ctx, **{"X-Forwarded-For": ""}) == PEER


def test_headers_are_tried_in_order(ctx, proxy):
    proxy(["X-Real-IP", "X-Forwarded-For"])
    both = {"X-Real-IP": "192.0.2.1", "X-Forwarded-For": "192.0.2.2"}
    assert real_ip(ctx, **both) == "192.0.2.1"
    assert real_ip(ctx, **{"X-Forwarded-For": "192.0.2.2"}) == "192.0.2.2"
    # A header without a valid IP passes the turn to the next one.
    assert real_ip(ctx, **{"X-Real-IP": "garbage", "X-Forwarded-For": "192.0.2.2"}) == "192.0.2.2"
    # Header names match whatever their case.
    assert real_ip(ctx, **{"x-real-ip": "192.0.2.3"}) == "192.0.2.3"


def test_ipv6_is_written_in_full(ctx, proxy):
    proxy(["X-Forwarded-For"])
    assert real_ip(ctx, **{"X-Forwarded-For": "2001:db8::1"}) == "2001:0db8:0000:0000:0000:0000:0000:0001"
    assert real_ip(ctx, **{"X-Forwarded-For": "::1"}) == "0000:0000:0000:0000:0000:0000:0000:0001"


def test_rate_limits_count_per_forwarded_client(ctx, proxy):
    proxy(["X-Forwarded-For"])
    path = f"/api/tp_{uuid.uuid4().hex[:12]}"
    r = ctx.su.patch("/api/settings", json={"rateLimits": {"enabled": True, "excludedIPs": [], "rules": [
        {"label": path, "maxRequests": 2, "duration": 60, "audience": ""}]}})
    assert r.status_code == 200, r.text

    def send(client):
        return ctx.guest.get(path, headers={"X-Forwarded-For": client})
    assert [send("192.0.2.50").status_code for _ in range(2)] == [404, 404]
    limited = send("192.0.2.50")
    assert limited.status_code == 429 and limited.json() == TOO_MANY
    # Another client behind the same proxy (same peer) has its own counter.
    assert [send("192.0.2.51").status_code for _ in range(2)] == [404, 404]
    assert send("192.0.2.51").status_code == 429
    # The excluded list is matched against the forwarded client too.
    r = ctx.su.patch("/api/settings", json={"rateLimits": {"excludedIPs": ["192.0.2.60"]}})
    assert r.status_code == 200, r.text
    assert [send("192.0.2.60").status_code for _ in range(4)] == [404] * 4


def proxy_hint(ctx, **headers) -> str:
    r = ctx.su.get("/api/health", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["data"]["possibleProxyHeader"]


def test_health_hints_at_a_proxy(ctx, proxy):
    # Without the setting: common proxy headers are noticed, in PocketBase's order.
    assert proxy_hint(ctx) == ""
    assert proxy_hint(ctx, **{"X-Real-IP": "192.0.2.1"}) == ""
    assert proxy_hint(ctx, **{"X-Forwarded-For": "192.0.2.1"}) == "X-Forwarded-For"
    assert proxy_hint(ctx, **{"X-Forwarded-For": "192.0.2.1", "Fly-Client-IP": "192.0.2.3"}) == "Fly-Client-IP"
    assert proxy_hint(ctx, **{"CF-Connecting-IP": "192.0.2.1"}) == "CF-Connecting-IP"
    assert proxy_hint(ctx, **{"Fly-Client-IP": "192.0.2.1"}) == "Fly-Client-IP"
    # The configured headers come first, named as configured.
    proxy(["X-Real-IP"])
    assert proxy_hint(ctx, **{"x-real-ip": "192.0.2.1", "CF-Connecting-IP": "192.0.2.2"}) == "X-Real-IP"
    assert proxy_hint(ctx, **{"CF-Connecting-IP": "192.0.2.2"}) == "CF-Connecting-IP"

"""Health endpoint, unknown routes and the generic error envelope (§1.3, §2)."""
import pytest

from conftest import assert_error


def test_health_raw_shape(guest):
    r = guest.get("/api/health")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.json() == {"code": 200, "message": "API is healthy.", "data": {}}


def test_health_superuser_data(api):
    body = api.get("/api/health").json()
    assert body["code"] == 200
    assert body["message"] == "API is healthy."
    assert body["data"]["canBackup"] is True
    assert body["data"]["realIP"] == "127.0.0.1"
    assert "possibleProxyHeader" in body["data"]


def test_health_via_sdk(pb_guest):
    res = pb_guest.health.check()
    assert res.code == 200
    assert res.message == "API is healthy."
    assert res.data == {}


def test_unknown_api_route_is_404_json(guest):
    assert_error(guest.get("/api/definitely-not-a-route"), 404, "File not found.", {})
    assert_error(guest.get("/api/collections/x/records/y/z/w"), 404, "File not found.", {})


def test_wrong_method_on_known_path_is_404(guest):
    # PocketBase has no 405: an unmatched method is a plain 404 JSON error.
    # (message differs from the unknown-path one)
    msg = "The requested resource wasn't found."
    assert_error(guest.post("/api/health"), 404, msg, {})
    assert_error(guest.put("/api/collections/x/records"), 404, msg, {})


@pytest.mark.parametrize("path", ["/api/collections", "/api/collections/meta/scaffolds"])
def test_superuser_only_endpoints_without_token(guest, path):
    assert_error(guest.get(path), 401,
                 "The request requires valid record authorization token.", {})


def test_security_headers(guest):
    r = guest.get("/api/health")
    assert r.headers.get("X-Content-Type-Options") == "nosniff"
    assert r.headers.get("X-Frame-Options") == "SAMEORIGIN"


def test_cors_preflight(guest):
    r = guest.request("OPTIONS", "/api/health", headers={
        "Origin": "http://example.test",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,authorization"})
    assert r.status_code == 204
    assert r.headers.get("Access-Control-Allow-Origin") == "*"
    allowed = {m.strip() for m in r.headers.get("Access-Control-Allow-Methods", "").split(",")}
    assert {"GET", "POST", "PATCH", "DELETE", "PUT"} <= allowed
    assert "authorization" in r.headers.get("Access-Control-Allow-Headers", "").lower()


@pytest.mark.parametrize("path", ["/api/health", "/api/collections/nowhere/records", "/not/a/route"])
def test_any_options_request_is_answered_204(guest, path):
    """PocketBase's CORS middleware answers every OPTIONS request itself, route or not: bare without an Origin,
    with the allowed origin and methods when one is named (even without Access-Control-Request-Method)."""
    bare = guest.request("OPTIONS", path)
    assert bare.status_code == 204, bare.text
    assert bare.content == b""
    assert "Origin" in bare.headers.get("Vary", "")
    named = guest.request("OPTIONS", path, headers={"Origin": "http://example.test"})
    assert named.status_code == 204, named.text
    assert named.headers.get("Access-Control-Allow-Origin") == "*"
    assert "POST" in named.headers.get("Access-Control-Allow-Methods", "")

"""Malformed and hostile input: bad JSON, wrong types, unknown collections/ids, body size
limit (§1.2, §1.3, §1.9, §4.1)."""
import json

import pytest

from conftest import assert_error, create_collection, unique_name

GENERIC_400 = "Something went wrong while processing your request."


@pytest.fixture(scope="module")
def coll(api):
    return create_collection(api, {"name": unique_name("bad_in"), "createRule": "",
                                   "fields": [{"name": "t", "type": "text", "max": 100000000},
                                              {"name": "n", "type": "number"},
                                              {"name": "b", "type": "bool"}]})


def rurl(c, rid=None):
    base = f"/api/collections/{c['name']}/records"
    return base if rid is None else f"{base}/{rid}"


@pytest.mark.parametrize("raw", ["{bad", "[1,2]", '"str"', "{\"t\":", "nul",
                                 '{"t":"x","t":"y"}'])
def test_malformed_json_body(api, coll, raw):
    r = api.post(rurl(coll), data=raw, headers={"Content-Type": "application/json"})
    assert_error(r, 400, GENERIC_400, {})


def test_malformed_json_on_update(api, coll):
    rid = api.post(rurl(coll), json={"t": "x"}).json()["id"]
    r = api.patch(rurl(coll, rid), data="{oops", headers={"Content-Type": "application/json"})
    assert_error(r, 400, GENERIC_400, {})


def test_empty_body_is_empty_object(api, coll):
    r = api.post(rurl(coll), data="", headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    assert r.json()["t"] == ""


def test_urlencoded_body(api, coll):
    r = api.post(rurl(coll), data="t=hello&n=7&b=true",
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["t"], body["n"], body["b"]) == ("hello", 7, True)


def test_multipart_body(api, coll):
    r = api.post(rurl(coll), files={"t": (None, "multi"), "n": (None, "3")})
    assert r.status_code == 200, r.text
    assert r.json()["t"] == "multi" and r.json()["n"] == 3


def test_wrong_types_are_cast_not_rejected(api, coll):
    r = api.post(rurl(coll), json={"t": 12, "n": "nope", "b": "yes"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["t"] == "12" and body["n"] == 0 and body["b"] is False


@pytest.mark.parametrize("method,message", [
    ("GET", "Missing collection context."),
    ("POST", "Missing or invalid collection context."),
    ("PATCH", "Missing or invalid collection context."),
    ("DELETE", "Missing collection context."),
])
def test_unknown_collection_records(api, method, message):
    path = "/api/collections/no_such_coll_x/records"
    if method in ("PATCH", "DELETE"):
        path += "/abc"
    r = api.request(method, path, json={})
    assert_error(r, 404, message, {})


def test_unknown_collection_record_view(api):
    assert_error(api.get("/api/collections/no_such_coll_x/records/abc"), 404,
                 "Missing collection context.", {})


@pytest.mark.parametrize("rid", ["abc", "x" * 15, "UPPERCASE123456", "a" * 300,
                                 "..%2F..%2Fetc", "%27%20OR%201%3D1", "%00"])
def test_wrong_shaped_ids_404(api, coll, rid):
    assert_error(api.get(rurl(coll) + "/" + rid), 404, "The requested resource wasn't found.",
                 {})
    assert_error(api.patch(rurl(coll) + "/" + rid, json={"t": "x"}), 404)
    assert_error(api.delete(rurl(coll) + "/" + rid), 404)


def test_oversized_body_413(api, coll):
    """PocketBase's default body limit is 32 MiB (33554432 bytes); this sends ~40 MiB."""
    body = json.dumps({"t": "x" * (40 * 1024 * 1024)})
    try:
        r = api.post(rurl(coll), data=body, headers={"Content-Type": "application/json"},
                     timeout=120)
    except Exception as e:  # the server may also cut the upload short
        pytest.fail(f"expected a 413 response, got a transport error: {e!r}")
    assert_error(r, 413, "Request entity too large.", {})


def test_oversized_body_413_on_collections_api(api):
    body = json.dumps({"name": "x" * (40 * 1024 * 1024)})
    r = api.post("/api/collections", data=body, headers={"Content-Type": "application/json"},
                 timeout=120)
    assert_error(r, 413, "Request entity too large.", {})


def test_large_body_under_limit_accepted(api, coll):
    """8 MiB is well under the 32 MiB default limit and must be accepted."""
    big = "y" * (8 * 1024 * 1024)
    r = api.post(rurl(coll), json={"t": big}, params={"fields": "id"}, timeout=120)
    assert r.status_code == 200, r.text[:500]
    rid = r.json()["id"]
    got = api.get(rurl(coll, rid)).json()
    assert len(got["t"]) == len(big)
    assert api.delete(rurl(coll, rid)).status_code == 204


@pytest.mark.parametrize("params", [{"skipTotal": "abc"}, {"filter": "(("},
                                    {"sort": "-nope"}])
def test_bad_query_params(api, coll, params):
    assert_error(api.get(rurl(coll), params=params), 400, GENERIC_400, {})


def test_server_still_healthy(guest):
    assert guest.get("/api/health").status_code == 200

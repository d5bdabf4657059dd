"""Swiftbase beyond PocketBase: scoped API keys (`Authorization: Bearer sbk_…`). A superuser creates a key
(shown once, stored hashed) scoped to collections × actions, optionally expiring and bound to IP ranges;
inside its scopes the key acts with superuser reach, outside them it is refused, and a revoked, expired,
tampered or out-of-range key is just a guest."""
import time

import pytest

from conftest import Api, assert_error, create_collection, poll, unique_name

pytestmark = pytest.mark.usefixtures("swiftbase_only")

SU_ONLY = "Only superusers can perform this action."
KEY_DENIED = "The API key is not allowed to perform this action."


@pytest.fixture(scope="module")
def posts(api):
    """Rules all null: only superusers — or a key scoped to it — may touch it."""
    authors = create_collection(api, {"name": unique_name("k_auth"), "fields": [{"name": "n", "type": "text"}]})
    posts = create_collection(api, {"name": unique_name("k_posts"), "fields": [
        {"name": "title", "type": "text"},
        {"name": "secret", "type": "text", "hidden": True},
        {"name": "author", "type": "relation", "collectionId": authors["id"]}]})
    return posts, authors


def new_key(api, scopes, **extra):
    r = api.post("/api/keys", json={"name": unique_name("key"), "scopes": scopes, **extra})
    assert r.status_code == 200, r.text
    return r.json()


def as_key(api, key):
    return Api(api.base, "Bearer " + key)


def records(coll):
    return f"/api/collections/{coll['name']}/records"


def test_key_is_shown_once_and_listed_without_secret(api, posts):
    p, _ = posts
    created = new_key(api, [{"collection": p["name"], "actions": ["list", "view"]}])
    assert created["key"].startswith("sbk_") and len(created["key"]) == 44
    assert created["prefix"] == created["key"][:12]
    assert created["scopes"] == [{"collection": p["name"], "actions": ["list", "view"]}]
    listed = api.get("/api/keys").json()["items"]
    mine = [k for k in listed if k["id"] == created["id"]]
    assert len(mine) == 1 and "key" not in mine[0] and "hash" not in mine[0]
    assert created["key"] not in str(listed)


def test_scopes_allow_exactly_what_they_list(api, posts):
    p, authors = posts
    rec = api.post(records(p), json={"title": "t", "secret": "s"}).json()
    key = as_key(api, new_key(api, [{"collection": p["name"], "actions": ["list", "view"]}])["key"])
    listed = key.get(records(p))
    assert listed.status_code == 200 and rec["id"] in [i["id"] for i in listed.json()["items"]]
    viewed = key.get(f"{records(p)}/{rec['id']}")
    assert viewed.status_code == 200 and viewed.json()["secret"] == "s"  # superuser reach inside the scope
    assert_error(key.post(records(p), json={"title": "x"}), 403, KEY_DENIED, {})
    assert_error(key.patch(f"{records(p)}/{rec['id']}", json={"title": "x"}), 403, KEY_DENIED, {})
    assert_error(key.delete(f"{records(p)}/{rec['id']}"), 403, KEY_DENIED, {})
    assert_error(key.get(records(authors)), 403, KEY_DENIED, {})
    # no admin surface, and a key cannot mint or list keys
    assert_error(key.get("/api/collections"), 403)
    assert_error(key.get("/api/keys"), 403)
    assert_error(key.post("/api/keys", json={"name": "x", "scopes": [{"collection": "*", "actions": ["list"]}]}), 403)


def test_write_scopes(api, posts):
    p, _ = posts
    key = as_key(api, new_key(api, [{"collection": p["name"], "actions": ["create", "update", "delete"]}])["key"])
    created = key.post(records(p), json={"title": "by key"})
    assert created.status_code == 200, created.text
    rid = created.json()["id"]
    assert key.patch(f"{records(p)}/{rid}", json={"title": "edited"}).json()["title"] == "edited"
    assert key.delete(f"{records(p)}/{rid}").status_code == 204
    assert api.get(f"{records(p)}/{rid}").status_code == 404


def test_expand_needs_view_scope_on_the_target(api, posts):
    p, authors = posts
    a = api.post(records(authors), json={"n": "ann"}).json()
    rec = api.post(records(p), json={"title": "t", "author": a["id"]}).json()
    narrow = as_key(api, new_key(api, [{"collection": p["name"], "actions": ["view"]}])["key"])
    body = narrow.get(f"{records(p)}/{rec['id']}", params={"expand": "author"}).json()
    assert body.get("expand", {}) == {}
    wide = as_key(api, new_key(api, [{"collection": p["name"], "actions": ["view"]},
                                     {"collection": authors["name"], "actions": ["view"]}])["key"])
    body = wide.get(f"{records(p)}/{rec['id']}", params={"expand": "author"}).json()
    assert body["expand"]["author"]["id"] == a["id"]


def test_wildcard_never_reaches_superusers(api, posts):
    p, _ = posts
    key = as_key(api, new_key(api, [{"collection": "*", "actions": ["list"]}])["key"])
    assert key.get(records(p)).status_code == 200
    assert_error(key.get("/api/collections/_superusers/records"), 403, KEY_DENIED, {})
    r = api.post("/api/keys", json={"name": "x", "scopes": [{"collection": "_superusers", "actions": ["list"]}]})
    body = assert_error(r, 400, "Failed to create API key.")
    assert body["data"]["scopes"]["0"]["collection"]["code"] == "validation_invalid_collection"


def test_revoked_tampered_and_unknown_keys_are_guests(api, posts):
    p, _ = posts
    created = new_key(api, [{"collection": p["name"], "actions": ["list"]}])
    key = created["key"]
    assert as_key(api, key).get(records(p)).status_code == 200
    tampered = key[:-1] + ("A" if key[-1] != "A" else "B")
    assert_error(as_key(api, tampered).get(records(p)), 403, SU_ONLY, {})
    assert_error(as_key(api, "sbk_" + "x" * 40).get(records(p)), 403, SU_ONLY, {})
    assert api.delete(f"/api/keys/{created['id']}").status_code == 204
    assert_error(as_key(api, key).get(records(p)), 403, SU_ONLY, {})
    revoked = [k for k in api.get("/api/keys").json()["items"] if k["id"] == created["id"]][0]
    assert revoked["revoked"] != ""
    assert_error(api.delete("/api/keys/nosuchkey123456"), 404)


def test_expiry(api, posts):
    p, _ = posts
    expires = time.time() + 2
    soon = time.strftime("%Y-%m-%d %H:%M:%S.000Z", time.gmtime(expires))
    key = as_key(api, new_key(api, [{"collection": p["name"], "actions": ["list"]}], expires=soon)["key"])
    assert key.get(records(p)).status_code == 200
    # poll until the key is refused (it expires within 2 s)
    r = poll(lambda: key.get(records(p)), lambda r: r.status_code != 200,
             timeout=expires - time.time() + 5, interval=0.1, what="the expired key to be refused")
    assert_error(r, 403, SU_ONLY, {})


def test_ip_allow_list(api, posts):
    p, _ = posts
    elsewhere = as_key(api, new_key(api, [{"collection": p["name"], "actions": ["list"]}],
                                    allowedIPs=["10.0.0.0/8", "2001:db8::/32"])["key"])
    assert_error(elsewhere.get(records(p)), 403, SU_ONLY, {})
    here = as_key(api, new_key(api, [{"collection": p["name"], "actions": ["list"]}],
                               allowedIPs=["127.0.0.0/8"])["key"])
    assert here.get(records(p)).status_code == 200


@pytest.mark.parametrize("body,field,code", [
    ({"scopes": [{"collection": "*", "actions": ["list"]}]}, "name", "validation_required"),
    ({"name": "k"}, "scopes", "validation_required"),
    ({"name": "k", "scopes": [{"collection": "no_such_collection", "actions": ["list"]}]}, "scopes", None),
    ({"name": "k", "scopes": [{"collection": "*", "actions": ["drop"]}]}, "scopes", None),
    ({"name": "k", "scopes": [{"collection": "*", "actions": ["list"]}], "expires": "2001-01-01 00:00:00Z"},
     "expires", "validation_invalid_date"),
    ({"name": "k", "scopes": [{"collection": "*", "actions": ["list"]}], "allowedIPs": ["10.0.0.0/33"]},
     "allowedIPs", "validation_invalid_ip"),
    ({"name": "k", "scopes": [{"collection": "*", "actions": ["list"]}], "allowedIPs": ["localhost"]},
     "allowedIPs", "validation_invalid_ip"),
])
def test_create_validation(api, body, field, code):
    body_ = assert_error(api.post("/api/keys", json=body), 400, "Failed to create API key.")
    assert field in body_["data"]
    if code:
        assert body_["data"][field]["code"] == code


def test_only_superusers_manage_keys(guest):
    assert_error(guest.get("/api/keys"), 401)
    assert_error(guest.post("/api/keys", json={}), 401)

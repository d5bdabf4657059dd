"""Batch API (`POST /api/batch`, §9): settings gate, mixed create/update/upsert/delete in one
transaction, result shape and order, rollback on the first failing item with the exact nested error,
request limits and malformed bodies, body size and transaction timeout, per-item rules with the
batch caller's auth, sub-request headers/query, `@request.context = "batch"`, multipart files.

Everything runs on a private server (`own_server`): `settings.batch` is global. The module fixture
enables batch with MAX_REQUESTS/TIMEOUT and restores the initial (disabled) settings on teardown;
tests that change `settings.batch` restore ENABLED themselves. Observed on PocketBase 0.40.6
(apis/batch.go) in short:
  - the gate (`enabled`) is checked first, before auth and before the body is read: 403 for everyone;
  - the body is bound (JSON keys case-insensitive; multipart/urlencoded through `@jsonPayload`),
    then validated: `requests` required and at most maxRequests long, then each item's `method`
    (one of GET POST PUT PATCH DELETE, case-sensitive) and `url` (required, <= 2000 chars);
  - only record create (`POST …/records`), update (`PATCH …/records/{id}`), delete
    (`DELETE …/records/{id}`) and upsert (`PUT …/records`: update when `body.id` names an existing
    record of that collection, whatever the rules, else create) are actions; anything else fails
    its item with a plain error;
  - items run in order in one transaction, each item nested inside the previous one's success
    path: a later item sees earlier writes, the earlier item's response is already rendered;
  - the first failing item rolls everything back: 400 "Batch transaction failed." with
    data.requests.<index> = {code: batch_request_failed, message, response: <the item's error>};
    an unknown action at index 0 is a 400 generic error, at index > 0 a 500 generic error (the
    previous item wraps the non-API error in an internal error);
  - each item runs with the batch request's auth (its own `Authorization` header is ignored) and a
    copy of the batch request's headers overridden by the item's `headers`; its query string comes
    from the item `url` only (never from the batch URL); method is POST/PATCH for upserts.
"""
import json
import time
import uuid
from types import SimpleNamespace

import pytest
from pocketbase import PocketBase
from pocketbase.errors import ClientResponseError

from conftest import (SU_EMAIL, SU_PASSWORD, Api, assert_error, create_collection, records,
                      superuser_token, unique_name)

PASSWORD = "Secret-pass-1234"
MAX_REQUESTS = 10
TIMEOUT = 3
ENABLED = {"enabled": True, "maxRequests": MAX_REQUESTS, "timeout": TIMEOUT, "maxBodySize": 0}
DEFAULT_BATCH = {"enabled": False, "maxRequests": 50, "timeout": 3, "maxBodySize": 0}

NOT_ALLOWED = "Batch requests are not allowed."
TX_FAILED = "Batch transaction failed."
INVALID = "Invalid batch request data."
READ_FAILED = "Failed to read the submitted batch data."
GENERIC = "Something went wrong while processing your request."
NOT_FOUND = "The requested resource wasn't found."
SU_ONLY = "Only superusers can perform this action."
CREATE_FAILED = "Failed to create record."
MISSING_COLLECTION = "Missing collection context."
TOO_LARGE = "Request entity too large."
REQUIRED = {"code": "validation_required", "message": "Cannot be blank."}
BAD_METHOD = {"code": "validation_in_invalid", "message": "Must be a valid value."}


# --------------------------------------------------------------------------- fixtures & helpers
def login(api: Api, coll: dict, email: str) -> str:
    r = api.post(f"/api/collections/{coll['name']}/auth-with-password", auth=False,
                 json={"identity": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return r.json()["token"]


def set_batch(su: Api, **batch) -> dict:
    r = su.patch("/api/settings", json={"batch": batch})
    assert r.status_code == 200, r.text
    return r.json()["batch"]


@pytest.fixture(scope="module")
def ctx(own_server):
    """Clients and collections on the private server. `before_enable` holds responses taken while
    batch was still disabled (fresh server)."""
    su = Api(own_server.url, superuser_token(own_server.url))
    guest = Api(own_server.url, None)
    initial = su.get("/api/settings")
    assert initial.status_code == 200, initial.text
    initial = initial.json()
    before_enable = {
        "su": su.post("/api/batch", json={"requests": [
            {"method": "POST", "url": "/api/collections/nope/records", "body": {}}]}),
        "guest": guest.post("/api/batch", json={"requests": []}),
        "bad_json": guest.post("/api/batch", data="{bad",
                               headers={"Content-Type": "application/json"}),
    }
    assert set_batch(su, **ENABLED) == ENABLED

    tags = create_collection(su, {"name": unique_name("bt_tags"), "listRule": "", "viewRule": "",
                                  "fields": [{"name": "label", "type": "text"}]})
    open_rules = {"listRule": "", "viewRule": "", "createRule": "", "updateRule": "",
                  "deleteRule": ""}
    posts = create_collection(su, {"name": unique_name("bt_posts"), **open_rules, "fields": [
        {"name": "title", "type": "text", "required": True},
        {"name": "tag", "type": "relation", "collectionId": tags["id"]}]})
    locked = create_collection(su, {"name": unique_name("bt_locked"),
                                    "fields": [{"name": "title", "type": "text"}]})
    members = create_collection(su, {"name": unique_name("bt_members"), "type": "auth",
                                     "createRule": "", "fields": []})
    users = []
    for _ in range(2):
        email = f"{uuid.uuid4().hex[:12]}@example.com"
        r = guest.post(records(members), json={"email": email, "password": PASSWORD,
                                               "passwordConfirm": PASSWORD})
        assert r.status_code == 200, r.text
        token = login(su, members, email)
        users.append(SimpleNamespace(id=r.json()["id"], token=token,
                                     api=Api(own_server.url, token)))
    owner = '@request.auth.id != "" && owner = @request.auth.id'
    notes = create_collection(su, {
        "name": unique_name("bt_notes"), "listRule": owner, "viewRule": owner,
        "createRule": owner, "updateRule": owner, "deleteRule": owner,
        "fields": [{"name": "title", "type": "text"},
                   {"name": "owner", "type": "relation", "collectionId": members["id"]}]})
    yield SimpleNamespace(url=own_server.url, su=su, guest=guest, initial=initial,
                          before_enable=before_enable, tags=tags, posts=posts, locked=locked,
                          members=members, users=users, notes=notes)
    r = su.patch("/api/settings", json={"batch": initial["batch"]})
    assert r.status_code == 200, r.text


@pytest.fixture()
def restore_batch(ctx):
    """Tests that change settings.batch get ENABLED back afterwards."""
    yield
    set_batch(ctx.su, **ENABLED)


def batch(client: Api, *items, **kw):
    return client.post("/api/batch", json={"requests": list(items)}, **kw)


def item(method, url, body=None, headers=None) -> dict:
    out = {"method": method, "url": url}
    if body is not None:
        out["body"] = body
    if headers is not None:
        out["headers"] = headers
    return out


def url(coll, rid=None, query="") -> str:
    base = records(coll) if rid is None else f"{records(coll)}/{rid}"
    return base + query


def rec(coll, rid, **fields) -> dict:
    """The full JSON of a record of a collection without autodate fields."""
    return {"collectionId": coll["id"], "collectionName": coll["name"], "id": rid, **fields}


def ok_results(resp) -> list:
    assert resp.status_code == 200, f"{resp.status_code} {resp.text[:2000]}"
    assert resp.headers.get("Content-Type", "").startswith("application/json"), resp.headers
    body = resp.json()
    assert isinstance(body, list), body
    return body


def item_error(status, message, data=None) -> dict:
    return {"data": data or {}, "message": message, "status": status}


def assert_batch_failed(resp, index: int, response: dict):
    """The 400 envelope of a failed batch transaction, failing item `index`."""
    return assert_error(resp, 400, TX_FAILED, {"requests": {str(index): {
        "code": "batch_request_failed", "message": "Batch request failed.",
        "response": response}}})


def new_post(ctx, title, **extra) -> dict:
    r = ctx.su.post(url(ctx.posts), json={"title": title, **extra})
    assert r.status_code == 200, r.text
    return r.json()


def titles(ctx, coll, prefix) -> list:
    r = ctx.su.get(url(coll), params={"filter": f"title ~ '{prefix}%'", "sort": "title",
                                      "perPage": 100})
    assert r.status_code == 200, r.text
    return [x["title"] for x in r.json()["items"]]


def tag_prefix() -> str:
    return "t" + uuid.uuid4().hex[:10]


def exists(ctx, coll, rid) -> bool:
    r = ctx.su.get(url(coll, rid))
    assert r.status_code in (200, 404), r.text
    return r.status_code == 200


# =========================================================================== settings gate
def test_disabled_by_default(ctx):
    assert ctx.initial["batch"] == DEFAULT_BATCH
    # checked before auth and before the body is read
    for resp in ctx.before_enable.values():
        assert_error(resp, 403, NOT_ALLOWED, {})


def test_disable_and_reenable(ctx, restore_batch):
    assert set_batch(ctx.su, enabled=False) == {**ENABLED, "enabled": False}
    pre = tag_prefix()
    for client in (ctx.su, ctx.guest, ctx.users[0].api):
        r = batch(client, item("POST", url(ctx.posts), {"title": pre + "x"}))
        assert_error(r, 403, NOT_ALLOWED, {})
    assert_error(ctx.su.post("/api/batch", data="{bad", headers={"Content-Type": "application/json"}),
                 403, NOT_ALLOWED, {})
    assert titles(ctx, ctx.posts, pre) == []
    assert ctx.su.get("/api/settings").json()["batch"] == {**ENABLED, "enabled": False}
    # the other batch settings were kept: re-enabling needs only the flag
    assert set_batch(ctx.su, enabled=True) == ENABLED
    body = ok_results(batch(ctx.guest, item("POST", url(ctx.posts, query="?fields=title"),
                                            {"title": pre + "y"})))
    assert body == [{"status": 200, "body": {"title": pre + "y"}}]
    assert titles(ctx, ctx.posts, pre) == [pre + "y"]


# =========================================================================== success
def test_mixed_batch_runs_in_order(ctx):
    pre = tag_prefix()
    upd = new_post(ctx, pre + "upd-old")
    ups = new_post(ctx, pre + "ups-old")
    gone = new_post(ctx, pre + "gone")
    new_id = uuid.uuid4().hex[:15]
    resp = batch(ctx.guest,
                 item("POST", url(ctx.posts), {"title": pre + "created"}),
                 item("PATCH", f"/api/collections/{ctx.posts['id']}/records/{upd['id']}",
                      {"title": pre + "upd-new"}),
                 item("PUT", url(ctx.posts), {"id": ups["id"], "title": pre + "ups-new"}),
                 item("PUT", f"/api/collections/{ctx.posts['id']}/records",
                      {"id": new_id, "title": pre + "ups-created"}),
                 item("PUT", url(ctx.posts), {"title": pre + "ups-noid"}),
                 item("DELETE", url(ctx.posts, gone["id"])))
    body = ok_results(resp)
    assert [x["status"] for x in body] == [200, 200, 200, 200, 200, 204]
    assert all(set(x) == {"status", "body"} for x in body)
    created, noid = body[0]["body"]["id"], body[4]["body"]["id"]
    assert len({created, noid, new_id, upd["id"], ups["id"]}) == 5
    assert body == [
        {"status": 200, "body": rec(ctx.posts, created, title=pre + "created", tag="")},
        {"status": 200, "body": rec(ctx.posts, upd["id"], title=pre + "upd-new", tag="")},
        {"status": 200, "body": rec(ctx.posts, ups["id"], title=pre + "ups-new", tag="")},
        {"status": 200, "body": rec(ctx.posts, new_id, title=pre + "ups-created", tag="")},
        {"status": 200, "body": rec(ctx.posts, noid, title=pre + "ups-noid", tag="")},
        {"status": 204, "body": None},
    ]
    # committed: visible through the API
    assert titles(ctx, ctx.posts, pre) == sorted(
        [pre + "created", pre + "upd-new", pre + "ups-new", pre + "ups-created", pre + "ups-noid"])
    assert not exists(ctx, ctx.posts, gone["id"])
    for r in body[:5]:
        assert ctx.su.get(url(ctx.posts, r["body"]["id"])).json() == r["body"]


def test_later_items_see_earlier_writes(ctx):
    pre = tag_prefix()
    rid = uuid.uuid4().hex[:15]
    body = ok_results(batch(ctx.guest,
                            item("POST", url(ctx.posts), {"id": rid, "title": pre + "a"}),
                            item("PATCH", url(ctx.posts, rid), {"title": pre + "b"}),
                            item("PUT", url(ctx.posts), {"id": rid, "title": pre + "c"}),
                            item("DELETE", url(ctx.posts, rid))))
    # each response is rendered when its item ran, not at commit time
    assert body == [
        {"status": 200, "body": rec(ctx.posts, rid, title=pre + "a", tag="")},
        {"status": 200, "body": rec(ctx.posts, rid, title=pre + "b", tag="")},
        {"status": 200, "body": rec(ctx.posts, rid, title=pre + "c", tag="")},
        {"status": 204, "body": None},
    ]
    assert not exists(ctx, ctx.posts, rid)


def test_later_items_see_an_auth_record_created_earlier(ctx):
    """An auth record created by one item and updated by the next: the update finds it in the batch's
    transaction (its profile fields need no check against the stored password)."""
    rid = uuid.uuid4().hex[:15]
    email = f"{rid}@example.com"
    body = ok_results(batch(ctx.su,
                            item("POST", url(ctx.members), {"id": rid, "email": email, "password": PASSWORD,
                                                            "passwordConfirm": PASSWORD}),
                            item("PATCH", url(ctx.members, rid), {"emailVisibility": True}),
                            item("DELETE", url(ctx.members, rid))))
    assert [b["status"] for b in body] == [200, 200, 204]
    assert body[0]["body"]["emailVisibility"] is False and body[1]["body"]["emailVisibility"] is True
    assert body[1]["body"]["email"] == email
    assert not exists(ctx, ctx.members, rid)


def test_superuser_batch_sets_the_password_of_an_auth_record_it_created(ctx):
    rid = uuid.uuid4().hex[:15]
    email = f"{rid}@example.com"
    changed = PASSWORD + "-changed"
    body = ok_results(batch(ctx.su,
                            item("POST", url(ctx.members), {"id": rid, "email": email, "password": PASSWORD,
                                                            "passwordConfirm": PASSWORD}),
                            item("PATCH", url(ctx.members, rid), {"password": changed, "passwordConfirm": changed})))
    assert [b["status"] for b in body] == [200, 200]
    login = ctx.guest.post(f"/api/collections/{ctx.members['name']}/auth-with-password",
                           json={"identity": email, "password": changed})
    assert login.status_code == 200, login.text
    failed = batch(ctx.su,
                   item("POST", url(ctx.members), {"id": rid[:-1] + "z", "email": "z" + email, "password": PASSWORD,
                                                   "passwordConfirm": PASSWORD}),
                   item("PATCH", url(ctx.members, rid[:-1] + "z"), {"password": changed, "passwordConfirm": "nope"}))
    assert failed.status_code == 400
    assert not exists(ctx, ctx.members, rid[:-1] + "z")


def test_each_item_counts_against_the_collections_rate_limit(ctx):
    """Items are counted as the record routes count requests (`collection:create` here), on their own counter:
    the third create of a batch under a limit of two fails the batch with the item's 429."""
    before = ctx.su.get("/api/settings").json()["rateLimits"]
    label = f"{ctx.posts['name']}:create"
    r = ctx.su.patch("/api/settings", json={"rateLimits": {"enabled": True, "rules": [
        {"label": label, "maxRequests": 2, "duration": 60, "audience": ""}]}})
    assert r.status_code == 200, r.text
    try:
        pre = tag_prefix()
        creates = [item("POST", url(ctx.posts), {"title": pre + str(i)}) for i in range(3)]
        r = batch(ctx.guest, *creates)
        assert r.status_code == 400, r.text
        failed = r.json()["data"]["requests"]
        assert list(failed) == ["2"] and failed["2"]["response"]["status"] == 429, r.text
        assert titles(ctx, ctx.posts, pre) == []
    finally:
        r = ctx.su.patch("/api/settings", json={"rateLimits": before})
        assert r.status_code == 200, r.text


def test_fields_and_expand_in_sub_request_urls(ctx):
    pre = tag_prefix()
    tag = ctx.su.post(url(ctx.tags), json={"label": pre + "L"}).json()
    other = new_post(ctx, pre + "other")
    doomed = new_post(ctx, pre + "doomed")
    body = ok_results(batch(
        ctx.guest,
        item("POST", url(ctx.posts, query="?expand=tag&fields=id,title,expand.tag.label"),
             {"title": pre + "n", "tag": tag["id"]}),
        item("PATCH", url(ctx.posts, other["id"], "?fields=title,tag,expand&expand=tag"),
             {"tag": tag["id"]}),
        item("PUT", url(ctx.posts, query="?fields=title"), {"id": other["id"], "title": pre + "u"}),
        item("PUT", url(ctx.posts, query="?expand=tag"), {"title": pre + "c", "tag": tag["id"]}),
        item("DELETE", url(ctx.posts, doomed["id"], "?fields=id"))))
    created = ctx.su.get(url(ctx.posts), params={"filter": f"title = '{pre}n'"}).json()["items"][0]
    upsert_created = body[3]["body"]
    assert body == [
        {"status": 200, "body": {"id": created["id"], "title": pre + "n",
                                 "expand": {"tag": {"label": pre + "L"}}}},
        {"status": 200, "body": {"title": pre + "other", "tag": tag["id"],
                                 "expand": {"tag": tag}}},
        {"status": 200, "body": {"title": pre + "u"}},
        {"status": 200, "body": rec(ctx.posts, upsert_created["id"], title=pre + "c",
                                    tag=tag["id"], expand={"tag": tag})},
        {"status": 204, "body": None},
    ]


def test_json_keys_are_case_insensitive(ctx):
    pre = tag_prefix()
    r = ctx.guest.post("/api/batch", json={"REQUESTS": [
        {"METHOD": "POST", "Url": url(ctx.posts, query="?fields=title"),
         "Body": {"title": pre + "x"}}]})
    assert ok_results(r) == [{"status": 200, "body": {"title": pre + "x"}}]


def test_urlencoded_json_payload(ctx):
    pre = tag_prefix()
    payload = {"requests": [item("POST", url(ctx.posts, query="?fields=title"), {"title": pre + "u"})]}
    r = ctx.guest.post("/api/batch", data={"@jsonPayload": json.dumps(payload)})
    assert ok_results(r) == [{"status": 200, "body": {"title": pre + "u"}}]
    # the JSON itself as an urlencoded body is no payload at all
    r = ctx.guest.post("/api/batch", data=json.dumps(payload),
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_error(r, 400, INVALID, {"requests": REQUIRED})
    assert titles(ctx, ctx.posts, pre) == [pre + "u"]


# =========================================================================== rollback
FAILING = {
    "validation": (lambda c: item("POST", url(c.posts), {"title": ""}),
                   item_error(400, CREATE_FAILED, {"title": REQUIRED})),
    "short_id": (lambda c: item("POST", url(c.posts), {"id": "short", "title": "x"}),
                 item_error(400, CREATE_FAILED, {"id": {
                     "code": "validation_min_text_constraint",
                     "message": "Must be at least 15 character(s).", "params": {"min": 15}}})),
    "missing_record": (lambda c: item("PATCH", url(c.posts, "nopenopenopenop"), {"title": "x"}),
                       item_error(404, NOT_FOUND)),
    "missing_delete": (lambda c: item("DELETE", url(c.posts, "nopenopenopenop")),
                       item_error(404, NOT_FOUND)),
    "null_rule": (lambda c: item("POST", url(c.locked), {"title": "x"}),
                  item_error(403, SU_ONLY)),
    "unknown_collection": (lambda c: item("POST", "/api/collections/bt_nope_xyz/records", {}),
                           item_error(404, MISSING_COLLECTION)),
    # not an action: the previous item wraps the plain error into a 500
    "get_action": (lambda c: item("GET", url(c.posts)), item_error(500, GENERIC)),
    "non_record_url": (lambda c: item("POST", "/api/collections", {"name": "bt_x"}),
                       item_error(500, GENERIC)),
}


@pytest.mark.parametrize("kind", list(FAILING))
def test_failing_item_rolls_back_everything(ctx, kind):
    pre = tag_prefix()
    keep = new_post(ctx, pre + "keep")
    doomed = new_post(ctx, pre + "doomed")
    make, response = FAILING[kind]
    r = batch(ctx.guest,
              item("POST", url(ctx.posts), {"title": pre + "new"}),
              item("PATCH", url(ctx.posts, keep["id"]), {"title": pre + "keep-changed"}),
              item("DELETE", url(ctx.posts, doomed["id"])),
              item("PUT", url(ctx.posts), {"title": pre + "upserted"}),
              make(ctx),
              item("POST", url(ctx.posts), {"title": pre + "after"}))
    assert_batch_failed(r, 4, response)
    assert titles(ctx, ctx.posts, pre) == [pre + "doomed", pre + "keep"]
    assert ctx.su.get(url(ctx.posts, keep["id"])).json() == keep
    assert ctx.su.get(url(ctx.posts, doomed["id"])).json() == doomed


@pytest.mark.parametrize("bad", [
    item("GET", "/api/health"),
    item("GET", "/api/collections/{posts}/records"),
    item("PUT", "/api/collections/{posts}/records/abcdefghijklmno", {"title": "x"}),
    item("PATCH", "/api/collections/{posts}/records/", {"title": "x"}),
    item("POST", "api/collections/{posts}/records", {"title": "x"}),
    item("POST", "/api/collections/{posts}/records/abcdefghijklmno", {"title": "x"}),
    item("DELETE", "/api/collections/{posts}/records"),
], ids=["health", "list", "put_with_id", "patch_no_id", "relative", "post_with_id", "delete_no_id"])
def test_unknown_action_first_item(ctx, bad):
    bad = {**bad, "url": bad["url"].format(posts=ctx.posts["name"])}
    pre = tag_prefix()
    r = batch(ctx.su, bad, item("POST", url(ctx.posts), {"title": pre + "after"}))
    assert_batch_failed(r, 0, item_error(400, GENERIC))
    assert titles(ctx, ctx.posts, pre) == []


def test_failing_index_is_the_failing_item(ctx):
    pre = tag_prefix()
    for n in (1, 2, 3):
        items = [item("POST", url(ctx.posts), {"title": f"{pre}{i}"}) for i in range(n)]
        r = batch(ctx.guest, *items, item("POST", url(ctx.posts), {"title": ""}))
        assert_batch_failed(r, n, item_error(400, CREATE_FAILED, {"title": REQUIRED}))
    # the first failure stops the batch: later failing items are not reported
    r = batch(ctx.guest, item("POST", url(ctx.posts), {}),
              item("PATCH", url(ctx.posts, "nopenopenopenop"), {}))
    assert_batch_failed(r, 0, item_error(400, CREATE_FAILED, {"title": REQUIRED}))
    assert titles(ctx, ctx.posts, pre) == []


# =========================================================================== request validation
def test_requests_required(ctx):
    for body in ({"requests": []}, {}, {"requests": None}, {"other": [1]}):
        assert_error(ctx.guest.post("/api/batch", json=body), 400, INVALID, {"requests": REQUIRED})
    # no body at all
    assert_error(ctx.guest.post("/api/batch"), 400, INVALID, {"requests": REQUIRED})
    assert_error(ctx.guest.post("/api/batch", data=b"", headers={"Content-Type": "application/json"}),
                 400, INVALID, {"requests": REQUIRED})


def test_more_than_max_requests(ctx):
    pre = tag_prefix()
    ok = [item("POST", url(ctx.posts, query="?fields=title"), {"title": f"{pre}{i:02}"})
          for i in range(MAX_REQUESTS)]
    # the length is checked before the items: invalid items are not reported
    too_many = ok + [{}]
    assert_error(batch(ctx.su, *too_many), 400, INVALID, {"requests": {
        "code": "validation_length_too_long",
        "message": f"The length must be no more than {MAX_REQUESTS}.",
        "params": {"max": MAX_REQUESTS, "min": 0}}})
    assert titles(ctx, ctx.posts, pre) == []
    body = ok_results(batch(ctx.su, *ok))
    assert body == [{"status": 200, "body": {"title": f"{pre}{i:02}"}} for i in range(MAX_REQUESTS)]


def test_item_validation(ctx):
    u = url(ctx.posts)
    assert_error(batch(ctx.guest, {}), 400, INVALID, {"requests": {"0": {
        "method": REQUIRED, "url": REQUIRED}}})
    assert_error(batch(ctx.guest, item("FOO", "")), 400, INVALID, {"requests": {"0": {
        "method": BAD_METHOD, "url": REQUIRED}}})
    # methods are case-sensitive; only invalid items are listed, keyed by index
    r = batch(ctx.guest, item("post", u, {"title": "x"}), item("POST", u, {"title": "x"}),
              item("POST", "/" + "a" * 2000), item("HEAD", u), item("OPTIONS", u))
    assert_error(r, 400, INVALID, {"requests": {
        "0": {"method": BAD_METHOD},
        "2": {"url": {"code": "validation_length_too_long",
                      "message": "The length must be no more than 2000.",
                      "params": {"max": 2000, "min": 0}}},
        "3": {"method": BAD_METHOD},
        "4": {"method": BAD_METHOD}}})


@pytest.mark.parametrize("raw,ctype", [
    ("{bad", "application/json"),
    ('{"requests": "x"}', "application/json"),
    ('{"requests": [1]}', "application/json"),
    ('[{"method": "POST", "url": "/api/collections/x/records"}]', "application/json"),
    ('{"requests": [{"method": "POST", "url": "/x", "body": "text"}]}', "application/json"),
    ('{"requests": [{"method": "POST", "url": "/x", "headers": {"X-A": 1}}]}', "application/json"),
    ('{"requests": [{"method": 1, "url": "/x"}]}', "application/json"),
    ('{"requests": []}', "text/plain"),
], ids=["syntax", "requests_string", "item_number", "top_array", "body_string",
        "header_number", "method_number", "text_plain"])
def test_malformed_body(ctx, raw, ctype):
    r = ctx.guest.post("/api/batch", data=raw.encode(), headers={"Content-Type": ctype})
    assert_error(r, 400, READ_FAILED, {})


def test_max_body_size(ctx, restore_batch):
    assert set_batch(ctx.su, maxBodySize=300) == {**ENABLED, "maxBodySize": 300}
    pre = tag_prefix()
    small = {"requests": [item("POST", url(ctx.posts, query="?fields=title"), {"title": pre + "s"})]}
    assert len(json.dumps(small)) < 300
    assert ok_results(ctx.guest.post("/api/batch", json=small)) == [
        {"status": 200, "body": {"title": pre + "s"}}]
    big = {"requests": [item("POST", url(ctx.posts), {"title": pre + "b" * 400})]}
    # Content-Length over the limit: 413
    assert_error(ctx.guest.post("/api/batch", json=big), 413, TOO_LARGE, {})
    # chunked (no Content-Length): the limit trips while reading → the read failure
    chunks = iter([json.dumps(big).encode()])
    r = ctx.guest.post("/api/batch", data=chunks, headers={"Content-Type": "application/json"})
    assert_error(r, 400, READ_FAILED, {})
    assert titles(ctx, ctx.posts, pre) == [pre + "s"]


def test_transaction_timeout(ctx, restore_batch):
    """Items still running after `timeout` seconds: 400 with empty data, everything rolled back.
    Each create hashes a password with bcrypt cost 14 (~1 s or more per item), timeout is 1 s."""
    slow = create_collection(ctx.su, {"name": unique_name("bt_slow"), "type": "auth",
                                      "createRule": "", "listRule": "", "fields": []})
    fields = slow["fields"]
    for f in fields:
        if f["name"] == "password":
            f["cost"] = 14
    r = ctx.su.patch(f"/api/collections/{slow['id']}", json={"fields": fields})
    assert r.status_code == 200, r.text
    assert set_batch(ctx.su, timeout=1) == {**ENABLED, "timeout": 1}
    items = [item("POST", url(slow), {"email": f"slow{i}{uuid.uuid4().hex[:6]}@example.com",
                                      "password": PASSWORD, "passwordConfirm": PASSWORD})
             for i in range(3)]
    started = time.monotonic()
    r = batch(ctx.guest, *items)
    elapsed = time.monotonic() - started
    assert_error(r, 400, TX_FAILED, {})
    assert elapsed >= 0.9, elapsed
    assert ctx.su.get(url(slow)).json()["totalItems"] == 0


# =========================================================================== auth and rules
def test_items_use_the_batch_callers_auth(ctx):
    u0, u1 = ctx.users
    pre = tag_prefix()
    theirs = ctx.su.post(url(ctx.notes), json={"title": pre + "theirs", "owner": u1.id}).json()
    body = ok_results(batch(u0.api, item("POST", url(ctx.notes), {"title": pre + "mine",
                                                                   "owner": u0.id})))
    mine = body[0]["body"]
    assert body == [{"status": 200, "body": rec(ctx.notes, mine["id"], title=pre + "mine",
                                                owner=u0.id)}]
    r = batch(u0.api, item("POST", url(ctx.notes), {"title": pre + "x", "owner": u1.id}))
    assert_batch_failed(r, 0, item_error(400, CREATE_FAILED))
    for bad in (item("PATCH", url(ctx.notes, theirs["id"]), {"title": pre + "hijack"}),
                item("DELETE", url(ctx.notes, theirs["id"])),
                # upsert finds the record regardless of rules, so it is an update → 404, no create
                item("PUT", url(ctx.notes), {"id": theirs["id"], "title": pre + "hijack"})):
        assert_batch_failed(batch(u0.api, bad), 0, item_error(404, NOT_FOUND))
    # rollback of the user's own successful items too
    r = batch(u0.api, item("PATCH", url(ctx.notes, mine["id"]), {"title": pre + "mine2"}),
              item("PATCH", url(ctx.notes, theirs["id"]), {"title": pre + "hijack"}))
    assert_batch_failed(r, 1, item_error(404, NOT_FOUND))
    assert titles(ctx, ctx.notes, pre) == [pre + "mine", pre + "theirs"]
    # guests fail the owner rule and null rules
    r = batch(ctx.guest, item("POST", url(ctx.notes), {"title": pre + "g", "owner": u0.id}))
    assert_batch_failed(r, 0, item_error(400, CREATE_FAILED))
    for client in (ctx.guest, u0.api):
        r = batch(client, item("POST", url(ctx.locked), {"title": pre + "l"}))
        assert_batch_failed(r, 0, item_error(403, SU_ONLY))


def test_sub_request_authorization_header_is_ignored(ctx):
    u0, u1 = ctx.users
    pre = tag_prefix()
    su_token = ctx.su.token
    # a guest batch stays a guest batch
    r = batch(ctx.guest, item("POST", url(ctx.notes), {"title": pre + "g", "owner": u0.id},
                              headers={"Authorization": u0.token}))
    assert_batch_failed(r, 0, item_error(400, CREATE_FAILED))
    r = batch(ctx.guest, item("POST", url(ctx.locked), {"title": pre + "g"},
                              headers={"authorization": su_token}))
    assert_batch_failed(r, 0, item_error(403, SU_ONLY))
    # user 0's batch acts as user 0 whatever the item says
    r = batch(u0.api, item("POST", url(ctx.notes), {"title": pre + "as-u1", "owner": u1.id},
                           headers={"Authorization": u1.token}))
    assert_batch_failed(r, 0, item_error(400, CREATE_FAILED))
    body = ok_results(batch(u0.api, item("POST", url(ctx.notes, query="?fields=title,owner"),
                                         {"title": pre + "as-u0", "owner": u0.id},
                                         headers={"AUTHORIZATION": u1.token})))
    assert body == [{"status": 200, "body": {"title": pre + "as-u0", "owner": u0.id}}]
    assert titles(ctx, ctx.notes, pre) == [pre + "as-u0"]


def test_superuser_bypasses_rules(ctx):
    u0, u1 = ctx.users
    pre = tag_prefix()
    theirs = ctx.su.post(url(ctx.notes), json={"title": pre + "theirs", "owner": u1.id}).json()
    body = ok_results(batch(
        ctx.su,
        item("POST", url(ctx.notes, query="?fields=title,owner"), {"title": pre + "n", "owner": u1.id}),
        item("PATCH", url(ctx.notes, theirs["id"], "?fields=title"), {"title": pre + "theirs2"}),
        item("POST", url(ctx.locked, query="?fields=title"), {"title": pre + "locked"}),
        item("PUT", url(ctx.notes, query="?fields=title"), {"id": theirs["id"], "title": pre + "t3"})))
    assert body == [{"status": 200, "body": {"title": pre + "n", "owner": u1.id}},
                    {"status": 200, "body": {"title": pre + "theirs2"}},
                    {"status": 200, "body": {"title": pre + "locked"}},
                    {"status": 200, "body": {"title": pre + "t3"}}]
    assert titles(ctx, ctx.notes, pre) == [pre + "n", pre + "t3"]
    assert titles(ctx, ctx.locked, pre) == [pre + "locked"]


def test_request_context_is_batch(ctx):
    coll = create_collection(ctx.su, {
        "name": unique_name("bt_ctx"), "listRule": "", "viewRule": "",
        "createRule": '@request.context = "batch" && @request.method = "POST"',
        "updateRule": '@request.context = "batch" && @request.method = "PATCH"',
        "deleteRule": '@request.context = "batch" && @request.method = "DELETE"',
        "fields": [{"name": "title", "type": "text"}]})
    pre = tag_prefix()
    # direct requests have context "default"
    assert_error(ctx.guest.post(url(coll), json={"title": pre + "direct"}), 400, CREATE_FAILED, {})
    existing = ctx.su.post(url(coll), json={"title": pre + "e"}).json()
    assert_error(ctx.guest.patch(url(coll, existing["id"]), json={"title": pre + "d"}),
                 404, NOT_FOUND, {})
    # upserts run as POST (create) / PATCH (update), not PUT
    body = ok_results(batch(ctx.guest,
                            item("POST", url(coll, query="?fields=title"), {"title": pre + "c"}),
                            item("PUT", url(coll, query="?fields=title"), {"title": pre + "uc"}),
                            item("PUT", url(coll, query="?fields=title"),
                                 {"id": existing["id"], "title": pre + "uu"}),
                            item("PATCH", url(coll, existing["id"], "?fields=title"),
                                 {"title": pre + "p"}),
                            item("DELETE", url(coll, existing["id"]))))
    assert body == [{"status": 200, "body": {"title": pre + "c"}},
                    {"status": 200, "body": {"title": pre + "uc"}},
                    {"status": 200, "body": {"title": pre + "uu"}},
                    {"status": 200, "body": {"title": pre + "p"}},
                    {"status": 204, "body": None}]
    assert titles(ctx, coll, pre) == [pre + "c", pre + "uc"]


def test_sub_request_query_comes_from_the_item_url(ctx):
    coll = create_collection(ctx.su, {
        "name": unique_name("bt_query"), "listRule": "", "viewRule": "",
        "createRule": '@request.query.k = "v"', "updateRule": '@request.query.k = "v"',
        "fields": [{"name": "title", "type": "text"}]})
    pre = tag_prefix()
    existing = ctx.su.post(url(coll), json={"title": pre + "e"}).json()
    body = ok_results(batch(ctx.guest,
                            item("POST", url(coll, query="?k=v&fields=title"), {"title": pre + "c"}),
                            item("PUT", url(coll, query="?fields=title&k=v"),
                                 {"id": existing["id"], "title": pre + "u"})))
    assert body == [{"status": 200, "body": {"title": pre + "c"}},
                    {"status": 200, "body": {"title": pre + "u"}}]
    # the batch request's own query string is not passed on
    r = ctx.guest.post("/api/batch?k=v", json={"requests": [
        item("PATCH", url(coll, existing["id"]), {"title": pre + "x"})]})
    assert_batch_failed(r, 0, item_error(404, NOT_FOUND))
    r = ctx.guest.post("/api/batch?k=v", json={"requests": [
        item("POST", url(coll), {"title": pre + "x"})]})
    assert_batch_failed(r, 0, item_error(400, CREATE_FAILED))
    assert titles(ctx, coll, pre) == [pre + "c", pre + "u"]


def test_sub_request_headers(ctx):
    coll = create_collection(ctx.su, {
        "name": unique_name("bt_headers"), "listRule": "", "viewRule": "",
        "createRule": '@request.headers.x_token = "abc"',
        "fields": [{"name": "title", "type": "text"}]})
    pre = tag_prefix()
    mk = lambda t, h=None: item("POST", url(coll, query="?fields=title"), {"title": pre + t}, h)
    # the item's own headers
    assert ok_results(batch(ctx.guest, mk("item", {"X-Token": "abc"}))) == [
        {"status": 200, "body": {"title": pre + "item"}}]
    # the batch request's headers are inherited ...
    assert ok_results(batch(ctx.guest, mk("inherited"), headers={"X-Token": "abc"})) == [
        {"status": 200, "body": {"title": pre + "inherited"}}]
    # ... and overridden by the item's
    r = batch(ctx.guest, mk("overridden", {"x-token": "nope"}), headers={"X-Token": "abc"})
    assert_batch_failed(r, 0, item_error(400, CREATE_FAILED))
    for headers in (None, {"X-Token": "nope"}):
        assert_batch_failed(batch(ctx.guest, mk("x", headers)), 0, item_error(400, CREATE_FAILED))
    assert titles(ctx, coll, pre) == [pre + "inherited", pre + "item"]


# =========================================================================== multipart
@pytest.fixture(scope="module")
def files_coll(ctx):
    return create_collection(ctx.su, {
        "name": unique_name("bt_files"), "listRule": "", "viewRule": "", "createRule": "",
        "updateRule": "", "deleteRule": "",
        "fields": [{"name": "title", "type": "text"},
                   {"name": "doc", "type": "file", "maxSelect": 1},
                   {"name": "docs", "type": "file", "maxSelect": 5}]})


def multipart(client: Api, requests_: list, files: list):
    return client.post("/api/batch", data={"@jsonPayload": json.dumps({"requests": requests_})},
                       files=files)


def test_multipart_files(ctx, files_coll):
    pre = tag_prefix()
    existing = ctx.su.post(url(files_coll), json={"title": pre + "e"}).json()
    r = multipart(ctx.guest, [
        item("POST", url(files_coll), {"title": pre + "0"}),
        item("POST", url(files_coll), {"title": pre + "1"}),
        item("POST", url(files_coll)),                       # no body: the file alone
        item("PATCH", url(files_coll, existing["id"]), {"title": pre + "e2"}),
    ], [
        ("requests.0.doc", ("hello.txt", b"hello world", "text/plain")),
        ("requests[1].docs", ("a.txt", b"A", "text/plain")),
        ("requests[1].docs", ("b.txt", b"B", "text/plain")),
        ("requests.2.doc", ("only.txt", b"only", "text/plain")),
        ("requests.3.doc", ("upd.txt", b"updated", "text/plain")),
        ("doc", ("stray.txt", b"stray", "text/plain")),           # no prefix: ignored
        ("requests.9.doc", ("far.txt", b"far", "text/plain")),    # no such item: ignored
    ])
    body = ok_results(r)
    assert [x["status"] for x in body] == [200, 200, 200, 200]
    got = [x["body"] for x in body]
    assert [g["title"] for g in got] == [pre + "0", pre + "1", "", pre + "e2"]
    assert got[3]["id"] == existing["id"]
    assert got[0]["doc"] and got[0]["docs"] == []
    assert got[1]["doc"] == "" and len(got[1]["docs"]) == 2
    assert got[2]["doc"] and got[3]["doc"]
    expected = {(0, got[0]["doc"]): b"hello world", (1, got[1]["docs"][0]): b"A",
                (1, got[1]["docs"][1]): b"B", (2, got[2]["doc"]): b"only",
                (3, got[3]["doc"]): b"updated"}
    for (i, name), content in expected.items():
        assert name.endswith(".txt"), name
        f = ctx.guest.get(f"/api/files/{files_coll['name']}/{got[i]['id']}/{name}")
        assert f.status_code == 200, f.text
        assert f.content == content
    assert ctx.su.get(url(files_coll, got[0]["id"])).json() == got[0]


def test_multipart_rollback_and_errors(ctx, files_coll):
    pre = tag_prefix()
    r = multipart(ctx.guest, [item("POST", url(files_coll), {"title": pre + "f"}),
                              item("PATCH", url(files_coll, "nopenopenopenop"), {"title": "x"})],
                  [("requests.0.doc", ("hello.txt", b"hello", "text/plain"))])
    assert_batch_failed(r, 1, item_error(404, NOT_FOUND))
    assert titles(ctx, files_coll, pre) == []
    # no @jsonPayload: no requests
    r = ctx.guest.post("/api/batch", data={"x": "1"},
                       files=[("requests.0.doc", ("a.txt", b"a", "text/plain"))])
    assert_error(r, 400, INVALID, {"requests": REQUIRED})
    # a broken @jsonPayload
    r = ctx.guest.post("/api/batch", data={"@jsonPayload": "{bad"},
                       files=[("requests.0.doc", ("a.txt", b"a", "text/plain"))])
    assert_error(r, 400, READ_FAILED, {})


# =========================================================================== Python SDK (Swiftbase)
# pocketbase 0.17.3's BatchService.send() posts the JSON body {"@jsonPayload": "<json string>"}
# (never multipart, files unsupported) and returns the parsed JSON list. PocketBase itself reads
# that body as having no `requests`; Swiftbase accepts it.
@pytest.fixture()
def sdk(ctx, swiftbase_only):
    client = PocketBase(ctx.url, timeout=30)
    client.collection("_superusers").auth_with_password(SU_EMAIL, SU_PASSWORD)
    return client


def test_sdk_batch_create_update_upsert_delete(ctx, sdk):
    pre = tag_prefix()
    upd = new_post(ctx, pre + "upd")
    ups = new_post(ctx, pre + "ups")
    gone = new_post(ctx, pre + "gone")
    b = sdk.create_batch()
    b.collection(ctx.posts["name"]).create({"title": pre + "created"})
    b.collection(ctx.posts["id"]).update(upd["id"], {"title": pre + "upd2"})
    b.collection(ctx.posts["name"]).upsert({"id": ups["id"], "title": pre + "ups2"})
    b.collection(ctx.posts["name"]).upsert({"title": pre + "ups-new"})
    b.collection(ctx.posts["name"]).delete(gone["id"])
    result = b.send()
    assert isinstance(result, list) and len(result) == 5
    created, upserted = result[0]["body"]["id"], result[3]["body"]["id"]
    assert result == [
        {"status": 200, "body": rec(ctx.posts, created, title=pre + "created", tag="")},
        {"status": 200, "body": rec(ctx.posts, upd["id"], title=pre + "upd2", tag="")},
        {"status": 200, "body": rec(ctx.posts, ups["id"], title=pre + "ups2", tag="")},
        {"status": 200, "body": rec(ctx.posts, upserted, title=pre + "ups-new", tag="")},
        {"status": 204, "body": None},
    ]
    assert titles(ctx, ctx.posts, pre) == sorted(
        [pre + "created", pre + "upd2", pre + "ups2", pre + "ups-new"])
    assert not exists(ctx, ctx.posts, gone["id"])
    got = sdk.collection(ctx.posts["name"]).get_one(created)
    assert got.id == created and got.title == pre + "created"


def test_sdk_batch_failure_raises(ctx, sdk):
    pre = tag_prefix()
    keep = new_post(ctx, pre + "keep")
    b = sdk.create_batch()
    b.collection(ctx.posts["name"]).create({"title": pre + "new"})
    b.collection(ctx.posts["name"]).update(keep["id"], {"title": pre + "changed"})
    b.collection(ctx.posts["name"]).create({"title": ""})
    with pytest.raises(ClientResponseError) as ei:
        b.send()
    assert ei.value.status == 400
    assert ei.value.data == {"status": 400, "message": TX_FAILED, "data": {"requests": {"2": {
        "code": "batch_request_failed", "message": "Batch request failed.",
        "response": item_error(400, CREATE_FAILED, {"title": REQUIRED})}}}}
    assert titles(ctx, ctx.posts, pre) == [pre + "keep"]
    # the raw API answers the same for the same batch
    raw = batch(ctx.su, item("POST", url(ctx.posts), {"title": pre + "new"}),
                item("PATCH", url(ctx.posts, keep["id"]), {"title": pre + "changed"}),
                item("POST", url(ctx.posts), {"title": ""}))
    assert raw.json() == ei.value.data
    # an empty SDK batch is a validation error
    with pytest.raises(ClientResponseError) as ei:
        sdk.create_batch().send()
    assert ei.value.status == 400
    assert ei.value.data == {"status": 400, "message": INVALID, "data": {"requests": REQUIRED}}

"""API rules in depth (§4.1, §4.2, §4.6, §5, §13): the identity × action matrix of owner rules,
expand under the target's viewRule, `@request.*` data in rules, `@collection.*` joins, modifiers,
the guest null/empty trap, auth `manageRule` and hidden fields.

Every expectation below was observed on PocketBase 0.40.6. Identities: guest (no token), owner and
other (users of one auth collection), admin (same collection, role "admin"), outsider (a user of a
second auth collection, role "admin") and superuser."""
import uuid
from types import SimpleNamespace

import pytest
from pocketbase import PocketBase
from pocketbase.errors import ClientResponseError

from conftest import assert_error, create_collection, unique_name, new_record, records

PASSWORD = "Secret-pass-1234"
NEW_PASSWORD = "Another-pass-5678"
SU_ONLY = "Only superusers can perform this action."
NOT_FOUND = "The requested resource wasn't found."
CREATE_FAILED = "Failed to create record."
UPDATE_FAILED = "Failed to update record."
GENERIC_400 = "Something went wrong while processing your request."
MISMATCH = {"code": "validation_values_mismatch", "message": "Values don't match."}
OLD_PW_REQUIRED = {"code": "validation_required", "message": "Cannot be blank."}
OLD_PW_INVALID = {"code": "validation_invalid_old_password", "message": "Missing or invalid old password."}

SU = object()      # "token" of the superuser: call() then uses the api fixture's own token


class _Absent:
    def __repr__(self):
        return "<no expand key>"


ABSENT = _Absent()  # the response has no `expand` key at all


# --------------------------------------------------------------------------- helpers
def call(api, token, method, path, **kw):
    """One request as `token`: None = guest, SU = superuser, else a record auth token."""
    if token is SU:
        return api.request(method, path, **kw)
    headers = dict(kw.pop("headers", None) or {})
    if token:
        headers["Authorization"] = token
    return api.request(method, path, auth=False, headers=headers, **kw)


def new_user(api, coll, **fields) -> dict:
    """A user created by the superuser (so `role`/hidden fields can be set), then logged in."""
    email = f"{uuid.uuid4().hex[:12]}@example.com"
    rec = new_record(api, coll, email=email, password=PASSWORD, passwordConfirm=PASSWORD, **fields)
    r = api.post(f"/api/collections/{coll['name']}/auth-with-password", auth=False,
                 json={"identity": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"id": rec["id"], "email": email, "token": r.json()["token"], "record": rec}


def su_view(api, coll, rid):
    return api.get(f"{records(coll)}/{rid}")


def titles(resp) -> list:
    assert resp.status_code == 200, resp.text
    return sorted(i["title"] for i in resp.json()["items"])


# --------------------------------------------------------------------------- shared world
@pytest.fixture(scope="module")
def world(api):
    teams = create_collection(api, {"name": unique_name("rm_teams"), "listRule": None, "viewRule": None,
                                    "fields": [{"name": "name", "type": "text"}]})
    people = create_collection(api, {
        "name": unique_name("rm_people"), "type": "auth", "listRule": "", "viewRule": "",
        "fields": [{"name": "role", "type": "text"},
                   {"name": "team", "type": "relation", "collectionId": teams["id"]},
                   {"name": "pin", "type": "text", "hidden": True}]})
    outsiders = create_collection(api, {"name": unique_name("rm_outsiders"), "type": "auth",
                                        "fields": [{"name": "role", "type": "text"}]})
    red = new_record(api, teams, name="red")["id"]
    blue = new_record(api, teams, name="blue")["id"]
    users = {
        "owner": new_user(api, people, role="user", team=red, pin="1234"),
        "other": new_user(api, people, role="user", team=blue, pin="0000"),
        "admin": new_user(api, people, role="admin", team=blue),
        "outsider": new_user(api, outsiders, role="admin"),
    }
    tokens = {"guest": None, "superuser": SU, **{k: u["token"] for k, u in users.items()}}
    return SimpleNamespace(teams=teams, people=people, outsiders=outsiders, red=red, blue=blue,
                           users=users, tokens=tokens)


@pytest.fixture(scope="module")
def make_coll(api):
    """Factory: a fresh base collection with rules (default "" = public) and the given fields."""
    def make(prefix, fields, **rules):
        base = {"listRule": "", "viewRule": "", "createRule": "", "updateRule": "", "deleteRule": ""}
        base.update(rules)
        return create_collection(api, {"name": unique_name(prefix), **base, "fields": fields})
    return make


# =========================================================================== 1. owner-rule matrix
OWNER = "owner = @request.auth.id"
NOTE_RULES = {"listRule": OWNER, "viewRule": OWNER, "updateRule": OWNER, "deleteRule": OWNER,
              "createRule": '@request.auth.id != "" && owner = @request.auth.id'}
LOCKED_RULES = {k: None for k in NOTE_RULES}
ACTIONS = ["list", "view", "create", "update", "delete"]
IDENTITIES = ["guest", "owner", "other", "superuser"]

# list: titles returned (filtered silently); others: HTTP status
OWNER_MATRIX = {
    "list": {"guest": [], "owner": ["mine"], "other": ["theirs"], "superuser": ["mine", "theirs"]},
    "view": {"guest": 404, "owner": 200, "other": 404, "superuser": 200},
    "create": {"guest": 400, "owner": 200, "other": 400, "superuser": 200},
    "update": {"guest": 404, "owner": 200, "other": 404, "superuser": 200},
    "delete": {"guest": 404, "owner": 204, "other": 404, "superuser": 204},
}
CELLS = [(a, i) for a in ACTIONS for i in IDENTITIES]


@pytest.fixture(scope="module")
def notes(api, world, make_coll):
    fields = [{"name": "title", "type": "text"},
              {"name": "owner", "type": "relation", "collectionId": world.people["id"]}]
    listed = make_coll("rm_notes_list", fields, **NOTE_RULES)  # never written to after setup
    new_record(api, listed, title="mine", owner=world.users["owner"]["id"])
    new_record(api, listed, title="theirs", owner=world.users["other"]["id"])
    return SimpleNamespace(listed=listed, rw=make_coll("rm_notes", fields, **NOTE_RULES),
                           locked=make_coll("rm_notes_locked", fields, **LOCKED_RULES))


def run_cell(api, world, coll, action, token):
    """Performs `action` on `coll` as `token` against a fresh record owned by `owner`.
    Returns (response, target record or None)."""
    owner_id = world.users["owner"]["id"]
    if action == "list":
        return call(api, token, "GET", records(coll), params={"perPage": 100}), None
    if action == "create":
        return call(api, token, "POST", records(coll), json={"title": "new", "owner": owner_id}), None
    rec = new_record(api, coll, title="target", owner=owner_id)
    path = f"{records(coll)}/{rec['id']}"
    if action == "view":
        return call(api, token, "GET", path), rec
    if action == "update":
        return call(api, token, "PATCH", path, json={"title": "changed"}), rec
    return call(api, token, "DELETE", path), rec


@pytest.mark.parametrize("action,identity", CELLS, ids=[f"{a}-{i}" for a, i in CELLS])
def test_owner_rule_matrix(api, world, notes, action, identity):
    token = world.tokens[identity]
    expected = OWNER_MATRIX[action][identity]
    coll = notes.listed if action == "list" else notes.rw
    r, rec = run_cell(api, world, coll, action, token)
    if action == "list":
        assert titles(r) == expected
        assert r.json()["totalItems"] == len(expected)
    elif expected == 400:
        assert_error(r, 400, CREATE_FAILED, {})
    elif expected == 404:
        assert_error(r, 404, NOT_FOUND, {})
        after = su_view(api, coll, rec["id"])  # nothing happened to the hidden record
        assert after.status_code == 200, after.text
        assert after.json()["title"] == "target"
    elif expected == 204:
        assert r.status_code == 204, r.text
        assert r.content == b""
        assert su_view(api, coll, rec["id"]).status_code == 404
    else:
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["owner"] == world.users["owner"]["id"]
        assert body["title"] == {"view": "target", "update": "changed", "create": "new"}[action]


@pytest.mark.parametrize("action,identity", CELLS, ids=[f"{a}-{i}" for a, i in CELLS])
def test_null_rule_matrix(api, world, notes, action, identity):
    r, rec = run_cell(api, world, notes.locked, action, world.tokens[identity])
    if identity != "superuser":
        assert_error(r, 403, SU_ONLY, {})
        if rec is not None:
            after = su_view(api, notes.locked, rec["id"])
            assert after.status_code == 200, after.text
            assert after.json()["title"] == "target"
        return
    assert r.status_code == (204 if action == "delete" else 200), r.text
    if action == "list":
        assert r.json()["totalItems"] == len(r.json()["items"])


def test_owner_cannot_create_for_someone_else(world, notes, api):
    r = call(api, world.tokens["owner"], "POST", records(notes.rw),
             json={"title": "gift", "owner": world.users["other"]["id"]})
    assert_error(r, 400, CREATE_FAILED, {})
    r = call(api, world.tokens["owner"], "POST", records(notes.rw), json={"title": "orphan"})
    assert_error(r, 400, CREATE_FAILED, {})


def test_update_rule_checks_the_stored_row_only(api, world, notes):
    """updateRule sees the old row: the owner may hand the record over to someone else."""
    rec = new_record(api, notes.rw, title="handover", owner=world.users["owner"]["id"])
    path = f"{records(notes.rw)}/{rec['id']}"
    r = call(api, world.tokens["owner"], "PATCH", path, json={"owner": world.users["other"]["id"]})
    assert r.status_code == 200, r.text
    assert r.json()["owner"] == world.users["other"]["id"]
    assert_error(call(api, world.tokens["owner"], "GET", path), 404, NOT_FOUND, {})
    assert call(api, world.tokens["other"], "GET", path).json()["title"] == "handover"


@pytest.mark.parametrize("identity", ["owner", "superuser"])
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_missing_record_is_404(api, world, notes, identity, method):
    r = call(api, world.tokens[identity], method, f"{records(notes.rw)}/missing12345678",
             json={} if method == "PATCH" else None)
    assert_error(r, 404, NOT_FOUND, {})


def test_owner_rules_through_the_sdk(server, world, notes):
    client = PocketBase(server.url, timeout=30)
    client.collection(world.people["name"]).auth_with_password(world.users["owner"]["email"], PASSWORD)
    svc = client.collection(notes.listed["name"])
    items = svc.get_full_list()
    assert [i.title for i in items] == ["mine"]
    assert PocketBase(server.url, timeout=30).collection(notes.listed["name"]).get_full_list() == []
    with pytest.raises(ClientResponseError) as ei:
        client.collection(notes.locked["name"]).get_list()
    assert ei.value.status == 403 and ei.value.data["message"] == SU_ONLY


# =========================================================================== 2. expand vs viewRule
@pytest.fixture(scope="module")
def exp(api, world, make_coll):
    people = world.people
    owner_f = [{"name": "t", "type": "text"},
               {"name": "owner", "type": "relation", "collectionId": people["id"]}]
    secrets = make_coll("rm_secrets", owner_f, listRule=None, viewRule=OWNER)
    vault = make_coll("rm_vault", [{"name": "t", "type": "text"}], viewRule=None)
    ctx = make_coll("rm_ctx", [{"name": "t", "type": "text"}], viewRule="@request.context = 'expand'")
    posts = make_coll("rm_posts", [
        {"name": "title", "type": "text"},
        {"name": "secret", "type": "relation", "collectionId": secrets["id"]},
        {"name": "secrets", "type": "relation", "collectionId": secrets["id"], "maxSelect": 5},
        {"name": "vault", "type": "relation", "collectionId": vault["id"]},
        {"name": "ctx", "type": "relation", "collectionId": ctx["id"]}])
    # back-relation targets: which rule does `<coll>_via_owner` honour?
    back = {
        "jlist": make_coll("rm_jlist", owner_f, listRule=None, viewRule=""),
        "jview": make_coll("rm_jview", owner_f, listRule="", viewRule=None),
        "jown": make_coll("rm_jown", owner_f, listRule="", viewRule=OWNER),
    }
    owner, other = world.users["owner"]["id"], world.users["other"]["id"]
    ids = {"s_own": new_record(api, secrets, t="s-own", owner=owner)["id"],
           "s_other": new_record(api, secrets, t="s-other", owner=other)["id"],
           "v": new_record(api, vault, t="v")["id"],
           "c": new_record(api, ctx, t="c")["id"]}
    post = new_record(api, posts, title="p", secret=ids["s_own"], vault=ids["v"], ctx=ids["c"],
                      secrets=[ids["s_own"], ids["s_other"]])
    empty_post = new_record(api, posts, title="empty")
    back_ids = {k: sorted(new_record(api, c, t=t, owner=owner)["id"] for t in ("a", "b"))
                for k, c in back.items()}
    return SimpleNamespace(secrets=secrets, vault=vault, ctx=ctx, posts=posts, back=back, ids=ids,
                           post=post, empty_post=empty_post, back_ids=back_ids)


def expand_ids(body):
    """expand → {key: id | [ids]} (ABSENT when there is no expand key)."""
    if "expand" not in body:
        return ABSENT
    return {k: ([x["id"] for x in v] if isinstance(v, list) else v["id"])
            for k, v in body["expand"].items()}


EXPAND_CASES = {
    "secret": {"guest": {}, "owner": {"secret": "s_own"}, "other": {},
               "superuser": {"secret": "s_own"}},
    "secrets": {"guest": {}, "owner": {"secrets": ["s_own"]}, "other": {"secrets": ["s_other"]},
                "superuser": {"secrets": ["s_own", "s_other"]}},
    # a null viewRule makes the expand fail as a whole: no `expand` key at all
    "vault": {"guest": ABSENT, "owner": ABSENT, "other": ABSENT, "superuser": {"vault": "v"}},
    "vault,secret": {"guest": {}, "owner": {"secret": "s_own"}, "other": {},
                     "superuser": {"vault": "v", "secret": "s_own"}},
    # the ctx viewRule only accepts @request.context = "expand"
    "ctx": {i: {"ctx": "c"} for i in IDENTITIES},
    "title": {i: ABSENT for i in IDENTITIES},
    "nope": {i: ABSENT for i in IDENTITIES},
}
EXPAND_PARAMS = [(e, i) for e in EXPAND_CASES for i in IDENTITIES]


def _resolve(expected, ids):
    if expected is ABSENT:
        return ABSENT
    return {k: ([ids[x] for x in v] if isinstance(v, list) else ids[v]) for k, v in expected.items()}


@pytest.mark.parametrize("expand,identity", EXPAND_PARAMS, ids=[f"{e}-{i}" for e, i in EXPAND_PARAMS])
def test_expand_honours_the_target_view_rule(api, world, exp, expand, identity):
    r = call(api, world.tokens[identity], "GET", f"{records(exp.posts)}/{exp.post['id']}",
             params={"expand": expand})
    assert r.status_code == 200, r.text
    assert expand_ids(r.json()) == _resolve(EXPAND_CASES[expand][identity], exp.ids)


def test_expanded_record_shape(api, world, exp):
    r = call(api, world.tokens["owner"], "GET", records(exp.posts),
             params={"expand": "secret", "filter": f"id = '{exp.post['id']}'"})
    assert r.status_code == 200
    assert r.json()["items"][0]["expand"] == {"secret": {
        "collectionId": exp.secrets["id"], "collectionName": exp.secrets["name"],
        "id": exp.ids["s_own"], "owner": world.users["owner"]["id"], "t": "s-own"}}


@pytest.mark.parametrize("expand,expected", [("secret", {}), ("vault", ABSENT), ("vault,secret", {})])
def test_expand_of_an_empty_relation(api, exp, expand, expected):
    r = call(api, None, "GET", f"{records(exp.posts)}/{exp.empty_post['id']}", params={"expand": expand})
    assert r.status_code == 200
    assert expand_ids(r.json()) == expected


def test_nested_expand_shows_own_email(api, world, exp):
    path = f"{records(exp.posts)}/{exp.post['id']}"
    r = call(api, world.tokens["owner"], "GET", path, params={"expand": "secret.owner"})
    nested = r.json()["expand"]["secret"]["expand"]["owner"]
    assert nested["id"] == world.users["owner"]["id"]
    assert nested["email"] == world.users["owner"]["email"]  # the requester's own record
    assert "pin" not in nested
    assert expand_ids(call(api, world.tokens["other"], "GET", path,
                           params={"expand": "secret.owner"}).json()) == {}


BACK_CASES = {
    # back-relation expand uses the back collection's viewRule, not its listRule
    "jlist": {"guest": "all", "owner": "all", "other": "all", "superuser": "all"},
    "jview": {"guest": ABSENT, "owner": ABSENT, "other": ABSENT, "superuser": "all"},
    "jown": {"guest": {}, "owner": "all", "other": {}, "superuser": "all"},
}
BACK_PARAMS = [(b, i) for b in BACK_CASES for i in IDENTITIES]


@pytest.mark.parametrize("back,identity", BACK_PARAMS, ids=[f"{b}-{i}" for b, i in BACK_PARAMS])
def test_back_relation_expand_uses_view_rule(api, world, exp, back, identity):
    coll = exp.back[back]
    key = f"{coll['name']}_via_owner"
    r = call(api, world.tokens[identity], "GET",
             f"{records(world.people)}/{world.users['owner']['id']}", params={"expand": key})
    assert r.status_code == 200, r.text
    got = expand_ids(r.json())
    expected = BACK_CASES[back][identity]
    if expected == "all":
        assert got is not ABSENT and set(got) == {key}, got
        assert sorted(got[key]) == exp.back_ids[back]
    else:
        assert got == expected


def test_context_is_expand_only_inside_expansion(api, exp):
    path = f"{records(exp.ctx)}/{exp.ids['c']}"
    assert_error(call(api, None, "GET", path), 404, NOT_FOUND, {})
    assert call(api, SU, "GET", path).status_code == 200
    assert [i["id"] for i in call(api, None, "GET", records(exp.ctx)).json()["items"]] == [exp.ids["c"]]


# =========================================================================== 3. @request.* in rules
FIELDS = [{"name": "title", "type": "text"}, {"name": "n", "type": "number"},
          {"name": "tags", "type": "select", "values": ["a", "b", "c"], "maxSelect": 3},
          {"name": "flag", "type": "bool"}]

CREATE_BODY_CASES = [
    ('@request.body.title = "ok"', {"title": "ok"}, 200),
    ('@request.body.title = "ok"', {"title": "no"}, 400),
    ('@request.body.title = "ok"', {}, 400),
    # @request.body sees the values after modifier resolution and field normalisation
    ("@request.body.n = 5", {"n": 5}, 200),
    ("@request.body.n = 5", {"n+": 5}, 200),
    ("@request.body.n = 5", {"n-": -5}, 200),
    ("@request.body.n = 5", {"n": "5"}, 200),
    ("@request.body.n = 5", {"n": 4}, 400),
    ("@request.body.n = 0", {"n": "abc"}, 200),
    ("@request.body.n = 0", {"n": None}, 200),
    ("@request.body.n = 0", {}, 400),
    ("@request.body.flag = true", {"flag": "true"}, 200),
    ("@request.body.flag = true", {"flag": 1}, 200),
    ("@request.body.flag = true", {"flag": False}, 400),
    ('@request.body.title = "5"', {"title": 5}, 200),
    ("@request.body.tags:length = 2", {"tags+": ["a", "b"]}, 200),
    ("@request.body.tags:length = 2", {"+tags": ["a", "b"]}, 200),
    ("@request.body.tags:length = 2", {"tags": ["a", "a", "b"]}, 200),
    ("@request.body.tags:length = 3", {"tags": ["a", "a", "b"]}, 400),
    ("@request.body.tags:length = 2", {"tags+": "a"}, 400),
    ("@request.body.tags:length = 1", {"tags": "a"}, 200),
    # keys that are not fields stay raw (no number cast)
    ("@request.body.bogus = 5", {"bogus": 5}, 200),
    ("@request.body.bogus = 5", {"bogus": "5"}, 400),
    ("@request.body.bogus:isset = true", {"bogus": 1}, 200),
    ("@request.body.bogus:isset = true", {"bogus": None}, 200),
    ("@request.body.bogus:isset = true", {}, 400),
]


@pytest.mark.parametrize("rule,body,status", CREATE_BODY_CASES,
                         ids=[f"{r} <- {b}" for r, b, _ in CREATE_BODY_CASES])
def test_request_body_in_create_rule(api, make_coll, rule, body, status):
    coll = make_coll("rm_body_c", FIELDS, createRule=rule)
    r = call(api, None, "POST", records(coll), json=body)
    if status == 400:
        assert_error(r, 400, CREATE_FAILED, {})
    else:
        assert r.status_code == 200, r.text


def test_request_body_relation_path(api, world, make_coll):
    coll = make_coll("rm_body_rel", [{"name": "team", "type": "relation",
                                      "collectionId": world.teams["id"]}],
                     createRule='@request.body.team.name = "red"')
    assert call(api, None, "POST", records(coll), json={"team": world.red}).status_code == 200
    assert_error(call(api, None, "POST", records(coll), json={"team": world.blue}), 400, CREATE_FAILED, {})
    assert_error(call(api, None, "POST", records(coll), json={}), 400, CREATE_FAILED, {})


# (rule, stored values, body, status, expected value of `check` field after a 200)
UPDATE_BODY_CASES = [
    ("@request.body.n > 5", {"n": 3}, {"n+": 4}, 200, ("n", 7)),
    ("@request.body.n > 5", {"n": 3}, {"n+": 2}, 404, None),
    ("@request.body.n > 5", {"n": 3}, {"n": 6}, 200, ("n", 6)),
    ("@request.body.n > 5", {"n": 3}, {"n-": -3}, 200, ("n", 6)),
    ("@request.body.n > 5", {"n": 3}, {"title": "x"}, 404, None),
    ("@request.body.n > n", {"n": 1}, {"n": 2}, 200, ("n", 2)),
    ("@request.body.n > n", {"n": 1}, {"n": 1}, 404, None),
    ("@request.body.n > n", {"n": 1}, {"n+": 1}, 200, ("n", 2)),
    ("@request.body.n > n", {"n": 1}, {"n-": 1}, 404, None),
    ('@request.body.tags:each ?= "c"', {"tags": ["a"]}, {"tags+": "c"}, 200, ("tags", ["a", "c"])),
    ('@request.body.tags:each ?= "c"', {"tags": ["a"]}, {"+tags": "c"}, 200, ("tags", ["c", "a"])),
    ('@request.body.tags:each ?= "c"', {"tags": ["a"]}, {"tags-": "a"}, 404, None),
    ('@request.body.tags:each ?= "c"', {"tags": ["a"]}, {"tags": ["b"]}, 404, None),
    ('@request.body.tags:each = "a"', {"tags": ["a", "b"]}, {"tags-": "b"}, 200, ("tags", ["a"])),
    ('@request.body.tags:each = "a"', {"tags": ["a", "b"]}, {"tags+": "a"}, 404, None),
    ('@request.body.tags:each = "a"', {"tags": ["a", "b"]}, {"tags": []}, 404, None),
    ('@request.body.tags:each = "a"', {"tags": ["a", "b"]}, {"n": 1}, 404, None),
    ("@request.body.title:isset = false", {"title": "t"}, {"n": 1}, 200, ("n", 1)),
    ("@request.body.title:isset = false", {"title": "t"}, {"title": "t"}, 404, None),
    ("@request.body.title:isset = false", {"title": "t"}, {"title": ""}, 404, None),
    ("@request.body.title:isset = false", {"title": "t"}, {"title+": "x"}, 200, ("title", "t")),
    ("@request.body.title:changed = false", {"title": "t"}, {"n": 1}, 200, ("n", 1)),
    ("@request.body.title:changed = false", {"title": "t"}, {"title": "t"}, 200, ("title", "t")),
    ("@request.body.title:changed = false", {"title": "t"}, {"title": "u"}, 404, None),
    ("@request.body.title:changed = false", {"title": "t"}, {"title": ""}, 404, None),
    ("@request.body.n:changed = true", {"n": 1}, {"n": 1}, 404, None),
    ("@request.body.n:changed = true", {"n": 1}, {"n": "1"}, 404, None),
    ("@request.body.n:changed = true", {"n": 1}, {"n": "1.5"}, 200, ("n", 1.5)),
    ("@request.body.n:changed = true", {"n": 1}, {"n+": 0}, 404, None),
    ("@request.body.n:changed = true", {"n": 1}, {"title": "x"}, 404, None),
    ("@request.body.tags:changed = true", {"tags": ["a"]}, {"tags": ["a", "a"]}, 404, None),
    ("@request.body.tags:changed = true", {"tags": ["a"]}, {"tags": "a"}, 404, None),
    ("@request.body.tags:changed = true", {"tags": ["a"]}, {"tags+": "a"}, 404, None),
    ("@request.body.tags:changed = true", {"tags": ["a"]}, {"tags+": "b"}, 200, ("tags", ["a", "b"])),
]


@pytest.fixture(scope="module")
def update_colls(make_coll):
    """One collection per distinct update rule (records are fresh per case)."""
    cache = {}

    def get(rule):
        if rule not in cache:
            cache[rule] = make_coll("rm_body_u", FIELDS, updateRule=rule)
        return cache[rule]
    return get


@pytest.mark.parametrize("rule,stored,body,status,check", UPDATE_BODY_CASES,
                         ids=[f"{r} [{s}] <- {b}" for r, s, b, _, _ in UPDATE_BODY_CASES])
def test_request_body_in_update_rule(api, update_colls, rule, stored, body, status, check):
    coll = update_colls(rule)
    rec = new_record(api, coll, **stored)
    r = call(api, None, "PATCH", f"{records(coll)}/{rec['id']}", json=body)
    if status == 404:
        assert_error(r, 404, NOT_FOUND, {})
        after = su_view(api, coll, rec["id"]).json()
        assert {k: after[k] for k in stored} == stored
    else:
        assert r.status_code == 200, r.text
        assert r.json()[check[0]] == check[1]


@pytest.mark.parametrize("params,visible", [({}, False), ({"key": "s3cret"}, True), ({"key": "x"}, False)])
def test_request_query(api, make_coll, params, visible):
    rule = '@request.query.key = "s3cret"'
    coll = make_coll("rm_query", FIELDS, listRule=rule, viewRule=rule)
    rec = new_record(api, coll, title="q")
    r = call(api, None, "GET", records(coll), params=params)
    assert titles(r) == (["q"] if visible else [])
    r = call(api, None, "GET", f"{records(coll)}/{rec['id']}", params=params)
    if visible:
        assert r.status_code == 200
    else:
        assert_error(r, 404, NOT_FOUND, {})


@pytest.fixture(scope="module")
def header_coll(api, make_coll):
    coll = make_coll("rm_headers", FIELDS, viewRule='@request.headers.x_token = "abc"')
    return coll, new_record(api, coll, title="h")["id"]


@pytest.mark.parametrize("headers,status", [
    ({}, 404), ({"X-Token": "abc"}, 200), ({"x-token": "abc"}, 200), ({"X-TOKEN": "abc"}, 200),
    ({"X-Token": "ABC"}, 404), ({"X-Token": "abd"}, 404)])
def test_request_headers(api, header_coll, headers, status):
    coll, rid = header_coll
    r = call(api, None, "GET", f"{records(coll)}/{rid}", headers=headers)
    assert r.status_code == status, r.text


def test_request_headers_with_dash_is_an_invalid_rule(api):
    r = api.post("/api/collections", json={"name": unique_name("rm_dash"), "fields": [],
                                           "viewRule": '@request.headers.x-token = "abc"'})
    body = assert_error(r, 400, "Failed to create collection.")
    assert set(body["data"]) == {"viewRule"}
    assert body["data"]["viewRule"]["code"] == "validation_invalid_rule"


def test_request_method(api, make_coll):
    coll = make_coll("rm_method", FIELDS, listRule='@request.method = "POST"',
                     viewRule='@request.method = "GET"', createRule='@request.method = "POST"',
                     updateRule='@request.method = "GET"', deleteRule='@request.method = "DELETE"')
    rec = new_record(api, coll, title="m")
    path = f"{records(coll)}/{rec['id']}"
    assert titles(call(api, None, "GET", records(coll))) == []
    assert call(api, None, "GET", path).status_code == 200
    assert call(api, None, "POST", records(coll), json={"title": "c"}).status_code == 200
    assert_error(call(api, None, "PATCH", path, json={"title": "u"}), 404, NOT_FOUND, {})
    assert call(api, None, "DELETE", path).status_code == 204
    lower = make_coll("rm_method_lc", FIELDS, viewRule='@request.method = "get"')
    rid = new_record(api, lower, title="m")["id"]
    assert_error(call(api, None, "GET", f"{records(lower)}/{rid}"), 404, NOT_FOUND, {})


def test_request_context_is_default(api, make_coll):
    default = '@request.context = "default"'
    coll = make_coll("rm_context", FIELDS, listRule=default, viewRule=default, createRule=default,
                     updateRule='@request.context != "default"')
    rec = new_record(api, coll, title="c")
    assert titles(call(api, None, "GET", records(coll))) == ["c"]
    assert call(api, None, "GET", f"{records(coll)}/{rec['id']}").status_code == 200
    assert call(api, None, "POST", records(coll), json={"title": "d"}).status_code == 200
    assert_error(call(api, None, "PATCH", f"{records(coll)}/{rec['id']}", json={}), 404, NOT_FOUND, {})


AUTH_RULES = {
    # rule template: identities that pass the viewRule
    '@request.auth.role = "admin"': {"admin", "outsider"},  # resolved on the requester's own collection
    '@request.auth.collectionName = "{people}"': {"owner", "other", "admin"},
    '@request.auth.collectionId = "{people_id}"': {"owner", "other", "admin"},
    '@request.auth.collectionName = "{outsiders}"': {"outsider"},
    '@request.auth.id != ""': {"owner", "other", "admin", "outsider"},
    '@request.auth.id = ""': {"guest"},
    '@request.auth.team.name = "red"': {"owner"},
    '@request.auth.team.name ?= "blue"': {"other", "admin"},
    '@request.auth.team.name != "red"': {"guest", "other", "admin", "outsider"},
    '@request.auth.role:lower = "admin"': {"admin", "outsider"},
    '@request.auth.role:lower = "ADMIN"': set(),
    '@request.auth.role = "admin" && @request.auth.team = "{blue}"': {"admin"},
    '@request.auth.pin = "1234"': {"owner"},  # hidden auth fields are usable in rules
}
AUTH_IDENTITIES = ["guest", "owner", "other", "admin", "outsider"]


@pytest.mark.parametrize("template", list(AUTH_RULES))
def test_request_auth_fields(api, world, make_coll, template):
    rule = template.format(people=world.people["name"], people_id=world.people["id"],
                           outsiders=world.outsiders["name"], blue=world.blue)
    coll = make_coll("rm_auth", FIELDS, viewRule=rule, listRule=rule)
    rid = new_record(api, coll, title="a")["id"]
    passing = {i for i in AUTH_IDENTITIES
               if call(api, world.tokens[i], "GET", f"{records(coll)}/{rid}").status_code == 200}
    assert passing == AUTH_RULES[template]
    listing = {i for i in AUTH_IDENTITIES
               if titles(call(api, world.tokens[i], "GET", records(coll))) == ["a"]}
    assert listing == AUTH_RULES[template]


# =========================================================================== 4. @collection joins
MEMBERSHIP_RULES = {
    # same unaliased join for both conditions: they hold on the same memberships row
    "same": ("@collection.{m}.user ?= @request.auth.id && @collection.{m}.note ?= id",
             {"guest": [], "owner": ["d1", "d2"], "other": ["d2"], "admin": []}),
    "by_id": ("@collection.{mid}.user ?= @request.auth.id && @collection.{mid}.note ?= id",
              {"guest": [], "owner": ["d1", "d2"], "other": ["d2"], "admin": []}),
    "one_alias": ("@collection.{m}:m.user ?= @request.auth.id && @collection.{m}:m.note ?= id",
                  {"guest": [], "owner": ["d1", "d2"], "other": ["d2"], "admin": []}),
    # two aliases are two independent joins: "some membership is mine" and "some membership is
    # for this note" — other sees d1 although only owner is a member of it
    "two_aliases": ("@collection.{m}:m1.user ?= @request.auth.id && @collection.{m}:m2.note ?= id",
                    {"guest": [], "owner": ["d1", "d2"], "other": ["d1", "d2"], "admin": []}),
    # without `?` every joined row must match
    "all_rows": ("@collection.{m}.user = @request.auth.id && @collection.{m}.note = id",
                 {"guest": [], "owner": [], "other": [], "admin": []}),
    "with_level": ("@collection.{m}.user ?= @request.auth.id && @collection.{m}.note ?= id && "
                   "@collection.{m}.level ?>= 2",
                   {"guest": [], "owner": ["d2"], "other": ["d2"], "admin": []}),
}


@pytest.mark.parametrize("variant", list(MEMBERSHIP_RULES))
def test_collection_join_rules(api, world, make_coll, variant):
    docs = make_coll("rm_docs", [{"name": "title", "type": "text"}])
    # memberships itself is superuser-only: rules may still join it
    mem = make_coll("rm_memberships", [
        {"name": "user", "type": "relation", "collectionId": world.people["id"]},
        {"name": "note", "type": "relation", "collectionId": docs["id"]},
        {"name": "level", "type": "number"}], **{k: None for k in NOTE_RULES})
    d = {t: new_record(api, docs, title=t)["id"] for t in ("d1", "d2", "d3")}
    owner, other = world.users["owner"]["id"], world.users["other"]["id"]
    new_record(api, mem, user=owner, note=d["d1"], level=1)
    new_record(api, mem, user=other, note=d["d2"], level=5)
    new_record(api, mem, user=owner, note=d["d2"], level=2)
    template, expected = MEMBERSHIP_RULES[variant]
    rule = template.format(m=mem["name"], mid=mem["id"])
    r = api.patch(f"/api/collections/{docs['name']}", json={"listRule": rule, "viewRule": rule})
    assert r.status_code == 200, r.text
    for identity, want in expected.items():
        token = world.tokens[identity]
        assert titles(call(api, token, "GET", records(docs))) == want, identity
        for t, rid in d.items():
            status = call(api, token, "GET", f"{records(docs)}/{rid}").status_code
            assert status == (200 if t in want else 404), (identity, t)


def test_collection_refs_in_client_filter_and_sort(api, world, notes):
    base = records(notes.listed)
    ref = f"@collection.{world.people['name']}.id"
    for token in (None, world.tokens["owner"]):
        assert_error(call(api, token, "GET", base, params={"filter": f"{ref} != ''"}),
                     403, "Only superusers can filter by @collection.", {})
        assert_error(call(api, token, "GET", base, params={"sort": ref}),
                     403, "Only superusers can filter by @collection.", {})
        assert_error(call(api, token, "GET", base, params={"filter": "@request.method = 'GET'"}),
                     403, "Only superusers can filter by @request.", {})
    r = call(api, SU, "GET", base, params={"filter": f"{ref} ?= owner"})
    assert titles(r) == ["mine", "theirs"]


# =========================================================================== 5. modifiers / trap
@pytest.fixture(scope="module")
def tagged_data(api, make_coll):
    # labels are superuser-only: rules traverse relations regardless of the target's rules
    labels = make_coll("rm_labels", [{"name": "name", "type": "text"}], **{k: None for k in NOTE_RULES})
    lab = {n: new_record(api, labels, name=n)["id"] for n in ("red", "Rose", "blue")}
    rows = [("none", [], []), ("A", ["a"], ["red"]), ("AB", ["a", "b"], ["red", "blue"]),
            ("BC", ["b", "c"], ["Rose", "red"]), ("Hello", ["a", "a"], []), ("Ablue", ["a"], ["blue"])]
    return labels, lab, rows


MODIFIER_RULES = [
    ("tags:length >= 2", ["AB", "BC"]),
    ("tags:length = 0", ["none"]),
    ("refs:length = 0", ["Hello", "none"]),
    ('tags:each ?= "a"', ["A", "AB", "Ablue", "Hello"]),
    ('tags:each = "a"', ["A", "Ablue", "Hello"]),
    ('tags:each != "a"', ["BC", "none"]),
    ('tags:each ?!= "a"', ["AB", "BC", "none"]),
    ('title:lower = "hello"', ["Hello"]),
    ('title:lower ~ "a"', ["A", "AB", "Ablue"]),
    # a plain multi select compares its JSON text
    ('tags = "a"', []),
    ('tags ?= "a"', []),
    ('tags ~ "a"', ["A", "AB", "Ablue", "Hello"]),
    # through a multi relation: plain = every related row, ? = at least one
    ('refs.name = "red"', ["A"]),
    ('refs.name ?= "red"', ["A", "AB", "BC"]),
    ('refs.name != "red"', ["Ablue", "Hello", "none"]),
    ('refs.name ?!= "red"', ["AB", "Ablue", "BC", "Hello", "none"]),
    ('refs.name ~ "r"', ["A", "BC"]),
    ('refs.name ?~ "r"', ["A", "AB", "BC"]),
    ('refs.name:lower ?= "rose"', ["BC"]),
    ('refs:each ?= "{red}"', ["A", "AB", "BC"]),
    ('refs ?= "{red}"', []),
    ('refs ~ "{red}"', ["A", "AB", "BC"]),
]


@pytest.mark.parametrize("rule,expected", MODIFIER_RULES, ids=[r for r, _ in MODIFIER_RULES])
def test_modifiers_in_list_rule(api, make_coll, tagged_data, rule, expected):
    labels, lab, rows = tagged_data
    coll = make_coll("rm_tagged", [
        {"name": "title", "type": "text"},
        {"name": "tags", "type": "select", "values": ["a", "b", "c"], "maxSelect": 3},
        {"name": "refs", "type": "relation", "collectionId": labels["id"], "maxSelect": 5}],
        listRule=rule.format(red=lab["red"]))
    for title, tags, refs in rows:
        new_record(api, coll, title=title, tags=tags, refs=[lab[x] for x in refs])
    assert titles(call(api, None, "GET", records(coll), params={"perPage": 100})) == sorted(expected)


@pytest.fixture(scope="module")
def trap(api, world, make_coll):
    """owner = @request.auth.id for every action; a guest's @request.auth.id is NULL ≡ ''."""
    fields = [{"name": "title", "type": "text"},
              {"name": "owner", "type": "relation", "collectionId": world.people["id"]}]
    rules = {k: OWNER for k in NOTE_RULES}
    listed = make_coll("rm_trap_list", fields, **rules)
    new_record(api, listed, title="unowned")
    new_record(api, listed, title="owned", owner=world.users["owner"]["id"])
    return SimpleNamespace(fields=fields, listed=listed, rw=make_coll("rm_trap", fields, **rules))


def test_null_trap_list_and_view(api, world, trap):
    assert titles(call(api, None, "GET", records(trap.listed))) == ["unowned"]
    assert titles(call(api, world.tokens["owner"], "GET", records(trap.listed))) == ["owned"]
    assert titles(call(api, world.tokens["other"], "GET", records(trap.listed))) == []
    unowned = new_record(api, trap.rw, title="u")
    owned = new_record(api, trap.rw, title="o", owner=world.users["owner"]["id"])
    assert call(api, None, "GET", f"{records(trap.rw)}/{unowned['id']}").status_code == 200
    assert_error(call(api, None, "GET", f"{records(trap.rw)}/{owned['id']}"), 404, NOT_FOUND, {})
    assert_error(call(api, world.tokens["owner"], "GET", f"{records(trap.rw)}/{unowned['id']}"),
                 404, NOT_FOUND, {})


def test_null_trap_guest_can_write_unowned_rows(api, world, trap):
    owner = world.users["owner"]["id"]
    rec = new_record(api, trap.rw, title="u")
    path = f"{records(trap.rw)}/{rec['id']}"
    r = call(api, None, "PATCH", path, json={"title": "hijacked", "owner": owner})
    assert r.status_code == 200, r.text
    assert r.json()["owner"] == owner  # the rule saw the old (empty) owner
    assert call(api, world.tokens["owner"], "GET", path).json()["title"] == "hijacked"
    r = call(api, None, "POST", records(trap.rw), json={"title": "anon"})
    assert r.status_code == 200, r.text
    assert r.json()["owner"] == ""
    assert_error(call(api, None, "POST", records(trap.rw), json={"title": "x", "owner": owner}),
                 400, CREATE_FAILED, {})
    assert call(api, None, "DELETE", f"{records(trap.rw)}/{r.json()['id']}").status_code == 204


@pytest.mark.parametrize("rule,guest,owner", [
    ('@request.auth.id != "" && owner = @request.auth.id', [], ["owned"]),
    ("owner != @request.auth.id", ["owned"], ["unowned"]),
    ("owner = null", ["unowned"], ["unowned"]),
    ('owner = ""', ["unowned"], ["unowned"]),
    ('@request.auth.id = ""', ["owned", "unowned"], []),
    ("@request.auth.id = null", ["owned", "unowned"], []),
    ("@request.auth.id != null", [], ["owned", "unowned"]),
])
def test_null_empty_equality(api, world, make_coll, trap, rule, guest, owner):
    coll = make_coll("rm_trap_eq", trap.fields, listRule=rule)
    new_record(api, coll, title="unowned")
    new_record(api, coll, title="owned", owner=world.users["owner"]["id"])
    assert titles(call(api, None, "GET", records(coll))) == guest
    assert titles(call(api, world.tokens["owner"], "GET", records(coll))) == owner


# =========================================================================== 6. manageRule
@pytest.fixture(scope="module")
def staff(api, world):
    coll = create_collection(api, {
        "name": unique_name("rm_staff"), "type": "auth", "listRule": "", "viewRule": "", "createRule": "",
        "updateRule": "id = @request.auth.id || @request.auth.role = 'admin'",
        "manageRule": "@request.auth.role = 'admin'",
        "fields": [{"name": "role", "type": "text"}, {"name": "nick", "type": "text"}]})
    users = {"admin": new_user(api, coll, role="admin"), "alice": new_user(api, coll, role="user"),
             "bob": new_user(api, coll, role="user", emailVisibility=True)}
    return SimpleNamespace(coll=coll, users=users)


# viewer -> targets whose email the viewer sees
EMAIL_VISIBILITY = {
    "guest": {"bob"},
    "alice": {"alice", "bob"},
    "bob": {"bob"},
    "admin": {"admin", "alice", "bob"},
    "superuser": {"admin", "alice", "bob"},
}


@pytest.mark.parametrize("viewer", list(EMAIL_VISIBILITY))
def test_email_visibility(api, staff, viewer):
    token = SU if viewer == "superuser" else (staff.users[viewer]["token"] if viewer != "guest" else None)
    by_id = {u["id"]: name for name, u in staff.users.items()}
    listed = call(api, token, "GET", records(staff.coll), params={"perPage": 100}).json()["items"]
    seen = {by_id[i["id"]] for i in listed if i["id"] in by_id and "email" in i}
    assert seen == EMAIL_VISIBILITY[viewer]
    for name, u in staff.users.items():
        body = call(api, token, "GET", f"{records(staff.coll)}/{u['id']}").json()
        if name in EMAIL_VISIBILITY[viewer]:
            assert body["email"] == u["email"], name
        else:
            assert "email" not in body, name
        assert "password" not in body and "tokenKey" not in body


def test_manager_updates_email_verified_password_without_old_password(api, staff):
    target = new_user(api, staff.coll, role="user")
    new_email = "new-" + target["email"]
    r = call(api, staff.users["admin"]["token"], "PATCH", f"{records(staff.coll)}/{target['id']}",
             json={"email": new_email, "verified": True, "password": NEW_PASSWORD,
                   "passwordConfirm": NEW_PASSWORD})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["email"] == new_email and body["verified"] is True
    # the old token died with the email/password change; the new credentials work
    refresh = f"/api/collections/{staff.coll['name']}/auth-refresh"
    assert_error(call(api, target["token"], "POST", refresh), 401,
                 "The request requires valid record authorization token.", {})
    r = api.post(f"/api/collections/{staff.coll['name']}/auth-with-password", auth=False,
                 json={"identity": new_email, "password": NEW_PASSWORD})
    assert r.status_code == 200, r.text
    assert r.json()["record"]["verified"] is True


@pytest.mark.parametrize("field", ["email", "verified"])
def test_manager_change_alone(api, staff, field):
    target = new_user(api, staff.coll, role="user")
    value = "changed-" + target["email"] if field == "email" else True
    r = call(api, staff.users["admin"]["token"], "PATCH", f"{records(staff.coll)}/{target['id']}",
             json={field: value})
    assert r.status_code == 200, r.text
    assert r.json()[field] == value
    refresh = f"/api/collections/{staff.coll['name']}/auth-refresh"
    # changing the email rotates the token key; changing `verified` does not
    assert call(api, target["token"], "POST", refresh).status_code == (401 if field == "email" else 200)


def test_manager_still_needs_password_confirm(api, staff):
    target = new_user(api, staff.coll, role="user")
    r = call(api, staff.users["admin"]["token"], "PATCH", f"{records(staff.coll)}/{target['id']}",
             json={"password": NEW_PASSWORD, "passwordConfirm": "nope-nope-nope"})
    assert_error(r, 400, UPDATE_FAILED, {"passwordConfirm": MISMATCH})


@pytest.mark.parametrize("body,errors", [
    ({"email": "x-{email}"}, {"email": MISMATCH}),
    ({"verified": True}, {"verified": MISMATCH}),
    ({"password": NEW_PASSWORD, "passwordConfirm": NEW_PASSWORD}, {"oldPassword": OLD_PW_REQUIRED}),
    ({"password": NEW_PASSWORD, "passwordConfirm": NEW_PASSWORD, "oldPassword": "wrong-password"},
     {"oldPassword": OLD_PW_INVALID}),
    ({"email": "x-{email}", "verified": True, "password": NEW_PASSWORD, "passwordConfirm": NEW_PASSWORD,
      "nick": "n"},
     {"email": MISMATCH, "verified": MISMATCH, "oldPassword": OLD_PW_REQUIRED}),
], ids=["email", "verified", "password", "wrong-old-password", "all"])
def test_non_manager_self_update_errors(api, staff, body, errors):
    me = new_user(api, staff.coll, role="user")
    body = {k: (v.format(email=me["email"]) if isinstance(v, str) else v) for k, v in body.items()}
    r = call(api, me["token"], "PATCH", f"{records(staff.coll)}/{me['id']}", json=body)
    assert_error(r, 400, UPDATE_FAILED, errors)
    after = su_view(api, staff.coll, me["id"]).json()
    assert after["email"] == me["email"] and after["verified"] is False and after["nick"] == ""


def test_non_manager_self_update_allowed_parts(api, staff):
    me = new_user(api, staff.coll, role="user")
    path = f"{records(staff.coll)}/{me['id']}"
    r = call(api, me["token"], "PATCH", path, json={"nick": "me"})
    assert r.status_code == 200, r.text
    assert r.json()["nick"] == "me" and r.json()["email"] == me["email"]
    r = call(api, me["token"], "PATCH", path, json={"oldPassword": PASSWORD, "password": NEW_PASSWORD,
                                                    "passwordConfirm": NEW_PASSWORD})
    assert r.status_code == 200, r.text


def test_non_manager_cannot_touch_others(api, staff):
    bob = staff.users["bob"]
    r = call(api, staff.users["alice"]["token"], "PATCH", f"{records(staff.coll)}/{bob['id']}",
             json={"nick": "pwned"})
    assert_error(r, 404, NOT_FOUND, {})


@pytest.mark.parametrize("who,status", [("guest", 400), ("alice", 400), ("admin", 200)])
def test_create_with_verified_needs_manager(api, staff, who, status):
    token = None if who == "guest" else staff.users[who]["token"]
    r = call(api, token, "POST", records(staff.coll),
             json={"email": f"{uuid.uuid4().hex[:10]}@example.com", "password": PASSWORD,
                   "passwordConfirm": PASSWORD, "verified": True})
    if status == 400:
        assert_error(r, 400, CREATE_FAILED, {"verified": MISMATCH})
    else:
        assert r.status_code == 200, r.text
        assert r.json()["verified"] is True


def test_manage_rule_does_not_bypass_update_rule(api, world):
    """manageRule only lifts the auth-field restrictions: the updateRule must still pass. And it is
    evaluated with the requester's own record, whatever collection that comes from."""
    coll = create_collection(api, {
        "name": unique_name("rm_staff2"), "type": "auth", "listRule": "", "viewRule": "",
        "updateRule": "id = @request.auth.id", "manageRule": "@request.auth.role = 'admin'",
        "fields": [{"name": "role", "type": "text"}]})
    boss, member = new_user(api, coll, role="admin"), new_user(api, coll, role="user")
    path = f"{records(coll)}/{member['id']}"
    assert_error(call(api, boss["token"], "PATCH", path, json={"verified": True}), 404, NOT_FOUND, {})
    assert call(api, boss["token"], "GET", path).json()["email"] == member["email"]
    # the outsider's own `role` is "admin" too
    assert call(api, world.tokens["outsider"], "GET", path).json()["email"] == member["email"]
    assert "email" not in call(api, world.tokens["owner"], "GET", path).json()


# =========================================================================== 7. hidden fields
def hidden_coll(make_coll, world):
    return make_coll("rm_hidden", [
        {"name": "title", "type": "text"}, {"name": "secret", "type": "text", "hidden": True},
        {"name": "who", "type": "relation", "collectionId": world.people["id"]}],
        listRule='secret = "open"', viewRule='secret = "open"',
        createRule="@request.body.secret:isset = false")


@pytest.fixture(scope="module")
def hid(api, world, make_coll):
    coll = hidden_coll(make_coll, world)
    ref = make_coll("rm_hidden_ref", [{"name": "title", "type": "text"},
                                      {"name": "h", "type": "relation", "collectionId": coll["id"]}])
    o = new_record(api, coll, title="o", secret="open", who=world.users["owner"]["id"])
    c = new_record(api, coll, title="c", secret="closed")
    new_record(api, ref, title="r", h=o["id"])
    return SimpleNamespace(coll=coll, ref=ref, open=o, closed=c)


def test_superuser_sees_hidden_field(api, hid):
    assert hid.open["secret"] == "open"
    items = api.get(records(hid.coll), params={"filter": 'secret != ""', "sort": "-secret"}).json()["items"]
    assert [(i["title"], i["secret"]) for i in items] == [("o", "open"), ("c", "closed")]


@pytest.mark.parametrize("identity", ["guest", "owner"])
def test_hidden_field_not_returned_but_usable_by_the_rule(api, world, hid, identity):
    token = world.tokens[identity]
    r = call(api, token, "GET", records(hid.coll))
    assert r.status_code == 200
    assert r.json()["items"] == [{"collectionId": hid.coll["id"], "collectionName": hid.coll["name"],
                                  "id": hid.open["id"], "title": "o", "who": world.users["owner"]["id"]}]
    body = call(api, token, "GET", f"{records(hid.coll)}/{hid.open['id']}").json()
    assert "secret" not in body and body["title"] == "o"
    assert_error(call(api, token, "GET", f"{records(hid.coll)}/{hid.closed['id']}"), 404, NOT_FOUND, {})
    r = call(api, token, "GET", records(hid.coll), params={"fields": "id,secret"})
    assert r.json()["items"] == [{"id": hid.open["id"]}]
    r = call(api, token, "GET", records(hid.ref), params={"expand": "h"})
    assert "secret" not in r.json()["items"][0]["expand"]["h"]


@pytest.mark.parametrize("identity", ["guest", "owner"])
@pytest.mark.parametrize("params", [
    {"filter": 'secret = "open"'}, {"filter": 'secret != ""'}, {"sort": "secret"}, {"sort": "-secret"},
    {"filter": 'title = "o" || secret = "x"'}], ids=lambda p: str(p))
def test_hidden_field_not_filterable(api, world, hid, identity, params):
    r = call(api, world.tokens[identity], "GET", records(hid.coll), params=params)
    assert_error(r, 400, GENERIC_400, {})


@pytest.mark.parametrize("identity", ["guest", "owner"])
def test_hidden_field_not_filterable_through_relation(api, world, hid, identity):
    r = call(api, world.tokens[identity], "GET", records(hid.ref), params={"filter": 'h.secret = "open"'})
    assert_error(r, 400, GENERIC_400, {})
    r = call(api, world.tokens[identity], "GET", records(hid.ref), params={"filter": 'h.title = "o"'})
    assert [i["title"] for i in r.json()["items"]] == ["r"]
    r = api.get(records(hid.ref), params={"filter": 'h.secret = "open"'})
    assert [i["title"] for i in r.json()["items"]] == ["r"]


def test_hidden_field_ignored_in_bodies_of_non_superusers(api, world, make_coll):
    coll = hidden_coll(make_coll, world)
    r = call(api, None, "POST", records(coll), json={"title": "g", "secret": "open"})
    assert r.status_code == 200, r.text  # :isset is false: the key was dropped before the rule ran
    assert su_view(api, coll, r.json()["id"]).json()["secret"] == ""
    tmp = new_record(api, coll, title="t", secret="open")
    r = call(api, None, "PATCH", f"{records(coll)}/{tmp['id']}", json={"secret": "closed", "title": "t2"})
    assert r.status_code == 200, r.text
    assert r.json()["title"] == "t2"
    assert su_view(api, coll, tmp["id"]).json()["secret"] == "open"


def test_rule_on_hidden_body_value_never_matches_for_users(api, make_coll):
    coll = make_coll("rm_hidden_body", [{"name": "secret", "type": "text", "hidden": True}],
                     updateRule='@request.body.secret = "x"')
    rec = new_record(api, coll, secret="a")
    path = f"{records(coll)}/{rec['id']}"
    assert_error(call(api, None, "PATCH", path, json={"secret": "x"}), 404, NOT_FOUND, {})
    assert api.patch(path, json={"secret": "x"}).json()["secret"] == "x"


def test_rules_may_use_hidden_fields_through_relations(api, world, make_coll):
    coll = make_coll("rm_hidden_rel", [
        {"name": "title", "type": "text"},
        {"name": "who", "type": "relation", "collectionId": world.people["id"]}],
        viewRule='who.pin = "1234"')
    mine = new_record(api, coll, title="m", who=world.users["owner"]["id"])["id"]
    theirs = new_record(api, coll, title="t", who=world.users["other"]["id"])["id"]
    for identity in ("guest", "owner", "other"):
        assert call(api, world.tokens[identity], "GET", f"{records(coll)}/{mine}").status_code == 200
        assert call(api, world.tokens[identity], "GET", f"{records(coll)}/{theirs}").status_code == 404


def test_hidden_auth_field(api, world):
    owner = world.users["owner"]
    base = records(world.people)
    body = call(api, owner["token"], "GET", f"{base}/{owner['id']}").json()
    assert "pin" not in body and body["email"] == owner["email"]
    assert owner["record"]["pin"] == "1234"  # the superuser's create response shows it
    r = api.post(f"/api/collections/{world.people['name']}/auth-with-password", auth=False,
                 json={"identity": owner["email"], "password": PASSWORD})
    assert "pin" not in r.json()["record"]
    assert su_view(api, world.people, owner["id"]).json()["pin"] == "1234"
    assert_error(call(api, owner["token"], "GET", base, params={"filter": 'pin = "1234"'}),
                 400, GENERIC_400, {})

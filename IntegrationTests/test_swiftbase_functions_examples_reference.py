"""Functions (issue 16): the trigger examples of Examples/functions checked under Extism's own runtime, before and
independently of Swiftbase.

Each plug-in (http_echo, notes_api, slugify_hook, change_recorder, tick, and the WAT limit cases) runs under the
`extism` Python host SDK (libextism on wasmtime) with the inputs Docs/FunctionsAPI.md says a trigger hands over.
The five records host functions (`extism:host/user` records_list/get/create/update/delete, each `(i64) -> i64`)
are implemented here in Python over an in-memory store that honours the contract's request and answer shapes
strictly: a request with a key the contract does not name, a missing `collection`, or text that is not JSON is
answered with a 400 `error` and recorded as a violation, so a guest that builds a wrong request fails here.

What this cannot show is Swiftbase itself (rules, the change log, limits in the server): that is
test_swiftbase_functions.py. One difference is by construction: the Python SDK gives a host function no way to
trap, so where Swiftbase ends a call whose host-function offset was never allocated, the store here records the
offset and answers an error.
"""
from __future__ import annotations

import itertools
import json
import subprocess
import threading

import extism
import pytest

from conftest import REPO_ROOT

pytestmark = pytest.mark.usefixtures("swiftbase_only")

EXAMPLES = REPO_ROOT / "Examples" / "functions"
BUILD = EXAMPLES / "build"
REQUEST_KEYS = {
    "records_list": {"collection", "filter", "sort", "page", "perPage", "expand", "fields"},
    "records_get": {"collection", "id", "expand"},
    "records_create": {"collection", "data"},
    "records_update": {"collection", "id", "data"},
    "records_delete": {"collection", "id"},
}
NOT_FOUND = {"status": 404, "message": "The requested resource wasn't found.", "data": {}}


# =========================================================================== the records host, in memory
class RecordsStore:
    """The records API of Docs/FunctionsAPI.md over dicts. `deny` maps (collection, action) to the error a rule
    would give (e.g. 403); every request is kept in `requests` as (function, parsed JSON)."""

    def __init__(self):
        self.collections: dict[str, dict[str, dict]] = {}
        self.deny: dict[tuple[str, str], dict] = {}
        self.requests: list[tuple[str, object]] = []
        self.violations: list[str] = []
        self.bad_offsets: list[int] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def records(self, collection: str) -> list[dict]:
        return list(self.collections.get(collection, {}).values())

    def add(self, collection: str, **data) -> dict:
        record = {"id": f"r{next(self._ids):014d}", "collectionName": collection, **data}
        self.collections.setdefault(collection, {})[record["id"]] = record
        return record

    @staticmethod
    def error(status: int, message: str, data=None) -> dict:
        return {"error": {"status": status, "message": message, "data": data or {}}}

    def answer(self, function: str, text: bytes) -> dict:
        try:
            request = json.loads(text)
        except ValueError:
            self.violations.append(f"{function}: not JSON: {text[:200]!r}")
            return self.error(400, "The request is not valid JSON.")
        self.requests.append((function, request))
        if not isinstance(request, dict) or not isinstance(request.get("collection"), str):
            self.violations.append(f"{function}: no collection: {request!r}")
            return self.error(400, "The request names no collection.")
        unknown = set(request) - REQUEST_KEYS[function]
        if unknown:
            self.violations.append(f"{function}: keys the contract does not name: {sorted(unknown)}")
            return self.error(400, f"Unknown keys {sorted(unknown)}.")
        name = request["collection"]
        action = function.removeprefix("records_")
        if (name, action) in self.deny:
            return {"error": self.deny[(name, action)]}
        table = self.collections.setdefault(name, {})
        if action == "list":
            items = list(table.values())
            return {"ok": {"page": 1, "perPage": 30, "totalItems": len(items), "totalPages": 1 if items else 0,
                           "items": items}}
        if action == "create":
            if not isinstance(request.get("data"), dict):
                self.violations.append(f"{function}: data is not an object: {request!r}")
                return self.error(400, "Failed to create record.")
            return {"ok": self.add(name, **request["data"])}
        if not isinstance(request.get("id"), str) or request["id"] not in table:
            return {"error": NOT_FOUND}
        if action == "get":
            return {"ok": table[request["id"]]}
        if action == "update":
            if not isinstance(request.get("data"), dict):
                self.violations.append(f"{function}: data is not an object: {request!r}")
                return self.error(400, "Failed to update record.")
            table[request["id"]].update({k: v for k, v in request["data"].items() if k != "id"})
            return {"ok": table[request["id"]]}
        del table[request["id"]]
        return {"ok": True}


def _records_host_function(function: str):
    @extism.host_fn(name=function, namespace="extism:host/user",
                    signature=([extism.ValType.I64], [extism.ValType.I64]))
    def call(current: extism.CurrentPlugin, params, results, *user_data):
        store: RecordsStore = current.host_context()
        try:
            with store._lock:
                block = current.memory_at_offset(params[0])
                if block.length == 0:  # not a block the plug-in allocated (Swiftbase traps here)
                    store.bad_offsets.append(params[0].value)
                    answer = RecordsStore.error(400, "The offset is not an allocated block.")
                else:
                    answer = store.answer(function, bytes(current.memory(block)))
            current.return_string(results[0], json.dumps(answer))
        except Exception as e:  # an exception here would be swallowed by cffi: make it fail the test instead
            store.violations.append(f"{function}: host function raised {e!r}")
            current.return_string(results[0], json.dumps(RecordsStore.error(500, "host failure")))
    return call


RECORDS_FUNCTIONS = [_records_host_function(name) for name in REQUEST_KEYS]


@pytest.fixture(scope="module", autouse=True)
def plugins():
    subprocess.run(["bash", str(EXAMPLES / "build.sh")], check=True, capture_output=True, text=True, timeout=300)
    return BUILD


@pytest.fixture
def store():
    store = RecordsStore()
    yield store
    assert store.violations == []


class Guest:
    """One plug-in instance under Extism, called as Swiftbase calls a trigger's export."""

    def __init__(self, module: str, store: RecordsStore, config=None, memory_pages=None, timeout_ms=None):
        manifest = {"wasm": [{"data": (BUILD / f"{module}.wasm").read_bytes()}], "config": config or {}}
        if memory_pages is not None:
            manifest["memory"] = {"max_pages": memory_pages}
        if timeout_ms is not None:
            manifest["timeout_ms"] = timeout_ms
        self.plugin = extism.Plugin(manifest, functions=RECORDS_FUNCTIONS)
        self.store = store

    def call(self, payload, export="handle") -> bytes:
        data = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
        return self.plugin.call(export, data, host_context=self.store)

    def json(self, payload, export="handle"):
        return json.loads(self.call(payload, export))


def http_input(method="GET", path="/", query=None, headers=None, body="", auth=None) -> dict:
    """The input of an HTTP trigger, as Docs/FunctionsAPI.md shows it."""
    return {"method": method, "path": path, "query": query or {}, "headers": headers or {}, "body": body,
            "auth": auth}


USER_AUTH = {"kind": "record", "id": "u1234567890abcd", "collectionId": "_pb_users_auth_",
             "collectionName": "users", "record": {"id": "u1234567890abcd", "email": "a@example.com"}}
SUPERUSER_AUTH = {"kind": "superuser", "id": "s1234567890abcd", "collectionId": "pbc_3142635823",
                  "collectionName": "_superusers", "record": {"id": "s1234567890abcd"}}


# =========================================================================== http_echo
@pytest.mark.parametrize("auth, expected", [
    (None, None),
    (USER_AUTH, {"kind": "record", "id": "u1234567890abcd"}),
    (SUPERUSER_AUTH, {"kind": "superuser", "id": "s1234567890abcd"}),
    ({"kind": "apiKey", "id": "k1", "name": "ci"}, {"kind": "apiKey", "id": "k1"}),
], ids=["guest", "user", "superuser", "apiKey"])
def test_http_echo_answers_the_request_it_got(store, auth, expected):
    request = http_input("POST", "/orders/7", {"verbose": "1", "q": "a b"},
                         {"content-type": "application/json", "x-trace": "t-1"}, '{"qty": 2}', auth)
    answer = Guest("c/http_echo", store).json(request)
    assert answer == {"status": 200, "headers": {"x-echo": "1"},
                      "body": {"method": "POST", "path": "/orders/7", "query": {"verbose": "1", "q": "a b"},
                               "headers": {"content-type": "application/json", "x-trace": "t-1"},
                               "body": '{"qty": 2}', "auth": expected}}
    assert store.requests == []


def test_http_echo_keeps_text_that_needs_escaping(store):
    awkward = 'quote " backslash \\ newline \n tab \t nul \u0000 ünïcödé ✓ 😀'
    request = http_input("PUT", "/ü/" + awkward, {awkward: awkward}, {"x-odd": awkward}, awkward)
    body = Guest("c/http_echo", store).json(request)["body"]
    assert body == {"method": "PUT", "path": "/ü/" + awkward, "query": {awkward: awkward},
                    "headers": {"x-odd": awkward}, "body": awkward, "auth": None}


def test_http_echo_on_one_instance_call_after_call(store):
    guest = Guest("c/http_echo", store)
    for i in range(50):  # warm calls on one instance: the arena is reset per call
        assert guest.json(http_input(path=f"/{i}", body="x" * (i * 997)))["body"]["path"] == f"/{i}"


def test_http_echo_refuses_an_input_that_is_not_an_http_request(store):
    with pytest.raises(extism.Error, match="http_echo expects the JSON input of an HTTP trigger"):
        Guest("c/http_echo", store).call(b"not json")


# =========================================================================== notes_api
def test_notes_api_crud_through_the_records_host_functions(store):
    guest = Guest("c/notes_api", store)

    created = guest.json(http_input("POST", "/", body=json.dumps({"title": "first", "done": False})))
    assert created["status"] == 200
    note = created["body"]
    assert note["title"] == "first" and note["done"] is False and note["id"]
    assert store.requests[-1] == ("records_create", {"collection": "notes", "data": {"title": "first",
                                                                                     "done": False}})

    listed = guest.json(http_input("GET", "/"))
    assert listed["status"] == 200 and [n["id"] for n in listed["body"]["items"]] == [note["id"]]
    assert store.requests[-1] == ("records_list", {"collection": "notes"})

    guest.json(http_input("GET", "/", {"filter": "done = false && title ~ 'fir'", "sort": "-created", "x": "1"}))
    assert store.requests[-1] == ("records_list", {"collection": "notes", "filter": "done = false && title ~ 'fir'",
                                                   "sort": "-created"})

    got = guest.json(http_input("GET", f"/{note['id']}"))
    assert got == {"status": 200, "body": note}
    assert store.requests[-1] == ("records_get", {"collection": "notes", "id": note["id"]})

    updated = guest.json(http_input("PATCH", f"/{note['id']}/", body='{"done": true}'))
    assert updated["status"] == 200 and updated["body"]["done"] is True and updated["body"]["title"] == "first"
    assert store.requests[-1] == ("records_update", {"collection": "notes", "id": note["id"],
                                                     "data": {"done": True}})

    assert guest.json(http_input("DELETE", f"/{note['id']}")) == {"status": 204}
    assert store.requests[-1] == ("records_delete", {"collection": "notes", "id": note["id"]})
    assert store.records("notes") == []

    assert guest.json(http_input("GET", f"/{note['id']}")) == {"status": 404, "body": NOT_FOUND}


def test_notes_api_passes_the_hosts_error_through_as_the_http_answer(store):
    denied = {"status": 403, "message": "Only superusers can perform this action.", "data": {}}
    store.deny[("notes", "create")] = denied
    store.deny[("notes", "update")] = {"status": 400, "message": "Failed to update record.",
                                       "data": {"title": {"code": "validation_required", "message": "Missing."}}}
    guest = Guest("c/notes_api", store)
    assert guest.json(http_input("POST", "/", body='{"title": "x"}')) == {"status": 403, "body": denied}
    other = store.add("notes", title="kept")
    assert guest.json(http_input("PATCH", f"/{other['id']}", body='{"title": ""}')) == {
        "status": 400, "body": store.deny[("notes", "update")]}
    assert store.records("notes") == [other]


def test_notes_api_uses_the_configured_collection(store):
    guest = Guest("c/notes_api", store, config={"collection": "todo_items"})
    assert guest.json(http_input("POST", "/", body='{"title": "a"}'))["status"] == 200
    assert [r["title"] for r in store.records("todo_items")] == ["a"] and store.records("notes") == []


def test_notes_api_escapes_the_id_it_takes_from_the_path(store):
    odd = 'ab"c\\d'
    answer = Guest("c/notes_api", store).json(http_input("GET", "/" + odd))
    assert answer == {"status": 404, "body": NOT_FOUND}
    assert store.requests == [("records_get", {"collection": "notes", "id": odd})]


@pytest.mark.parametrize("request_, status, message", [
    (http_input("POST", "/", body="not json"), 400, "The request body must be a JSON object."),
    (http_input("POST", "/", body="[1, 2]"), 400, "The request body must be a JSON object."),
    (http_input("POST", "/", body=""), 400, "The request body must be a JSON object."),
    (http_input("PATCH", "/x", body='{"a": 1} trailing'), 400, "The request body must be a JSON object."),
    (http_input("PUT", "/"), 405, "Method not allowed."),
    (http_input("PATCH", "/"), 405, "Method not allowed."),
    (http_input("DELETE", "/"), 405, "Method not allowed."),
    (http_input("POST", "/abc", body="{}"), 405, "Method not allowed."),
    (http_input("GET", "/a/b"), 404, "The requested resource wasn't found."),
], ids=["not-json", "array", "empty", "trailing", "put", "patch-collection", "delete-collection", "post-id",
        "two-segments"])
def test_notes_api_answers_bad_requests_itself(store, request_, status, message):
    answer = Guest("c/notes_api", store).json(request_)
    assert answer == {"status": status, "body": {"status": status, "message": message, "data": {}}}
    assert store.requests == []


# =========================================================================== slugify_hook
def hook_input(action="create", record=None, original=None, collection="posts") -> dict:
    return {"action": action, "collection": collection, "record": record or {}, "original": original,
            "auth": None}


@pytest.mark.parametrize("title, slug", [
    ("Hello World", "hello-world"),
    ("  Two  Spaces ", "--two--spaces-"),
    ('Say "Hi"\tNow\\', 'say-"hi"\tnow\\'),
    ("Ünïcode Title 2026", "Ünïcode-title-2026"),  # ASCII letters only are lower-cased
    ("", ""),
], ids=["plain", "spaces", "escapes", "unicode", "empty"])
@pytest.mark.parametrize("action", ["create", "update"])
def test_slugify_hook_sets_the_slug_from_the_title(store, title, slug, action):
    record = {"id": "p1", "title": title, "slug": "old"}
    answer = Guest("c/slugify_hook", store).json(hook_input(action, record, record if action == "update" else None))
    assert answer == {"record": {"slug": slug}}


@pytest.mark.parametrize("title", ["spam", "Buy SPAM now", "no sPaM please"])
def test_slugify_hook_refuses_spam_with_a_validation_error(store, title):
    answer = Guest("c/slugify_hook", store).json(hook_input(record={"id": "p1", "title": title}))
    assert answer == {"error": {"status": 400, "message": "No spam.",
                                "data": {"title": {"code": "spam", "message": "No spam."}}}}


@pytest.mark.parametrize("payload", [
    hook_input(record={"id": "p1", "body": "no title"}),
    hook_input(record={"id": "p1", "title": 42}),
    hook_input("delete", {"id": "p1", "title": "Hello"}, {"id": "p1", "title": "Hello"}),
], ids=["no-title", "title-not-text", "delete"])
def test_slugify_hook_lets_other_writes_pass_with_no_output(store, payload):
    assert Guest("c/slugify_hook", store).call(payload) == b""


@pytest.mark.parametrize("text, slug", [
    # Keys written with escapes are the keys they spell (json.h unescapes a key only when it has a backslash).
    (r'{"act\u0069on": "create", "record": {"t\u0069tle": "Esc Aped"}}', "esc-aped"),
    # Values skipped on the way hold what looks like the key, brackets and quotes inside strings, deep nesting.
    ('{"auth": {"title": "No"}, "action": "create", "collection": "p", "original": null, "record": '
     '{"tags": ["title", {"title": "x]}"}], "n": -1.5e3, "ok": true, "note": "a \\"title\\": [", '
     '"deep": [[[{"a": [{}]}]]], "title": "The One"}}', "the-one"),
    # White space anywhere JSON allows it.
    (' \n{ "action" :\t"create" ,\r\n "record" : { "title" : "Spaced Out" } } \n', "spaced-out"),
    # A key that only starts like the one looked for, and one that it starts like.
    ('{"action": "create", "record": {"titles": "no", "titl": "no", "title": "Yes"}}', "yes"),
], ids=["escaped-keys", "skipped-values", "white-space", "prefixes"])
def test_the_examples_json_scanner_finds_members_in_raw_json(store, text, slug):
    assert Guest("c/slugify_hook", store).json(text) == {"record": {"slug": slug}}


# =========================================================================== change_recorder
def after_input(seq, action, record_id, collection="posts") -> dict:
    return {"action": action, "collection": collection, "record": {"id": record_id, "title": f"t{seq}"},
            "original": None, "auth": None, "seq": seq, "actor": "function:writer"}


def test_change_recorder_writes_every_change_in_the_order_it_gets_them(store):
    guest = Guest("c/change_recorder", store)
    changes = [(1, "create", "a1"), (2, "update", "a1"), (9, "create", "b2"), (12, "delete", "a1"),
               (2 ** 53, "create", "c3")]
    for seq, action, record_id in changes:
        assert guest.call(after_input(seq, action, record_id)) == b""
    assert [(r["seq"], r["action"], r["recordId"]) for r in store.records("seen")] == changes
    assert store.requests[0] == ("records_create", {"collection": "seen",
                                                    "data": {"seq": 1, "action": "create", "recordId": "a1"}})


def test_change_recorder_fails_when_the_host_answers_an_error(store):
    store.deny[("audit", "create")] = {"status": 403, "message": "Only superusers can perform this action.",
                                       "data": {}}
    guest = Guest("c/change_recorder", store, config={"collection": "audit"})
    with pytest.raises(extism.Error, match="^Only superusers can perform this action.$"):
        guest.call(after_input(5, "create", "x"))
    del store.deny[("audit", "create")]
    guest.call(after_input(5, "create", "x"))  # the retry of the same change
    assert [r["seq"] for r in store.records("audit")] == [5]


def test_change_recorder_refuses_an_input_without_seq(store):
    payload = after_input(1, "create", "a")
    del payload["seq"]
    with pytest.raises(extism.Error, match="change_recorder expects the input of an after hook"):
        Guest("c/change_recorder", store).call(payload)
    assert store.requests == []


# =========================================================================== tick
def test_tick_records_when_it_was_scheduled(store):
    guest = Guest("c/tick", store)
    for minute in ("01:05", "01:06"):
        payload = {"schedule": "* * * * *", "scheduledAt": f"2026-12-06 {minute}:00.000Z"}
        assert guest.call(payload) == b""
    assert [(r["scheduledAt"], r["schedule"]) for r in store.records("ticks")] == [
        ("2026-12-06 01:05:00.000Z", "* * * * *"), ("2026-12-06 01:06:00.000Z", "* * * * *")]
    assert store.requests[0] == ("records_create", {"collection": "ticks", "data": {
        "scheduledAt": "2026-12-06 01:05:00.000Z", "schedule": "* * * * *"}})


def test_tick_fails_when_the_host_answers_an_error(store):
    store.deny[("ticks", "create")] = {"status": 400, "message": "Failed to create record.", "data": {}}
    with pytest.raises(extism.Error, match="^Failed to create record.$"):
        Guest("c/tick", store).call({"schedule": "@hourly", "scheduledAt": "2026-12-06 02:00:00.000Z"})


# =========================================================================== greeting
@pytest.mark.parametrize("config, text", [({"greeting": "Bonjour"}, b"Bonjour"), ({}, b"hello")])
def test_greeting_answers_its_config_value_as_plain_text(store, config, text):
    assert Guest("wat/greeting", store, config=config).call(http_input()) == text


# =========================================================================== the limit cases
@pytest.mark.parametrize("export", ["grow_4gib", "alloc_4gib"])
def test_four_gib_ends_the_call(store, export):
    with pytest.raises(extism.Error) as failed:
        Guest("wat/limits", store, memory_pages=1024).call(b"", export)  # 64 MiB, Swiftbase's default
    assert str(failed.value) == "oom"


def test_a_runaway_handler_ends_at_the_timeout(store):
    with pytest.raises(extism.Error, match="^timeout$"):
        Guest("wat/limits", store, timeout_ms=300).call(b"", "spin")


def test_the_bad_host_pointer_plugin_hands_records_get_an_unallocated_offset(store):
    # Swiftbase traps here; Extism's Python SDK cannot trap from a host function, so the store answers an error.
    answer = Guest("wat/bad_host_pointer", store).json(b"")
    assert store.bad_offsets == [1 << 40]
    assert answer == RecordsStore.error(400, "The offset is not an allocated block.")
    assert store.requests == []

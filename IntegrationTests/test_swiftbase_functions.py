"""Swiftbase beyond PocketBase: functions (issue 16), end to end against a running server, to Docs/FunctionsAPI.md.

The plug-ins are the examples of Examples/functions (built by its build.sh, first checked under Extism's own runtime
by test_swiftbase_functions_examples_reference.py): deployed over `POST /api/functions` (multipart) or as files in
`DATA_DIR/functions/`, then driven through their triggers — `ANY /api/fn/{name}/{path…}`, record hooks before and
after a write, and cron — and through the limits a bad plug-in runs into. The records host functions run through
the server's record service with the function's identity, so a collection's rules decide what a function acting for
its caller may do; where they refuse, the function's answer must be what the REST API answers the same caller.

One server per module (`own_server`); the kill -9 test has its own (`fresh_server`). Loopback only; every wait is
a poll with a deadline.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests

from conftest import (REPO_ROOT, SU_EMAIL, SU_PASSWORD, Api, _server_kind, assert_error, create_collection, new_record,
                      poll, records, superuser_token, unique_name, wait_until)
from test_swiftbase_webhooks import change_log, metric_samples, metric_sum

pytestmark = pytest.mark.usefixtures("swiftbase_only")

EXAMPLES = REPO_ROOT / "Examples" / "functions"
BUILD = EXAMPLES / "build"
PASSWORD = "Fn-passw0rd-123"
WAIT = 15  # seconds for any single positive condition
FUNCTION_KEYS = {"name", "version", "active", "triggers", "config", "limits", "runAs", "allowedHosts", "module",
                 "source", "created", "updated"}
VERSION_KEYS = {"version", "sha256", "size", "created", "active"}
DEFAULT_LIMITS = {"fuel": 100_000_000, "memoryMB": 64, "timeoutMs": 10_000, "concurrency": 8}
DATE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$")
HTTP = [{"type": "http"}]
# How the server answers HTTP back: with the export each trigger calls filled in (`handle` by default).
HTTP_ANSWERED = [{"type": "http", "export": "handle"}]
UNLIMITED_FUEL = 10 ** 15  # so that a runaway loop meets its timeout first


# =========================================================================== helpers
def module(name: str) -> bytes:
    """An example plug-in, `c/NAME` or `wat/NAME`."""
    return (BUILD / f"{name}.wasm").read_bytes()


def wat(text: str) -> bytes:
    """A module from WebAssembly text, through wat2wasm (build.sh needs it too)."""
    with tempfile.TemporaryDirectory() as tmp:
        source, out = Path(tmp) / "m.wat", Path(tmp) / "m.wasm"
        source.write_text(text)
        subprocess.run(["wat2wasm", str(source), "-o", str(out)], check=True, capture_output=True, timeout=60)
        return out.read_bytes()


def _uleb(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, at


def wasm_interface(data: bytes) -> tuple[set[str], set[str]]:
    """(imports as "module.name", function exports) read from a module's import and export sections."""
    imports, exports, at = set(), set(), 8
    while at < len(data):
        section, at = data[at], at + 1
        size, at = _uleb(data, at)
        end = at + size
        if section in (2, 7):
            count, p = _uleb(data, at)
            for _ in range(count):
                names = []
                for _ in range(1 if section == 7 else 2):
                    n, p = _uleb(data, p)
                    names.append(data[p:p + n].decode())
                    p += n
                kind, p = data[p], p + 1
                if section == 7:
                    _, p = _uleb(data, p)
                    if kind == 0:
                        exports.add(names[0])
                else:
                    imports.add(".".join(names))
                    if kind == 0:
                        _, p = _uleb(data, p)
                    else:  # no example imports a table, memory or global
                        raise ValueError("only function imports are expected")
        at = end
    return imports, exports


def deploy_request(api: Api, name: str, wasm: bytes, config=None) -> requests.Response:
    """`POST /api/functions` as multipart: name, module (the .wasm file) and config (JSON text), as a browser or
    curl -F would send them."""
    form = {"name": name}
    if config is not None:
        form["config"] = config if isinstance(config, str) else json.dumps(config)
    return api.post("/api/functions", data=form, files={"module": (f"{name}.wasm", wasm, "application/wasm")})


def deploy(api: Api, name: str, wasm: bytes, config=None) -> dict:
    r = deploy_request(api, name, wasm, config)
    assert r.status_code == 200, r.text
    return r.json()


def get_function(api: Api, name: str) -> dict:
    r = api.get(f"/api/functions/{name}")
    assert r.status_code == 200, r.text
    return r.json()


def fn_name(prefix: str) -> str:
    """A function name: a letter, then a-z 0-9 _ -; unique in the module."""
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def call(srv, name: str, path: str = "", method: str = "GET", token: str | None = None, **kw) -> requests.Response:
    """`METHOD /api/fn/NAME/PATH` as a guest, or with `token`."""
    headers = dict(kw.pop("headers", None) or {})
    if token:
        headers["Authorization"] = token
    return requests.request(method, f"{srv.url}/api/fn/{name}{path}", headers=headers, timeout=30, **kw)


def as_caller(srv, token: str | None, method: str, path: str, **kw) -> requests.Response:
    """The same request over REST, as the same caller, for comparing answers."""
    headers = {"Authorization": token} if token else {}
    return requests.request(method, srv.url + path, headers=headers, timeout=30, **kw)


def refusal(r: requests.Response, *where: str) -> dict:
    """A 400 in PocketBase's validation shape whose `data` names the problem at one of `where`: "module", "name",
    or "config.KEY" (nested: data.config.KEY) — at that key or below it (data.config.limits.timeoutMs names the
    limit); the item has a code and a message. Answers the item."""
    body = assert_error(r, 400)

    def first_item(node):
        if isinstance(node, dict) and "code" in node:
            return node
        for child in (node.values() if isinstance(node, dict) else []):
            found = first_item(child)
            if found is not None:
                return found
        return None

    for place in where:
        item = body["data"]
        for key in place.split("."):
            item = item.get(key) if isinstance(item, dict) else None
        item = first_item(item)
        if item is not None:
            assert isinstance(item["code"], str) and item["code"], body
            assert isinstance(item["message"], str) and item["message"], body
            return item
    raise AssertionError(f"400 without a code at any of {where}: {body}")


def parse_date(text: str) -> datetime:
    assert DATE.match(text), text
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


def all_records(api: Api, coll: dict, **params) -> list[dict]:
    out, page = [], 1
    while True:
        r = api.get(records(coll), params={"perPage": 500, "page": page, **params})
        assert r.status_code == 200, r.text
        items = r.json()["items"]
        out += items
        if len(items) < 500:
            return out
        page += 1


def total(api: Api, coll: dict) -> int:
    r = api.get(records(coll), params={"perPage": 1})
    assert r.status_code == 200, r.text
    return r.json()["totalItems"]


def new_user(api: Api, coll: dict) -> dict:
    email = f"{uuid.uuid4().hex[:12]}@example.com"
    rec = new_record(api, coll, email=email, password=PASSWORD, passwordConfirm=PASSWORD)
    r = requests.post(f"{api.base}/api/collections/{coll['name']}/auth-with-password",
                      json={"identity": email, "password": PASSWORD}, timeout=30)
    assert r.status_code == 200, r.text
    return {"id": rec["id"], "token": r.json()["token"], "collectionId": coll["id"], "collectionName": coll["name"]}


def function_metric(samples, name: str, word: str) -> float:
    """The sum of the samples labelled function=NAME of every `swiftbase_function…` counter with `word` in its
    name (e.g. invocations, errors)."""
    return sum(v for n, l, v in samples
               if n.startswith("swiftbase_function") and word in n and n.endswith("_total") and l.get("function") == name)


# =========================================================================== module fixtures
@pytest.fixture(scope="module", autouse=True)
def plugins(request):
    """Builds the examples; first of all, skips the module for PocketBase before any module fixture deploys."""
    if _server_kind(request.config) != "swiftbase":
        pytest.skip("a Swiftbase extension: PocketBase has no such behaviour")
    subprocess.run(["bash", str(EXAMPLES / "build.sh")], check=True, capture_output=True, text=True, timeout=300)
    return BUILD


@pytest.fixture(scope="module")
def srv(own_server):
    return own_server


@pytest.fixture(scope="module")
def su(srv) -> Api:
    return Api(srv.url, superuser_token(srv.url))


@pytest.fixture(scope="module")
def su_id(srv) -> str:
    r = requests.post(srv.url + "/api/collections/_superusers/auth-with-password",
                      json={"identity": SU_EMAIL, "password": SU_PASSWORD}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["record"]["id"]


@pytest.fixture(scope="module")
def people(su) -> dict:
    return create_collection(su, {"name": unique_name("fn_people"), "type": "auth", "listRule": "", "viewRule": "",
                                  "fields": []})


@pytest.fixture(scope="module")
def alice(su, people) -> dict:
    return new_user(su, people)


@pytest.fixture(scope="module")
def bob(su, people) -> dict:
    return new_user(su, people)


@pytest.fixture(scope="module")
def echo(su) -> str:
    """http_echo, deployed once for the tests that need any working function."""
    name = fn_name("echo")
    deploy(su, name, module("c/http_echo"), {"triggers": HTTP})
    return name


# =========================================================================== 1. deploying
def test_only_superusers_manage_functions(srv, su, alice):
    name = fn_name("authz")
    guest = Api(srv.url, None)
    user = Api(srv.url, alice["token"])
    for api, status in ((guest, 401), (user, 403)):
        assert_error(deploy_request(api, name, module("c/http_echo"), {"triggers": HTTP}), status)
        assert_error(api.get("/api/functions"), status)
    deploy(su, name, module("c/http_echo"), {"triggers": HTTP})
    for api, status in ((guest, 401), (user, 403)):
        assert_error(api.get(f"/api/functions/{name}"), status)
        assert_error(api.patch(f"/api/functions/{name}", json={"config": {"a": "b"}}), status)
        assert_error(api.post(f"/api/functions/{name}/rollback", json={}), status)
        assert_error(api.get(f"/api/functions/{name}/logs"), status)
        assert_error(api.delete(f"/api/functions/{name}"), status)
    assert get_function(su, name)["version"] == 1


def test_deploy_answers_the_function_with_its_module(srv, su):
    name = fn_name("deploy")
    wasm = module("c/http_echo")
    before = datetime.now(timezone.utc) - timedelta(seconds=5)
    config = {"triggers": HTTP, "config": {"greeting": "hello"}, "limits": {"timeoutMs": 2000},
              "runAs": "caller", "allowedHosts": ["api.example.com"]}
    fn = deploy(su, name, wasm, config)
    assert set(fn) == FUNCTION_KEYS, fn
    assert (fn["name"], fn["version"], fn["active"], fn["source"]) == (name, 1, True, "api")
    assert fn["triggers"] == HTTP_ANSWERED and fn["config"] == {"greeting": "hello"}
    assert fn["limits"] == {**DEFAULT_LIMITS, "timeoutMs": 2000}
    assert (fn["runAs"], fn["allowedHosts"]) == ("caller", ["api.example.com"])
    imports, exports = wasm_interface(wasm)
    assert fn["module"]["size"] == len(wasm) and fn["module"]["sha256"] == hashlib.sha256(wasm).hexdigest()
    assert "handle" in fn["module"]["exports"] and set(fn["module"]["exports"]) <= exports | {"memory"}
    assert set(fn["module"]["imports"]) == imports
    for key in ("created", "updated"):
        assert parse_date(fn[key]) >= before

    got = get_function(su, name)
    assert set(got) == FUNCTION_KEYS | {"versions"}
    assert {k: got[k] for k in FUNCTION_KEYS} == fn
    assert len(got["versions"]) == 1 and set(got["versions"][0]) == VERSION_KEYS
    assert got["versions"][0] == {"version": 1, "sha256": fn["module"]["sha256"], "size": len(wasm),
                                  "created": got["versions"][0]["created"], "active": True}
    parse_date(got["versions"][0]["created"])


def test_every_config_key_is_optional(srv, su):
    name = fn_name("bare")
    fn = deploy(su, name, module("c/http_echo"))  # no config part at all
    assert fn["triggers"] == [] and fn["config"] == {} and fn["limits"] == DEFAULT_LIMITS
    assert fn["allowedHosts"] == []
    # No HTTP trigger: not reachable over /api/fn.
    assert_error(call(srv, name), 404)


def test_a_refused_deploy_keeps_the_running_version(srv, su):
    name = fn_name("keep")
    good = deploy(su, name, module("c/http_echo"), {"triggers": HTTP})
    bad_imports = wat('(module (import "env" "steal_secrets" (func)) (memory (export "memory") 1)'
                      ' (func (export "handle") (result i32) (i32.const 0)))')
    cases = [
        (b"\x00asm but not really", {"triggers": HTTP}, ("module",)),
        (b"not wasm at all", {"triggers": HTTP}, ("module",)),
        (bad_imports, {"triggers": HTTP}, ("module",)),
        # A trigger names an export the module does not have.
        (module("c/http_echo"), {"triggers": [{"type": "http", "export": "nope"}]}, ("module", "config.triggers")),
        (module("c/tick"), {"triggers": [{"type": "cron", "schedule": "* * * * *", "export": "missing"}]},
         ("module", "config.triggers")),
        (module("c/http_echo"), "{not json", ("config",)),
        (module("c/http_echo"), {"triggers": HTTP, "limits": {"timeoutMs": "soon"}}, ("config.limits",)),
        (module("c/http_echo"), {"triggers": [{"type": "webhook"}]}, ("config.triggers",)),
        (module("c/http_echo"), {"triggers": [{"type": "cron", "schedule": "every now and then"}]},
         ("config.triggers",)),
        (module("c/http_echo"), {"triggers": [{"type": "record", "collection": "posts", "when": "during"}]},
         ("config.triggers",)),
        (module("c/http_echo"), {"triggers": HTTP, "runAs": "root"}, ("config.runAs",)),
        (module("c/http_echo"), {"triggers": HTTP, "allowedHosts": "example.com"}, ("config.allowedHosts",)),
    ]
    for wasm, config, where in cases:
        refusal(deploy_request(su, name, wasm, config), *where)
        now = get_function(su, name)
        assert (now["version"], now["active"], now["module"]["sha256"]) == (1, True, good["module"]["sha256"])
        assert [v["version"] for v in now["versions"]] == [1]
        r = call(srv, name, "/still")
        assert r.status_code == 200 and r.json()["path"] == "/still", r.text


@pytest.mark.parametrize("bad", ["", "1abc", "Upper", "has space", "dot.name", "a" * 64, "_under", "-dash"])
def test_names_are_checked(su, bad):
    refusal(deploy_request(su, bad, module("c/http_echo"), {"triggers": HTTP}), "name")


def test_a_module_is_required(su):
    r = su.post("/api/functions", data={"name": fn_name("nomodule"), "config": json.dumps({"triggers": HTTP})},
                files={"unrelated": ("x.txt", b"x", "text/plain")})
    refusal(r, "module")


def test_list_is_sorted_by_name_and_has_no_versions(su):
    names = sorted(fn_name(p) for p in ("zeta", "alpha", "mid"))
    for name in reversed(names):
        deploy(su, name, module("c/http_echo"), {"triggers": HTTP})
    r = su.get("/api/functions")
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    listed = [f["name"] for f in items]
    assert listed == sorted(listed)
    assert set(names) <= set(listed)
    assert all(set(f) == FUNCTION_KEYS for f in items), items[0]


def test_versions_rollback_patch_and_delete(srv, su):
    name = fn_name("versions")
    v1 = deploy(su, name, module("c/http_echo"), {"triggers": HTTP})
    r = call(srv, name, "/x")
    assert r.status_code == 200 and r.json()["path"] == "/x"

    # v2: another module and config; its plain-text output is sent as a 200 text body.
    v2 = deploy(su, name, module("wat/greeting"), {"triggers": HTTP, "config": {"greeting": "Bonjour"}})
    assert (v2["version"], v2["active"], v2["config"]) == (2, True, {"greeting": "Bonjour"})
    r = call(srv, name, "/x")
    assert (r.status_code, r.text) == (200, "Bonjour") and r.headers["Content-Type"].startswith("text/plain")
    got = get_function(su, name)
    assert [(v["version"], v["active"]) for v in got["versions"]] == [(2, True), (1, False)]
    assert got["versions"][1]["sha256"] == v1["module"]["sha256"]

    # Rollback, default: the version before the active one.
    r = su.post(f"/api/functions/{name}/rollback", json={})
    assert r.status_code == 200, r.text
    assert (r.json()["version"], r.json()["active"], r.json()["config"]) == (1, True, {})
    assert call(srv, name, "/y").json()["path"] == "/y"
    assert [(v["version"], v["active"]) for v in get_function(su, name)["versions"]] == [(2, False), (1, True)]

    # Rollback to a named version; one that does not exist is a 404 and changes nothing.
    r = su.post(f"/api/functions/{name}/rollback", json={"version": 2})
    assert r.status_code == 200 and r.json()["version"] == 2, r.text
    assert call(srv, name).text == "Bonjour"
    assert_error(su.post(f"/api/functions/{name}/rollback", json={"version": 99}), 404)
    assert get_function(su, name)["version"] == 2

    # PATCH with JSON: a new version, the active one with these changes (same module, same triggers).
    r = su.patch(f"/api/functions/{name}", json={"config": {"greeting": "Hola"}})
    assert r.status_code == 200, r.text
    v3 = r.json()
    assert (v3["version"], v3["active"], v3["config"], v3["triggers"]) == (3, True, {"greeting": "Hola"}, HTTP_ANSWERED)
    assert v3["module"]["sha256"] == v2["module"]["sha256"]
    assert call(srv, name).text == "Hola"
    # A PATCH whose trigger names an export the module lacks is refused; v3 stays.
    r = su.patch(f"/api/functions/{name}", json={"triggers": [{"type": "http", "export": "nope"}]})
    refusal(r, "module", "config.triggers")
    assert get_function(su, name)["version"] == 3 and call(srv, name).text == "Hola"
    # PATCH as multipart with a module: the config is kept.
    r = su.patch(f"/api/functions/{name}",
                 files={"module": (f"{name}.wasm", module("c/http_echo"), "application/wasm")})
    assert r.status_code == 200, r.text
    assert (r.json()["version"], r.json()["config"]) == (4, {"greeting": "Hola"})
    assert call(srv, name, "/z").json()["path"] == "/z"
    assert [v["version"] for v in get_function(su, name)["versions"]] == [4, 3, 2, 1]

    r = su.delete(f"/api/functions/{name}")
    assert r.status_code == 204, r.text
    assert_error(su.get(f"/api/functions/{name}"), 404)
    assert_error(call(srv, name), 404)
    assert name not in [f["name"] for f in su.get("/api/functions").json()["items"]]
    assert_error(su.delete(f"/api/functions/{name}"), 404)
    assert_error(su.patch(f"/api/functions/{name}", json={"config": {}}), 404)


# =========================================================================== 2. HTTP trigger
def test_http_echo_sees_method_path_query_headers_and_body(srv, echo):
    r = call(srv, echo, "/orders/7", "POST", params={"verbose": "1", "q": "a b"},
             headers={"X-Custom": "Value", "Content-Type": "application/json"}, data='{"qty": 2}')
    assert r.status_code == 200, r.text
    assert r.headers["x-echo"] == "1" and r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert (body["method"], body["path"], body["query"]) == ("POST", "/orders/7", {"verbose": "1", "q": "a b"})
    assert body["headers"]["x-custom"] == "Value" and body["headers"]["content-type"] == "application/json"
    assert all(k == k.lower() for k in body["headers"])
    assert body["body"] == '{"qty": 2}' and body["auth"] is None

    for method in ("GET", "PUT", "PATCH", "DELETE"):
        r = call(srv, echo, "", method)
        assert r.status_code == 200, r.text
        assert (r.json()["method"], r.json()["path"], r.json()["body"]) == (method, "/", "")
    text = "ünïcödé ✓ \"quoted\"\n"
    r = call(srv, echo, "/a/b/", "PATCH", data=text.encode())
    assert r.json()["body"] == text and r.json()["path"] == "/a/b/"


def test_http_echo_sees_who_calls(srv, su, su_id, echo, alice):
    assert call(srv, echo).json()["auth"] is None
    assert call(srv, echo, token=alice["token"]).json()["auth"] == {"kind": "record", "id": alice["id"]}
    assert call(srv, echo, token=su.token).json()["auth"] == {"kind": "superuser", "id": su_id}


def test_a_missing_function_is_a_404(srv):
    assert_error(call(srv, fn_name("nobody"), "/x"), 404)


# =========================================================================== 3. records through host calls
@pytest.fixture(scope="module")
def notes(su, people) -> dict:
    return create_collection(su, {
        "name": unique_name("fn_notes"), "listRule": "", "viewRule": "",
        "createRule": "@request.auth.id != ''", "updateRule": "owner = @request.auth.id",
        "deleteRule": "owner = @request.auth.id",
        "fields": [{"name": "title", "type": "text"},
                   {"name": "owner", "type": "relation", "collectionId": people["id"], "maxSelect": 1}]})


@pytest.fixture(scope="module")
def notes_fn(su, notes) -> str:
    name = fn_name("notes")
    deploy(su, name, module("c/notes_api"), {"triggers": HTTP, "config": {"collection": notes["name"]}})
    return name


def test_notes_crud_as_the_caller_under_the_collections_rules(srv, su, notes, notes_fn, alice, bob):
    coll = f"/api/collections/{notes['name']}/records"
    # A guest may not create: the function's answer is what REST answers a guest, and nothing is stored.
    before = total(su, notes)
    r = call(srv, notes_fn, "/", "POST", data=json.dumps({"title": "by a guest"}))
    rest = as_caller(srv, None, "POST", coll, json={"title": "by a guest"})
    assert rest.status_code in (400, 403) and (r.status_code, r.json()) == (rest.status_code, rest.json())
    assert total(su, notes) == before

    # Alice creates, reads and lists through the function.
    r = call(srv, notes_fn, "/", "POST", token=alice["token"],
             data=json.dumps({"title": "alice's", "owner": alice["id"]}))
    assert r.status_code == 200, r.text
    note = r.json()
    assert (note["title"], note["owner"], note["collectionName"]) == ("alice's", alice["id"], notes["name"])
    assert su.get(f"{coll}/{note['id']}").json()["title"] == "alice's"
    r = call(srv, notes_fn, f"/{note['id']}")
    assert r.status_code == 200 and r.json() == as_caller(srv, None, "GET", f"{coll}/{note['id']}").json()
    r = call(srv, notes_fn, "/", params={"filter": f"owner = '{alice['id']}'"})
    assert r.status_code == 200 and [n["id"] for n in r.json()["items"]] == [note["id"]], r.text

    # Bob may not change or delete Alice's note: the same answer as REST gives Bob, and the note stays.
    r = call(srv, notes_fn, f"/{note['id']}", "PATCH", token=bob["token"], data=json.dumps({"title": "bob's now"}))
    rest = as_caller(srv, bob["token"], "PATCH", f"{coll}/{note['id']}", json={"title": "bob's now"})
    assert rest.status_code in (403, 404) and (r.status_code, r.json()) == (rest.status_code, rest.json())
    r = call(srv, notes_fn, f"/{note['id']}", "DELETE", token=bob["token"])
    rest = as_caller(srv, bob["token"], "DELETE", f"{coll}/{note['id']}")
    assert rest.status_code in (403, 404) and (r.status_code, r.json()) == (rest.status_code, rest.json())
    assert su.get(f"{coll}/{note['id']}").json()["title"] == "alice's"

    # Alice may.
    r = call(srv, notes_fn, f"/{note['id']}", "PATCH", token=alice["token"], data=json.dumps({"title": "edited"}))
    assert r.status_code == 200 and r.json()["title"] == "edited", r.text
    r = call(srv, notes_fn, f"/{note['id']}", "DELETE", token=alice["token"])
    assert r.status_code == 204, r.text
    assert_error(su.get(f"{coll}/{note['id']}"), 404)
    r = call(srv, notes_fn, f"/{note['id']}")
    assert (r.status_code, r.json()) == (404, as_caller(srv, None, "GET", f"{coll}/{note['id']}").json())


def test_notes_as_a_superuser_function_pass_the_rules_and_the_change_log_names_it(srv, su, notes, alice):
    name = fn_name("notes_su")
    deploy(su, name, module("c/notes_api"), {"triggers": HTTP, "config": {"collection": notes["name"]},
                                             "runAs": "superuser"})
    note = new_record(su, notes, title="alice's", owner=alice["id"])
    head = change_log(su, notes, 0)[-1]["seq"]
    # A guest's call: the function acts as a superuser, so the updateRule does not apply.
    r = call(srv, name, f"/{note['id']}", "PATCH", data=json.dumps({"title": "changed by a function"}))
    assert r.status_code == 200 and r.json()["title"] == "changed by a function", r.text
    r = call(srv, name, "/", "POST", data=json.dumps({"title": "made by a function"}))
    assert r.status_code == 200, r.text
    made = r.json()
    entries = change_log(su, notes, head)
    assert [(e["action"], e["recordId"], e["actor"]) for e in entries] == [
        ("update", note["id"], f"function:{name}"), ("create", made["id"], f"function:{name}")]


def test_runas_caller_records_the_caller_as_actor(srv, su, notes, notes_fn, alice):
    head = change_log(su, notes, 0)
    r = call(srv, notes_fn, "/", "POST", token=alice["token"], data=json.dumps({"title": "t", "owner": alice["id"]}))
    assert r.status_code == 200, r.text
    entries = change_log(su, notes, head[-1]["seq"] if head else 0)
    assert [(e["recordId"], e["actor"]) for e in entries] == [(r.json()["id"], alice["id"])]


# =========================================================================== 4. record hooks
@pytest.fixture(scope="module")
def posts(su) -> dict:
    coll = create_collection(su, {"name": unique_name("fn_posts"), "listRule": "", "viewRule": "", "createRule": "",
                                  "updateRule": "", "fields": [{"name": "title", "type": "text"},
                                                               {"name": "slug", "type": "text"}]})
    deploy(su, fn_name("slugify"), module("c/slugify_hook"), {"triggers": [
        {"type": "record", "collection": coll["name"], "actions": ["create", "update"], "when": "before"}]})
    return coll


def test_a_before_hook_changes_the_record(srv, su, posts):
    r = as_caller(srv, None, "POST", records(posts), json={"title": "Hello World", "slug": "ignored"})
    assert r.status_code == 200, r.text
    post = r.json()
    assert post["slug"] == "hello-world"
    assert su.get(f"{records(posts)}/{post['id']}").json()["slug"] == "hello-world"
    r = as_caller(srv, None, "PATCH", f"{records(posts)}/{post['id']}", json={"title": "Second Title"})
    assert r.status_code == 200 and r.json()["slug"] == "second-title", r.text


def test_a_before_hook_refuses_with_its_error_and_nothing_is_stored(srv, su, posts):
    before = total(su, posts)
    head = change_log(su, posts, 0)
    r = as_caller(srv, None, "POST", records(posts), json={"title": "Buy SPAM now"})
    assert_error(r, 400, "No spam.", {"title": {"code": "spam", "message": "No spam."}})
    assert total(su, posts) == before
    kept = new_record(su, posts, title="Fine")
    r = as_caller(srv, None, "PATCH", f"{records(posts)}/{kept['id']}", json={"title": "spam again"})
    assert_error(r, 400, "No spam.", {"title": {"code": "spam", "message": "No spam."}})
    assert su.get(f"{records(posts)}/{kept['id']}").json()["title"] == "Fine"
    # Nothing of the refused writes reached the change log: only the create of `kept`.
    entries = change_log(su, posts, head[-1]["seq"] if head else 0)
    assert [(e["action"], e["recordId"]) for e in entries] == [("create", kept["id"])]


def test_functions_writing_through_a_before_hook_run_concurrently_without_stalling(srv, su, posts):
    """An HTTP function's records_create runs the collection's before hook (another function) inside the write:
    many at once must all finish — a call waiting in a host call must not hold the threads the hooks need."""
    from concurrent.futures import ThreadPoolExecutor
    writer = fn_name("post_writer")
    deploy(su, writer, module("c/notes_api"), {"triggers": HTTP, "config": {"collection": posts["name"]}})
    before = total(su, posts)

    def create(i: int) -> requests.Response:
        return call(srv, writer, "/", "POST", data=json.dumps({"title": f"Parallel Post {i}"}))

    with ThreadPoolExecutor(max_workers=24) as pool:
        answers = list(pool.map(create, range(48)))
    assert [r.status_code for r in answers] == [200] * 48, [r.text for r in answers if r.status_code != 200][:3]
    assert sorted(r.json()["slug"] for r in answers) == sorted(f"parallel-post-{i}" for i in range(48))
    assert total(su, posts) == before + 48


def test_a_failing_before_hook_refuses_the_write_with_a_500(srv, su):
    coll = create_collection(su, {"name": unique_name("fn_trapped"), "createRule": "",
                                  "fields": [{"name": "title", "type": "text"}]})
    name = fn_name("failing_hook")
    deploy(su, name, module("wat/limits"), {"triggers": [
        {"type": "record", "collection": coll["name"], "actions": ["create"], "when": "before", "export": "grow_4gib"}]})
    body = assert_error(as_caller(srv, None, "POST", records(coll), json={"title": "x"}), 500)
    assert name in body["message"]
    assert total(su, coll) == 0


def test_an_after_hook_sees_each_change_once_in_seq_order(srv, su):
    watched = create_collection(su, {"name": unique_name("fn_watched"), "createRule": "", "updateRule": "",
                                     "deleteRule": "", "fields": [{"name": "n", "type": "number"}]})
    seen = create_collection(su, {"name": unique_name("fn_seen"), "fields": [
        {"name": "seq", "type": "number"}, {"name": "action", "type": "text"}, {"name": "recordId", "type": "text"}]})
    deploy(su, fn_name("recorder"), module("c/change_recorder"), {
        "triggers": [{"type": "record", "collection": watched["name"], "when": "after"}],
        "runAs": "superuser", "config": {"collection": seen["name"]}})
    a = new_record(su, watched, n=1)
    b = new_record(su, watched, n=2)
    assert su.patch(f"{records(watched)}/{a['id']}", json={"n": 3}).status_code == 200
    assert su.delete(f"{records(watched)}/{b['id']}").status_code == 204
    expected = [(e["seq"], e["action"], e["recordId"]) for e in change_log(su, watched, 0)]
    assert [x[1:] for x in expected] == [("create", a["id"]), ("create", b["id"]), ("update", a["id"]),
                                        ("delete", b["id"])]
    wait_until(lambda: total(su, seen) >= 4, timeout=WAIT, what="4 changes recorded by the after hook")
    got = [(e["record"]["seq"], e["record"]["action"], e["record"]["recordId"]) for e in change_log(su, seen, 0)]
    assert got == expected


KILL_CREATES = 1000


def test_an_after_hook_sees_every_change_of_a_burst_across_kill_9(fresh_server):
    """1,000 creates by 4 threads; the server is killed (SIGKILL) partway through both the creates and the hook's
    work, restarted on the same data dir, and the rest created. The hook must have seen every committed create at
    least once, first sightings in seq order; duplicates (redelivery after the crash) are dropped by seq here."""
    srv = fresh_server
    api = Api(srv.url, superuser_token(srv.url))
    burst = create_collection(api, {"name": unique_name("fn_burst"), "createRule": "",
                                    "fields": [{"name": "n", "type": "number"}]})
    seen = create_collection(api, {"name": unique_name("fn_seen"), "fields": [
        {"name": "seq", "type": "number"}, {"name": "action", "type": "text"}, {"name": "recordId", "type": "text"}]})
    deploy(api, fn_name("recorder"), module("c/change_recorder"), {
        "triggers": [{"type": "record", "collection": burst["name"], "actions": ["create"], "when": "after"}],
        "runAs": "superuser", "config": {"collection": seen["name"]}})

    created, stop = [], threading.Event()

    def create_some(k):
        session = requests.Session()
        for i in range(KILL_CREATES // 4):
            if stop.is_set():
                return
            try:
                r = session.post(f"{srv.url}{records(burst)}", json={"n": k * 1000 + i}, timeout=10)
            except requests.RequestException:
                return
            if r.status_code != 200:
                return
            created.append(r.json()["id"])

    threads = [threading.Thread(target=create_some, args=(k,), daemon=True) for k in range(4)]
    for t in threads:
        t.start()
    wait_until(lambda: len(created) >= 400 and total(api, seen) >= 40, timeout=60,
               what="400 creates and 40 of them seen by the hook before the kill")
    seen_before_kill = total(api, seen)
    srv.kill_and_restart()
    stop.set()
    for t in threads:
        t.join(timeout=15)
    api = Api(srv.url, superuser_token(srv.url))

    for i in range(KILL_CREATES - total(api, burst)):
        new_record(api, burst, n=100_000 + i)
    logged = change_log(api, burst, 0)
    assert len(logged) == KILL_CREATES and all(e["action"] == "create" for e in logged)
    expected = {e["seq"]: e["recordId"] for e in logged}
    assert seen_before_kill < KILL_CREATES

    def sightings():
        return [e["record"] for e in change_log(api, seen, 0)]
    got = poll(sightings, lambda s: {int(x["seq"]) for x in s} >= set(expected), timeout=120, interval=0.5,
               what=f"the hook to have seen all {KILL_CREATES} creates")
    assert {int(x["seq"]) for x in got} == set(expected), "the hook saw a change that is not in the log"
    assert all(x["action"] == "create" and x["recordId"] == expected[int(x["seq"])] for x in got)
    firsts, once = [], set()
    for x in got:
        if int(x["seq"]) not in once:
            once.add(int(x["seq"]))
            firsts.append(int(x["seq"]))
    assert firsts == sorted(firsts), "a change was seen before an earlier one"
    before_kill = [int(x["seq"]) for x in got[:seen_before_kill]]
    assert before_kill == sorted(set(before_kill)), "a change was seen twice before the kill"


# =========================================================================== 5. cron
def test_a_cron_function_fires_within_a_second_of_its_minute(srv, su):
    ticks = create_collection(su, {"name": unique_name("fn_ticks"), "fields": [
        {"name": "scheduledAt", "type": "text"}, {"name": "schedule", "type": "text"},
        {"name": "created", "type": "autodate", "onCreate": True}]})
    name = fn_name("tick")
    deploy(su, name, module("c/tick"), {"triggers": [{"type": "cron", "schedule": "* * * * *"}],
                                        "runAs": "superuser", "config": {"collection": ticks["name"]}})
    deployed = datetime.now(timezone.utc)
    minute = (deployed + timedelta(minutes=1)).replace(second=0, microsecond=0)
    if (minute - deployed).total_seconds() < 2:  # too close to tell a late first run from a missed one
        minute += timedelta(minutes=1)
    stamp = minute.strftime("%Y-%m-%d %H:%M:%S.000Z")

    r = su.get("/api/crons")
    assert r.status_code == 200, r.text
    assert {"id": f"function:{name}", "expression": "* * * * *"} in r.json()
    # Not reachable over HTTP: it has no HTTP trigger.
    assert_error(call(srv, name), 404)

    wait = (minute - datetime.now(timezone.utc)).total_seconds() + 3
    tick = poll(lambda: all_records(su, ticks), lambda items: any(t["scheduledAt"] == stamp for t in items),
                timeout=wait, interval=0.2, what=f"the run scheduled at {stamp}")
    run = next(t for t in tick if t["scheduledAt"] == stamp)
    late = (parse_date(run["created"]) - minute).total_seconds()
    assert 0 <= late < 1.0, f"the {stamp} run wrote its record {late:.3f} s after its minute"
    assert run["schedule"] == "* * * * *"

    # Run now: POST /api/crons/{id}.
    count = len(tick)
    r = su.post(f"/api/crons/function:{name}")
    assert r.status_code == 204, r.text
    wait_until(lambda: total(su, ticks) > count, timeout=WAIT, what="the run-now tick")
    assert_error(Api(srv.url, None).post(f"/api/crons/function:{name}"), 401)

    # Deleting the function takes its schedule away.
    assert su.delete(f"/api/functions/{name}").status_code == 204
    assert all(c["id"] != f"function:{name}" for c in su.get("/api/crons").json())
    assert_error(su.post(f"/api/crons/function:{name}"), 404)


# =========================================================================== 5b. http_request
@pytest.fixture(scope="module")
def upstream():
    """A plain HTTP server on loopback that answers GET /hello with 201 and a body, for http_request."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = f"hello from {self.path}".encode()
            self.send_response(201)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def set_allow_private_hosts(su, allowed: bool) -> None:
    r = su.patch("/api/settings", json={"functions": {"allowPrivateHosts": allowed}})
    assert r.status_code == 200 and r.json()["functions"]["allowPrivateHosts"] is allowed, r.text


def test_http_request_reaches_only_allowed_public_hosts_unless_private_hosts_are_allowed(srv, su, upstream):
    allowed, elsewhere = fn_name("fetch"), fn_name("fetch_elsewhere")
    deploy(su, allowed, module("c/fetch"), {"triggers": HTTP, "allowedHosts": ["127.0.0.1", "localhost"]})
    deploy(su, elsewhere, module("c/fetch"), {"triggers": HTTP, "allowedHosts": ["*.example.com"]})
    try:
        # Listed, but loopback: refused while functions.allowPrivateHosts is off (the default).
        set_allow_private_hosts(su, False)
        body = assert_error(call(srv, allowed, "/", params={"url": f"{upstream}/hello"}), 500)
        assert "allowPrivateHosts" in body["message"] and allowed in body["message"], body
        by_name = upstream.replace("127.0.0.1", "localhost")
        body = assert_error(call(srv, allowed, "/", params={"url": f"{by_name}/hello"}), 500)
        assert "allowPrivateHosts" in body["message"], body

        # Allowed: the plug-in gets the upstream's status and body, by address and by name (the name is
        # resolved by Swiftbase and the request pinned to that address).
        set_allow_private_hosts(su, True)
        r = call(srv, allowed, "/", params={"url": f"{upstream}/hello"})
        assert r.status_code == 200, r.text
        assert r.json() == {"status": 201, "body": "hello from /hello"}
        r = call(srv, allowed, "/", params={"url": f"{by_name}/by-name"})
        assert r.status_code == 200, r.text
        assert r.json() == {"status": 201, "body": "hello from /by-name"}

        # Not in allowedHosts: refused whatever the settings say, with Extism's words.
        body = assert_error(call(srv, elsewhere, "/", params={"url": f"{upstream}/hello"}), 500)
        assert "is not allowed" in body["message"], body
        # Only http(s).
        body = assert_error(call(srv, allowed, "/", params={"url": "file:///etc/passwd"}), 500)
        assert "http" in body["message"], body
    finally:
        set_allow_private_hosts(su, False)


# =========================================================================== 6. limits
def health_ok(srv) -> bool:
    return requests.get(srv.url + "/api/health", timeout=5).status_code == 200


def test_a_runaway_loop_ends_at_its_timeout_with_a_504_while_the_server_serves(srv, su, echo):
    name = fn_name("spin")
    deploy(su, name, module("wat/limits"), {"triggers": [{"type": "http", "export": "spin"}],
                                            "limits": {"timeoutMs": 500, "fuel": UNLIMITED_FUEL}})
    outcome = {}

    def spin():
        began = time.monotonic()
        outcome["response"] = call(srv, name, "/")
        outcome["began"], outcome["ended"] = began, time.monotonic()

    thread = threading.Thread(target=spin, daemon=True)
    thread.start()
    served = []  # (sent, answered) of other requests answered while the loop ran
    deadline = time.monotonic() + 30
    while thread.is_alive() and time.monotonic() < deadline:
        sent = time.monotonic()
        assert health_ok(srv)
        r = call(srv, echo, "/meanwhile")
        assert r.status_code == 200 and r.json()["path"] == "/meanwhile", r.text
        served.append((sent, time.monotonic()))
    thread.join(timeout=5)
    assert "response" in outcome, "the runaway call did not end within 30 s"
    body = assert_error(outcome["response"], 504)
    assert name in body["message"]
    took = outcome["ended"] - outcome["began"]
    assert 0.45 <= took < 5, f"the 504 came after {took:.2f} s for a 500 ms timeout"
    during = [s for s in served if s[0] >= outcome["began"] and s[1] <= outcome["ended"]]
    assert during, "no other request was answered while the loop ran"
    # Contained: the server and the function itself go on.
    assert health_ok(srv)
    assert_error(call(srv, name), 504)
    assert call(srv, echo, "/after").json()["path"] == "/after"


@pytest.mark.parametrize("export", ["grow_4gib", "alloc_4gib"])
def test_four_gib_of_memory_ends_the_call_with_a_500(srv, su, echo, export):
    name = fn_name(export.replace("_", ""))
    deploy(su, name, module("wat/limits"), {"triggers": [{"type": "http", "export": export}]})
    body = assert_error(call(srv, name, "/"), 500)
    assert body["message"].startswith(f'Function "{name}" failed'), body
    assert health_ok(srv)
    assert call(srv, echo, "/after").json()["path"] == "/after"


def test_a_bad_host_pointer_ends_the_call_with_a_500(srv, su, echo):
    name = fn_name("badptr")
    deploy(su, name, module("wat/bad_host_pointer"), {"triggers": HTTP})
    body = assert_error(call(srv, name, "/"), 500)
    assert body["message"].startswith(f'Function "{name}" failed'), body
    assert health_ok(srv)
    assert call(srv, echo, "/after").json()["path"] == "/after"


# =========================================================================== 7. hot reload from DATA_DIR/functions
def write_atomically(path: Path, data: bytes) -> None:
    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    temp.write_bytes(data)
    os.replace(temp, path)


def test_functions_in_the_data_dir_are_loaded_reloaded_and_removed(srv, su):
    folder = srv.data_dir / "functions"
    folder.mkdir(exist_ok=True)
    name = fn_name("fromfile")
    write_atomically(folder / f"{name}.json", json.dumps({"triggers": HTTP}).encode())
    write_atomically(folder / f"{name}.wasm", module("c/http_echo"))
    r = poll(lambda: call(srv, name, "/hot"), lambda r: r.status_code == 200, timeout=WAIT,
             what="the file function to answer")
    assert r.json()["path"] == "/hot"
    fn = get_function(su, name)
    assert (fn["source"], fn["module"]["sha256"]) == ("file", hashlib.sha256(module("c/http_echo")).hexdigest())

    write_atomically(folder / f"{name}.json", json.dumps({"triggers": HTTP, "config": {"greeting": "Reloaded"}}).encode())
    write_atomically(folder / f"{name}.wasm", module("wat/greeting"))
    poll(lambda: call(srv, name, "/hot"), lambda r: r.status_code == 200 and r.text == "Reloaded",
         timeout=WAIT, what="the changed file to be deployed")
    assert get_function(su, name)["version"] > fn["version"]

    (folder / f"{name}.wasm").unlink()
    poll(lambda: call(srv, name, "/hot"), lambda r: r.status_code == 404, timeout=WAIT,
         what="the deleted file's function to go")
    assert_error(su.get(f"/api/functions/{name}"), 404)
    (folder / f"{name}.json").unlink()


# =========================================================================== 8. logs and metrics
def test_logs_show_the_guests_lines_newest_first(srv, su):
    name = fn_name("logged")
    deploy(su, name, module("c/http_echo"), {"triggers": HTTP})
    for i in range(1, 4):
        assert call(srv, name, f"/line-{i}").status_code == 200
    expected = [f"echo GET /line-{i}" for i in (3, 2, 1)]
    r = poll(lambda: su.get(f"/api/functions/{name}/logs", params={"limit": 100}),
             lambda r: r.status_code == 200 and len(r.json()["items"]) >= 3, timeout=WAIT, what="three log lines")
    items = r.json()["items"]
    assert [i["message"] for i in items] == expected
    assert all(set(i) == {"time", "level", "message", "trigger"} for i in items), items
    assert all(i["level"] == "info" and i["trigger"] == "http" for i in items), items
    times = [parse_date(i["time"]) for i in items]
    assert times == sorted(times, reverse=True)
    r = su.get(f"/api/functions/{name}/logs", params={"limit": 2})
    assert [i["message"] for i in r.json()["items"]] == expected[:2]
    assert_error(su.get(f"/api/functions/{fn_name('nobody')}/logs"), 404)


def test_metrics_count_invocations_and_errors_per_function(srv, su):
    ok, bad = fn_name("counted"), fn_name("failing")
    deploy(su, ok, module("c/http_echo"), {"triggers": HTTP})
    deploy(su, bad, module("wat/bad_host_pointer"), {"triggers": HTTP})
    before = metric_samples(su)
    for _ in range(5):
        assert call(srv, ok).status_code == 200
    for _ in range(2):
        assert call(srv, bad).status_code == 500

    def grown():
        now = metric_samples(su)
        return (function_metric(now, ok, "invocations") - function_metric(before, ok, "invocations") >= 5 and
                function_metric(now, bad, "error") - function_metric(before, bad, "error") >= 2)
    wait_until(grown, timeout=WAIT, what="invocation and error counters labelled with the functions' names")
    after = metric_samples(su)
    assert function_metric(after, ok, "invocations") - function_metric(before, ok, "invocations") == 5
    assert function_metric(after, ok, "error") == function_metric(before, ok, "error") == 0
    durations = [n for n, l, _ in after if n.startswith("swiftbase_function") and n.endswith("_seconds_count")
                 and l.get("function") == ok]
    assert durations and metric_sum(after, durations[0], function=ok) >= 5, durations


# =========================================================================== 9. the command line
def test_cli_deploys_lists_and_prints_logs_through_the_api(srv, su, request, tmp_path):
    """`swiftbase functions deploy|list|logs` against the running server, signed in as its superuser."""
    from conftest import _server_binary
    binary = str(_server_binary(request.config, "swiftbase"))
    name = fn_name("cli")
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"triggers": HTTP, "config": {"greeting": "from the CLI"}}))
    server = ["--url", srv.url, "--email", SU_EMAIL, "--password", SU_PASSWORD]

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([binary, "functions", *args, *server], capture_output=True, text=True, timeout=60)

    done = cli("deploy", name, str(BUILD / "c" / "http_echo.wasm"), "--config", str(config))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"deployed {name} version 1", done.stdout
    function = get_function(su, name)
    assert (function["version"], function["config"]) == (1, {"greeting": "from the CLI"})

    assert call(srv, name, "/from-cli").status_code == 200
    listed = cli("list")
    assert listed.returncode == 0, listed.stderr
    assert any(line.startswith(f"{name}  v1  api  http") for line in listed.stdout.splitlines()), listed.stdout
    logs = poll(lambda: cli("logs", name), lambda done: "echo GET /from-cli" in done.stdout, timeout=WAIT,
                what="the CLI printing the function's log line")
    assert logs.returncode == 0 and "[http]" in logs.stdout, logs.stdout

    # A module that is not WebAssembly: the CLI fails with the server's error, the function stays at version 1.
    bad = tmp_path / "bad.wasm"
    bad.write_bytes(b"not wasm")
    refused = cli("deploy", name, str(bad))
    assert refused.returncode != 0 and "400" in refused.stderr and "module" in refused.stderr, refused.stderr
    assert get_function(su, name)["version"] == 1

"""Swiftbase beyond PocketBase: the audit log (`GET /api/audit`, superusers only) records privileged and
security events — superuser logins, collection and rule changes, API key creation/use/revocation and
denials, failed and locked logins, rule denials — with the requester and address, never a secret."""
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conftest import SU_EMAIL, SU_PASSWORD, Api, assert_error, create_collection, superuser_token, unique_name

pytestmark = pytest.mark.usefixtures("swiftbase_only")


def events(api, **params):
    r = api.get("/api/audit", params={"perPage": 200, **params})
    assert r.status_code == 200, r.text
    body = r.json()
    assert {"page", "perPage", "totalItems", "totalPages", "items"} <= set(body)
    return body["items"]


def test_only_superusers_read_the_audit_log(guest):
    assert_error(guest.get("/api/audit"), 401)


def test_superuser_login_is_recorded(server, api):
    r = requests.post(server.url + "/api/collections/_superusers/auth-with-password",
                      json={"identity": SU_EMAIL, "password": SU_PASSWORD}, timeout=30)
    assert r.status_code == 200
    uid = r.json()["record"]["id"]
    logins = events(api, event="superuser.login")
    mine = [e for e in logins if e["target"] == uid]
    assert mine and mine[0]["ip"] == "127.0.0.1" and mine[0]["actor"] == "_superusers:" + uid
    assert mine[0]["details"] == {"method": "password"}
    assert SU_PASSWORD not in str(logins) and r.json()["token"] not in str(logins)


def test_failed_login_is_recorded_without_the_password(api, guest):
    identity = f"nobody-{uuid.uuid4().hex[:8]}@example.com"
    attempt = "not-the-password-" + uuid.uuid4().hex
    r = guest.post("/api/collections/users/auth-with-password", json={"identity": identity, "password": attempt})
    assert r.status_code == 400
    failed = [e for e in events(api, event="auth.login_failed") if e["target"] == "users/" + identity]
    assert len(failed) == 1 and failed[0]["actor"] == "guest" and failed[0]["ip"] == "127.0.0.1"
    assert attempt not in str(events(api))


def test_collection_and_rule_changes_are_recorded(api):
    coll = create_collection(api, {"name": unique_name("aud"), "fields": []})
    r = api.patch(f"/api/collections/{coll['id']}", json={"listRule": "", "viewRule": "id != ''"})
    assert r.status_code == 200
    assert api.delete(f"/api/collections/{coll['id']}").status_code == 204
    mine = [e for e in events(api) if e["target"] == coll["name"]]
    assert [e["event"] for e in mine] == ["collection.delete", "collection.update", "collection.create"]
    update = mine[1]
    assert update["details"]["rulesBefore"]["listRule"] is None
    assert update["details"]["rulesAfter"]["listRule"] == ""
    assert update["details"]["rulesAfter"]["viewRule"] == "id != ''"
    assert update["actor"].startswith("_superusers:")


def test_api_key_lifecycle_and_denials_are_recorded(api):
    coll = create_collection(api, {"name": unique_name("audk"), "fields": []})
    other = create_collection(api, {"name": unique_name("audo"), "fields": []})
    created = api.post("/api/keys", json={"name": "ci", "scopes": [{"collection": coll["name"], "actions": ["list"]}]}).json()
    key = Api(api.base, "Bearer " + created["key"])
    for _ in range(3):
        assert key.get(f"/api/collections/{coll['name']}/records").status_code == 200
    assert key.get(f"/api/collections/{other['name']}/records").status_code == 403
    assert api.delete(f"/api/keys/{created['id']}").status_code == 204
    log = events(api)
    about = [e for e in log if e["target"] == created["id"] or e["actor"] == "apikey:" + created["id"]]
    kinds = [e["event"] for e in about]
    assert kinds.count("apikey.create") == 1 and kinds.count("apikey.revoke") == 1
    assert kinds.count("apikey.use") == 1  # at most once a minute per key
    denied = [e for e in about if e["event"] == "apikey.denied"]
    assert denied and denied[0]["target"] == f"{other['name']} list"
    assert created["key"] not in str(log)


def test_rule_denials_are_recorded(api, guest):
    coll = create_collection(api, {"name": unique_name("audr"), "fields": []})
    assert guest.get(f"/api/collections/{coll['name']}/records").status_code == 403
    assert guest.post(f"/api/collections/{coll['name']}/records", json={}).status_code == 403
    denied = [e["target"] for e in events(api, event="rule.denied") if e["target"].startswith(coll["name"] + " ")]
    assert sorted(denied) == [f"{coll['name']} create", f"{coll['name']} list"]


def test_filter_by_actor_and_paging(api):
    everything = events(api)
    actor = everything[0]["actor"]
    assert all(e["actor"] == actor for e in events(api, actor=actor))
    first = api.get("/api/audit", params={"perPage": 1}).json()
    assert first["perPage"] == 1 and len(first["items"]) == 1 and first["totalItems"] >= len(everything)


def test_answered_events_survive_a_crash(fresh_server):
    """A security event is stored before its answer goes out: every failed login and rule denial answered
    before a SIGKILL is in the log after a restart on the same data directory."""
    api = Api(fresh_server.url, superuser_token(fresh_server.url))
    coll = create_collection(api, {"name": unique_name("audk9"), "fields": []})
    tag = uuid.uuid4().hex[:8]

    def failed_login(i):
        r = requests.post(fresh_server.url + "/api/collections/users/auth-with-password",
                          json={"identity": f"k9-{tag}-{i}@example.com", "password": "wrong-password"}, timeout=30)
        assert r.status_code == 400, r.text
        return f"users/k9-{tag}-{i}@example.com"

    def denied(i):
        r = requests.get(fresh_server.url + f"/api/collections/{coll['name']}/records", timeout=30)
        assert r.status_code == 403, r.text
        return f"{coll['name']} list"

    with ThreadPoolExecutor(max_workers=20) as pool:
        logins = list(pool.map(failed_login, range(40)))
        denials = list(pool.map(denied, range(20)))
    fresh_server.kill_and_restart()

    api = Api(fresh_server.url, superuser_token(fresh_server.url))
    stored = [e["target"] for e in events(api, event="auth.login_failed")]
    assert sorted(t for t in stored if f"-{tag}-" in t) == sorted(logins)
    stored = [e["target"] for e in events(api, event="rule.denied")]
    assert stored.count(f"{coll['name']} list") == len(denials)


def test_deleting_all_logs_is_recorded(fresh_server):
    """`DELETE /api/logs` destroys evidence of what happened: who did it, from where, stays in the audit log
    (which is kept apart from the request logs)."""
    api = Api(fresh_server.url, superuser_token(fresh_server.url))
    assert api.delete("/api/logs").status_code == 204
    (event,) = events(api, event="logs.truncate")
    assert event["actor"].startswith("_superusers:") and event["ip"] == "127.0.0.1"

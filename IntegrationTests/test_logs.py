"""Request logs API (§10): every request logged as PocketBase's activity logger does, `GET /api/logs`,
`GET /api/logs/{id}`, `GET /api/logs/stats`, and the `logs` settings — validated against PocketBase 0.40.6.

PocketBase (apis/middlewares.go `logRequest`, apis/logs.go, core/log_query.go) in short:
  - each request is one entry `{"id","created","level","message","data"}`; `message` is `"<METHOD> <uri>"`
    with the URI percent-decoded; `level` is 8 (error) when the handler failed, else 0 (info);
  - `data`: `type` "request", `url` (the raw request URI), `method`, `status` (int), `execTime` (ms, float),
    `auth` (the auth collection's name, or ""), `referer`, `userAgent`, `userIP`/`remoteIP` (only with
    `logs.logIP`), `authId` (only with `logs.logAuthId`), and for a failure `error` (the message the client
    got) and `details` (field errors, or null);
  - entries are written in batches, off the request: tests poll for them;
  - successful requests to `/api/logs…` are not logged; failed ones are;
  - superusers only (guest 401, other auth record 403); unknown id 404; a bad filter or sort in the list →
    400 (generic message), in stats → 400 "Invalid filter format.";
  - `logs.maxDays` 0 logs nothing; `logs.minLevel` keeps lower levels out; saving the settings deletes stored
    entries below `minLevel` or older than `maxDays`; `__pbLogsCleanup__` (every 6 h) prunes entries older
    than `maxDays`.
Runs on a private server: it changes the `logs` settings, and PocketBase deletes stored logs when they change.
"""
import re
import uuid
from types import SimpleNamespace

import pytest
from pocketbase import PocketBase

from conftest import (Api, assert_error, create_collection, poll, records, superuser_token, unique_name,
                      SU_EMAIL, SU_PASSWORD)

PASSWORD = "Secret-pass-1234"
NEEDS_AUTH = "The request requires valid record authorization token."
NOT_SUPERUSER = "The authorized record is not allowed to perform this action."
NOT_FOUND = "The requested resource wasn't found."
GENERIC = "Something went wrong while processing your request."
REQUEST_KEYS = {"type", "url", "method", "status", "execTime", "auth", "referer", "userAgent"}
HOUR = re.compile(r"^\d{4}-\d\d-\d\d \d\d:00:00\.000Z$")
CREATED = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$")
# PocketBase writes its batch every 3 s (or per 200 entries): waits allow for several rounds on a busy machine.
WAIT = 20


@pytest.fixture(scope="module")
def ctx(own_server):
    url = own_server.url
    su = Api(url, superuser_token(url))
    members = create_collection(su, {"name": unique_name("log_members"), "type": "auth", "fields": []})
    email = f"{uuid.uuid4().hex[:10]}@example.com"
    r = su.post(records(members), json={"email": email, "password": PASSWORD, "passwordConfirm": PASSWORD})
    assert r.status_code == 200, r.text
    r = su.post(f"/api/collections/{members['name']}/auth-with-password",
                json={"identity": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    posts = create_collection(su, {"name": unique_name("log_posts"), "createRule": "", "listRule": "",
                                   "fields": [{"name": "title", "type": "text", "required": True}]})
    me = su.get("/api/collections/_superusers/records", params={"filter": f'email = "{SU_EMAIL}"'}).json()
    return SimpleNamespace(srv=own_server, url=url, su=su, guest=Api(url, None), user=Api(url, r.json()["token"]),
                           posts=posts, su_id=me["items"][0]["id"])


def marker() -> str:
    return "m" + uuid.uuid4().hex[:12]


def logged(ctx, filter_: str, count: int = 1, **params) -> list:
    """Polls `GET /api/logs?filter=…` until `count` entries match, and answers them."""
    def fetch():
        r = ctx.su.get("/api/logs", params={"filter": filter_, "perPage": 200, **params})
        assert r.status_code == 200, r.text
        return r.json()
    body = poll(fetch, lambda b: b["totalItems"] >= count, timeout=WAIT, what=f"{count} log entries for {filter_}")
    assert body["totalItems"] == count, body
    return body["items"]


def logged_url(ctx, mark: str, count: int = 1) -> list:
    return logged(ctx, f'data.url ~ "{mark}"', count)


def set_logs(ctx, **logs):
    r = ctx.su.patch("/api/settings", json={"logs": logs})
    assert r.status_code == 200, r.text
    assert {k: r.json()["logs"][k] for k in logs} == logs


# --------------------------------------------------------------------------- the entry
def test_a_request_is_logged_with_pocketbases_keys_and_types(ctx):
    mark = marker()
    r = ctx.guest.get(f"/api/health?probe={mark}&x=%20y", headers={"Referer": "http://ref.example/p",
                                                                   "User-Agent": "logs-test/1.0"})
    assert r.status_code == 200
    [entry] = logged_url(ctx, mark)
    assert set(entry) == {"id", "created", "level", "message", "data"}
    assert isinstance(entry["id"], str) and len(entry["id"]) == 15
    assert CREATED.match(entry["created"]), entry
    assert entry["level"] == 0
    assert entry["message"] == f"GET /api/health?probe={mark}&x= y"
    data = entry["data"]
    assert set(data) == REQUEST_KEYS | {"userIP", "remoteIP"}, data
    assert data["type"] == "request"
    assert data["url"] == f"/api/health?probe={mark}&x=%20y"
    assert data["method"] == "GET"
    assert data["status"] == 200 and isinstance(data["status"], int)
    assert isinstance(data["execTime"], (int, float)) and 0 <= data["execTime"] < 10_000
    assert data["auth"] == ""
    assert data["referer"] == "http://ref.example/p"
    assert data["userAgent"] == "logs-test/1.0"
    assert data["userIP"] == "127.0.0.1" and data["remoteIP"] == "127.0.0.1"


def test_the_requester_is_named_by_its_collection(ctx):
    mark = marker()
    assert ctx.su.get("/api/collections", params={"filter": f'name != "{mark}"'}).status_code == 200
    assert ctx.user.get(records(ctx.posts), params={"filter": f'title != "{mark}"'}).status_code == 200
    entries = logged_url(ctx, mark, 2)
    by_path = {e["data"]["url"].split("?")[0]: e["data"] for e in entries}
    assert by_path["/api/collections"]["auth"] == "_superusers"
    assert by_path[records(ctx.posts)]["auth"].startswith("log_members_")
    assert all("authId" not in d for d in by_path.values())  # logAuthId is off by default


def test_a_failed_request_is_an_error_with_its_message_and_details(ctx):
    mark = marker()
    r = ctx.guest.get(f"/api/collections/missing_{mark}/records")
    assert r.status_code == 404
    r = ctx.guest.post(records(ctx.posts) + f"?m={mark}", json={})
    assert_error(r, 400)
    missing, invalid = sorted(logged_url(ctx, mark, 2), key=lambda e: e["data"]["method"])
    for entry in (missing, invalid):
        assert entry["level"] == 8
        assert set(entry["data"]) == REQUEST_KEYS | {"userIP", "remoteIP", "error", "details"}
    assert missing["data"]["status"] == 404 and missing["data"]["method"] == "GET"
    assert isinstance(missing["data"]["error"], str) and missing["data"]["error"]
    assert invalid["data"]["status"] == 400 and invalid["data"]["method"] == "POST"
    assert invalid["data"]["error"] == "Failed to create record."
    assert isinstance(invalid["data"]["details"], dict) and set(invalid["data"]["details"]) == {"title"}
    assert isinstance(invalid["data"]["details"]["title"], str)


def test_an_unknown_route_and_a_guest_refused_are_errors_with_null_details(ctx):
    mark = marker()
    assert ctx.guest.get(f"/api/nothing_{mark}").status_code == 404
    assert ctx.guest.get(f"/api/settings?m={mark}").status_code == 401
    entries = {e["data"]["status"]: e for e in logged_url(ctx, mark, 2)}
    assert entries[404]["data"]["error"] == "File not found."
    assert entries[401]["data"]["error"] == NEEDS_AUTH
    for entry in entries.values():
        assert entry["level"] == 8
        assert entry["data"]["details"] is None


# --------------------------------------------------------------------------- list, one, stats
def test_filters_sorts_and_fields_over_data(ctx):
    mark = marker()
    for i in range(3):
        assert ctx.guest.post(records(ctx.posts) + f"?m={mark}", json={"title": f"t{i}"}).status_code == 200
    assert ctx.guest.get(f"/api/collections/nope_{mark}/records").status_code == 404
    assert ctx.guest.get(records(ctx.posts) + f"?m={mark}").status_code == 200
    logged_url(ctx, mark, 5)
    base = f'data.url ~ "{mark}"'
    assert len(logged(ctx, f'{base} && data.method = "POST"', 3)) == 3
    assert len(logged(ctx, f'{base} && data.status >= 400', 1)) == 1
    assert len(logged(ctx, f'{base} && level = 8', 1)) == 1
    assert len(logged(ctx, f'{base} && level = 0 && data.auth = ""', 4)) == 4
    assert len(logged(ctx, f'{base} && message ~ "GET /api/collections/nope_"', 1)) == 1
    assert len(logged(ctx, f'{base} && data.execTime >= 0', 5)) == 5
    r = ctx.su.get("/api/logs", params={"filter": base, "sort": "-data.execTime", "fields": "id,data.execTime"})
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [set(i) for i in items] == [{"id", "data"}] * 5
    times = [i["data"]["execTime"] for i in items]
    assert times == sorted(times, reverse=True)
    r = ctx.su.get("/api/logs", params={"filter": base, "sort": "-@rowid", "perPage": 2, "page": 2})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["page"], body["perPage"], body["totalItems"], body["totalPages"]) == (2, 2, 5, 3)
    assert len(body["items"]) == 2


def test_bad_filters_and_sorts_are_400(ctx):
    assert_error(ctx.su.get("/api/logs", params={"filter": "bad(("}), 400, GENERIC, {})
    assert_error(ctx.su.get("/api/logs", params={"filter": "nope = 1"}), 400, GENERIC, {})
    assert_error(ctx.su.get("/api/logs", params={"sort": "-nope"}), 400, GENERIC, {})
    assert_error(ctx.su.get("/api/logs/stats", params={"filter": "bad(("}), 400, "Invalid filter format.", {})


def test_view_one_entry_and_404(ctx):
    mark = marker()
    assert ctx.guest.get(f"/api/health?m={mark}").status_code == 200
    [entry] = logged_url(ctx, mark)
    r = ctx.su.get(f"/api/logs/{entry['id']}")
    assert r.status_code == 200, r.text
    assert r.json() == entry
    assert_error(ctx.su.get("/api/logs/missing0000000"), 404, NOT_FOUND, {})


def test_stats_count_per_hour(ctx):
    mark = marker()
    for _ in range(3):
        assert ctx.guest.get(f"/api/health?m={mark}").status_code == 200
    logged_url(ctx, mark, 3)
    r = ctx.su.get("/api/logs/stats", params={"filter": f'data.url ~ "{mark}"'})
    assert r.status_code == 200, r.text
    stats = r.json()
    assert isinstance(stats, list) and len(stats) in (1, 2)  # the three may straddle an hour
    for item in stats:
        assert set(item) == {"date", "total"} and HOUR.match(item["date"]) and isinstance(item["total"], int)
    assert sum(i["total"] for i in stats) == 3
    r = ctx.su.get("/api/logs/stats")
    assert r.status_code == 200
    assert sum(i["total"] for i in r.json()) >= 3
    assert [i["date"] for i in r.json()] == sorted(i["date"] for i in r.json())


def test_successful_reads_of_the_logs_are_not_logged_but_failures_are(ctx):
    mark = marker()
    assert ctx.su.get("/api/logs", params={"filter": f'data.url ~ "{mark}-read"'}).status_code == 200
    assert ctx.su.get("/api/logs/stats", params={"filter": f'data.url ~ "{mark}-read"'}).status_code == 200
    assert ctx.su.get(f"/api/logs/{mark}-miss").status_code == 404
    assert ctx.guest.get(f"/api/logs?m={mark}-guest").status_code == 401
    # a later request as a barrier: once it is stored, the reads before it would have been too
    assert ctx.guest.get(f"/api/health?m={mark}-barrier").status_code == 200
    logged_url(ctx, f"{mark}-barrier")
    failed = logged_url(ctx, mark, 3)
    assert sorted(e["data"]["status"] for e in failed) == [200, 401, 404]
    assert not [e for e in failed if "-read" in e["data"]["url"]]


def test_the_dashboards_files_are_not_logged(ctx):
    mark = marker()
    r = ctx.guest.get(f"/_/?m={mark}-page")
    assert r.status_code == 200 and "text/html" in r.headers["Content-Type"]
    # a later request as a barrier: once it is stored, the page before it would have been too
    assert ctx.guest.get(f"/api/health?m={mark}-barrier").status_code == 200
    logged_url(ctx, f"{mark}-barrier")
    assert [e["data"]["url"] for e in logged(ctx, f'data.url ~ "{mark}"', 1)] == [f"/api/health?m={mark}-barrier"]


def test_superusers_only(ctx):
    for path in ("/api/logs", "/api/logs/stats", "/api/logs/abc"):
        assert_error(ctx.guest.get(path), 401, NEEDS_AUTH, {})
        assert_error(ctx.user.get(path), 403, NOT_SUPERUSER, {})


def test_the_sdk_reads_the_logs(ctx):
    mark = marker()
    assert ctx.guest.get(f"/api/health?m={mark}").status_code == 200
    [entry] = logged_url(ctx, mark)
    pb = PocketBase(ctx.url, timeout=30)
    pb.collection("_superusers").auth_with_password(SU_EMAIL, SU_PASSWORD)
    page = pb.logs.get_list(1, 5, {"filter": f'data.url ~ "{mark}"'})
    assert page.total_items == 1 and page.items[0].id == entry["id"]
    one = pb.logs.get_one(entry["id"])
    assert one.id == entry["id"] and one.level == 0 and one.message == entry["message"]
    stats = pb.logs.get_stats({"filter": f'data.url ~ "{mark}"'})
    assert sum(s.total for s in stats) == 1


def test_cleanup_job_is_listed_and_runs(ctx):
    r = ctx.su.get("/api/crons")
    assert r.status_code == 200
    assert {"id": "__pbLogsCleanup__", "expression": "0 */6 * * *"} in r.json()
    mark = marker()
    assert ctx.guest.get(f"/api/health?m={mark}").status_code == 200
    logged_url(ctx, mark)
    assert ctx.su.post("/api/crons/__pbLogsCleanup__").status_code == 204
    # entries younger than maxDays stay: the run is visible in the logs, after which the entry is still there
    logged(ctx, 'data.url = "/api/crons/__pbLogsCleanup__"', 1)
    logged_url(ctx, mark)


# --------------------------------------------------------------------------- settings (they change what follows)
def test_log_ip_off_and_auth_id_on(ctx):
    set_logs(ctx, logIP=False, logAuthId=True)
    try:
        mark = marker()
        assert ctx.su.get(f"/api/health?m={mark}").status_code == 200
        [entry] = logged_url(ctx, mark)
        assert set(entry["data"]) == REQUEST_KEYS | {"authId"}
        assert entry["data"]["authId"] == ctx.su_id
        assert "userIP" not in entry["data"] and "remoteIP" not in entry["data"]
    finally:
        set_logs(ctx, logIP=True, logAuthId=False)


def test_min_level_keeps_lower_levels_out(ctx):
    before = marker()
    assert ctx.guest.get(f"/api/health?m={before}").status_code == 200
    logged_url(ctx, before)
    set_logs(ctx, minLevel=8)
    try:
        # saving the settings deleted the stored entries below the new level
        r = ctx.su.get("/api/logs", params={"filter": f'data.url ~ "{before}"'})
        assert r.status_code == 200 and r.json()["totalItems"] == 0, r.text
        mark = marker()
        assert ctx.guest.get(f"/api/health?m={mark}-info").status_code == 200
        assert ctx.guest.get(f"/api/nothing?m={mark}-error").status_code == 404
        [entry] = logged_url(ctx, mark)
        assert entry["level"] == 8 and "-error" in entry["data"]["url"]
    finally:
        set_logs(ctx, minLevel=0)


def test_max_days_zero_logs_nothing(ctx):
    set_logs(ctx, maxDays=0)
    mark = marker()
    try:
        assert ctx.guest.get(f"/api/health?m={mark}-off").status_code == 200
        assert ctx.guest.get(f"/api/nothing?m={mark}-off").status_code == 404
    finally:
        set_logs(ctx, maxDays=5)
    assert ctx.guest.get(f"/api/health?m={mark}-on").status_code == 200
    [entry] = logged_url(ctx, mark)
    assert entry["data"]["url"].endswith(f"{mark}-on")


def test_max_data_size_truncates_the_data_pocketbase_040s_way(ctx):
    """`logs.maxDataSize` (PocketBase 0.40; 0 = 16 KiB): an entry whose `data` JSON is longer keeps the members whose
    values end within the limit, the one cut off inside its value as null, and gets `"__pb_truncated__": true`."""
    headers = {"User-Agent": "max-data-size/1.0", "Referer": "http://ref.example/" + "r" * 200}
    mark = marker()
    try:
        set_logs(ctx, maxDataSize=100_000)
        assert ctx.guest.get(f"/api/health?m={mark}-full", headers=headers).status_code == 200
        [full] = logged_url(ctx, f"{mark}-full")
        assert "__pb_truncated__" not in full["data"]
        set_logs(ctx, maxDataSize=120)
        assert ctx.guest.get(f"/api/health?m={mark}-cut", headers=headers).status_code == 200
        [cut] = logged(ctx, f'message ~ "{mark}-cut"')  # its data.url is cut away
    finally:
        set_logs(ctx, maxDataSize=0)
    data = cut["data"]
    assert data.pop("__pb_truncated__") is True, cut
    keys = sorted(full["data"])
    assert list(data) == keys[:len(data)] and 0 < len(data) < len(keys), (data, keys)
    *kept, last = list(data)
    for key in kept:
        if key != "execTime":
            assert data[key] == full["data"][key], key
    # The referer (200+ characters) cannot end within 120 bytes: the walk stops at it, as null.
    assert last == "referer" and data[last] is None, data


def test_truncate_deletes_every_stored_entry(ctx):
    """`DELETE /api/logs` (the JS SDK's `pb.logs.truncate()`, PocketBase 0.40): superusers only, 204 with no
    body, and the entries stored before it are gone. Last in the file: it empties the module server's logs."""
    mark = marker()
    assert ctx.guest.get(f"/api/health?m={mark}").status_code == 200
    logged_url(ctx, mark)
    assert_error(ctx.guest.delete("/api/logs"), 401, NEEDS_AUTH, {})
    assert_error(ctx.user.delete("/api/logs"), 403, NOT_SUPERUSER, {})
    r = ctx.su.delete("/api/logs")
    assert r.status_code == 204 and r.content == b"", r.text
    r = ctx.su.get("/api/logs", params={"filter": f'data.url ~ "{mark}"'})
    assert r.status_code == 200 and r.json()["totalItems"] == 0, r.text
    # Logging goes on after it: the refused truncations above were failures, logged after their batch.
    later = marker()
    assert ctx.guest.get(f"/api/health?m={later}").status_code == 200
    logged_url(ctx, later)

"""Crons API (§10): `GET /api/crons`, `POST /api/crons/{id}` and the automatic-backup job, validated against
PocketBase 0.40.6.

PocketBase (apis/cron.go, tools/cron, core/base_backup.go) in short:
  - both routes are superuser-only (guest 401, other auth record 403);
  - the list is `[{"id","expression"}]`: jobs whose id does not start with `__pb` first, by id, then the
    `__pb…` system jobs; a macro is listed as the five fields it stands for (`@daily` → `0 0 * * *`);
  - `POST /api/crons/{id}` runs the job in the background and answers 204 at once; an unknown id → 404
    "Missing or invalid cron job.";
  - while `backups.cron` is set the job `__pbAutoBackup__` exists; a run writes
    `@auto_pb_backup_<snakecase(appName)>_<UTC YYYYMMDDhhmmss>.zip` and then deletes the oldest automatic
    backups beyond `backups.cronMaxKeep` (backups named by hand are left alone).
Runs on a private server: it changes the backup settings and writes backups.
"""
import re
import time
import uuid
from types import SimpleNamespace

import pytest
from pocketbase import PocketBase
from pocketbase.errors import ClientResponseError

from conftest import (Api, assert_error, create_collection, records, sleep_past, superuser_token,
                      unique_name, wait_until, SU_EMAIL, SU_PASSWORD)

PASSWORD = "Secret-pass-1234"
NEEDS_AUTH = "The request requires valid record authorization token."
NOT_SUPERUSER = "The authorized record is not allowed to perform this action."
MISSING_JOB = "Missing or invalid cron job."
AUTO = re.compile(r"^@auto_pb_backup_acme_\d{14}\.zip$")


@pytest.fixture(scope="module")
def ctx(own_server):
    url = own_server.url
    su = Api(url, superuser_token(url))
    members = create_collection(su, {"name": unique_name("cron_members"), "type": "auth", "fields": []})
    email = f"{uuid.uuid4().hex[:10]}@example.com"
    r = su.post(records(members), json={"email": email, "password": PASSWORD, "passwordConfirm": PASSWORD})
    assert r.status_code == 200, r.text
    r = su.post(f"/api/collections/{members['name']}/auth-with-password",
                json={"identity": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return SimpleNamespace(srv=own_server, url=url, su=su, guest=Api(url, None), user=Api(url, r.json()["token"]))


def jobs(ctx) -> list:
    r = ctx.su.get("/api/crons")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    return r.json()


def set_backups(ctx, **backups):
    r = ctx.su.patch("/api/settings", json={"backups": backups})
    assert r.status_code == 200, r.text


def automatic_backups(ctx) -> list:
    r = ctx.su.get("/api/backups")
    assert r.status_code == 200, r.text
    return sorted(b["key"] for b in r.json() if b["key"].startswith("@auto_pb_backup_"))


def test_list_shape_and_order(ctx):
    items = jobs(ctx)
    assert isinstance(items, list) and items, items
    for item in items:
        assert set(item) == {"id", "expression"}, item
        assert isinstance(item["id"], str) and item["id"]
        assert len(item["expression"].split(" ")) == 5, item
    ids = [item["id"] for item in items]
    assert len(set(ids)) == len(ids), ids
    own = [i for i in ids if not i.startswith("__pb")]
    assert ids[:len(own)] == own and own == sorted(own), ids
    assert "__pbAutoBackup__" not in ids  # backups.cron is empty by default


@pytest.mark.parametrize("method,path", [("GET", "/api/crons"), ("POST", "/api/crons/__pbAutoBackup__"),
                                         ("POST", "/api/crons/does_not_exist")])
def test_superusers_only(ctx, method, path):
    assert_error(ctx.guest.request(method, path), 401, NEEDS_AUTH, {})
    assert_error(ctx.user.request(method, path), 403, NOT_SUPERUSER, {})


def test_unknown_job_is_404(ctx):
    assert_error(ctx.su.post("/api/crons/does_not_exist"), 404, MISSING_JOB, {})
    assert_error(ctx.su.post("/api/crons/__pbAutoBackup__"), 404, MISSING_JOB, {})  # not set up yet


def test_backups_cron_adds_the_auto_backup_job_and_run_now_writes_one(ctx):
    set_backups(ctx, cron="@daily", cronMaxKeep=1)
    try:
        items = jobs(ctx)
        assert {"id": "__pbAutoBackup__", "expression": "0 0 * * *"} in items, items
        # A system job: listed after every job whose id does not start with __pb.
        ids = [item["id"] for item in items]
        assert all(i.startswith("__pb") for i in ids[ids.index("__pbAutoBackup__"):]), ids

        before = automatic_backups(ctx)
        assert before == []
        started = time.time()
        r = ctx.su.post("/api/crons/__pbAutoBackup__")
        assert r.status_code == 204, r.text
        assert r.content == b""
        first = wait_until(lambda: automatic_backups(ctx), timeout=30, what="an automatic backup")
        assert len(first) == 1 and AUTO.match(first[0]), first
        stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(started))
        assert first[0][-18:-4] >= stamp, (first, stamp)

        # cronMaxKeep 1: the next run (named by a later second) leaves only itself.
        manual = f"cron_manual_{uuid.uuid4().hex[:8]}.zip"
        assert ctx.su.post("/api/backups", json={"name": manual}).status_code == 204
        sleep_past(time.time() + 1)
        assert ctx.su.post("/api/crons/__pbAutoBackup__").status_code == 204
        second = wait_until(lambda: (lambda keys: keys if keys and keys != first else None)(automatic_backups(ctx)),
                            timeout=30, what="the second automatic backup replacing the first")
        assert len(second) == 1 and AUTO.match(second[0]) and second[0] > first[0], (first, second)
        keys = [b["key"] for b in ctx.su.get("/api/backups").json()]
        assert manual in keys, keys  # a backup named by hand is never pruned
    finally:
        set_backups(ctx, cron="", cronMaxKeep=3)
    ids = [item["id"] for item in jobs(ctx)]
    assert "__pbAutoBackup__" not in ids, ids


def test_changed_cron_is_listed_as_set(ctx):
    set_backups(ctx, cron="*/15 3-4 * * 1-5", cronMaxKeep=2)
    try:
        assert {"id": "__pbAutoBackup__", "expression": "*/15 3-4 * * 1-5"} in jobs(ctx)
        set_backups(ctx, cron="@hourly")
        assert {"id": "__pbAutoBackup__", "expression": "0 * * * *"} in jobs(ctx)
    finally:
        set_backups(ctx, cron="", cronMaxKeep=3)


@pytest.mark.parametrize("cron", ["5/2 * * * *", "* * * *", "*  * * * *", "@reboot", "@DAILY", "0 0 * * 7",
                                  "0 0 0 * *", "*/0 * * * *", "MON * * * *"])
def test_invalid_backups_cron_is_refused(ctx, cron):
    body = assert_error(ctx.su.patch("/api/settings", json={"backups": {"cron": cron, "cronMaxKeep": 1}}), 400)
    assert body["data"]["backups"]["cron"]["code"] == "validation_invalid_cron", body
    assert "__pbAutoBackup__" not in [item["id"] for item in jobs(ctx)]


def test_sdk_lists_and_runs(ctx):
    client = PocketBase(ctx.url)
    client.collection("_superusers").auth_with_password(SU_EMAIL, SU_PASSWORD)
    listed = client.crons.get_full_list()
    assert [job.id for job in listed] == [item["id"] for item in jobs(ctx)]
    assert all(len(job.expression.split(" ")) == 5 for job in listed)
    with pytest.raises(ClientResponseError) as err:
        client.crons.run("does_not_exist")
    assert err.value.status == 404


def test_swiftbase_lists_change_log_retention(ctx, swiftbase_only):
    assert {"id": "__sbChangesRetention__", "expression": "* * * * *"} in jobs(ctx)

"""Backups API (§10): list/create/upload/download/delete/restore, validated against PocketBase 0.40.6.

Everything runs on a private server (`own_server`): restores replace the whole database. PocketBase
(apis/backup*.go, core/backup_create.go, core/backup_restore.go) in short:
  - list/create/upload/delete/restore are superuser-only (guest 401, other auth record 403); download
    `GET /api/backups/{key}?token=` has no auth middleware and accepts only a *superuser file token*
    (anything else → 403 "Insufficient permissions to access the resource.", checked before the key);
  - `GET /api/backups` → `[{key,size,modified}]` sorted by key (byte order), `modified` =
    "YYYY-MM-DD HH:MM:SS.mmmZ";
  - create: optional `name` (`^[a-z0-9_-]+\\.zip$`, length 1..150, must not exist), default name
    `pb_backup_<snakecase(meta.appName)[:50]>_<UTC YYYYMMDDhhmmss>.zip` (a second default backup in the
    same second silently replaces the first);
  - the zip holds `data.db` and `auxiliary.db` (VACUUM INTO copies: consistent snapshots, no -wal/-shm),
    `storage/<collectionId>/<recordId>/<file>` and the rest of pb_data, minus `backups/` and temp dirs
    (only data.db and storage/ are required here: restore needs nothing else);
  - upload: multipart `file`, content must sniff as application/zip (the declared type is ignored), the
    stored key is the client's file name (base name only, not validated), must not exist yet;
  - restore: 204 at once; about 1 s later the zip is extracted, pb_data swapped (`backups/` kept) and the
    process re-execs itself (execve: same pid, same argv); ~0.1 s later it answers again. Tokens of the
    restored database stay valid (same secrets). A zip without data.db: 204, then nothing happens.
  - while a backup is being created, create/restore → 400 "Try again later - another backup/restore
    process has already been started." and deleting that backup → 400 "The backup is currently being
    used and cannot be deleted.".
Nothing here creates or alters a collection between taking a backup and restoring it: PocketBase's
automigrate would replay those migrations after the restart.
"""
import datetime
import hashlib
import io
import json
import math
import random
import re
import sqlite3
import threading
import time
import uuid
import zipfile
from types import SimpleNamespace
from urllib.parse import quote

import pytest
import requests
from pocketbase import PocketBase
from pocketbase.errors import ClientResponseError
from pocketbase.models import FileUpload

from conftest import (SU_EMAIL, SU_PASSWORD, Api, assert_error, create_collection, new_record,
                      records, sleep_past, superuser_token, unique_name, wait_until)

PASSWORD = "Secret-pass-1234"
VALIDATE_FAILED = "An error occurred while validating the submitted data."
LOAD_FAILED = "An error occurred while loading the submitted data."
NEEDS_AUTH = "The request requires valid record authorization token."
NOT_SUPERUSER = "The authorized record is not allowed to perform this action."
NO_PERMISSION = "Insufficient permissions to access the resource."
NOT_FOUND = "The requested resource wasn't found."
BUSY = "Try again later - another backup/restore process has already been started."
IN_USE = "The backup is currently being used and cannot be deleted."
MISSING_BACKUP = "Missing or invalid backup file."
DELETE_FAILED_PREFIX = "Invalid or already deleted backup file."
NAME_INVALID = {"code": "validation_match_invalid", "message": "Must be in a valid format."}
NAME_EXISTS = {"code": "validation_backup_name_exists",
               "message": "The backup file name is invalid or already exists."}
UPLOAD_EXISTS = {"code": "validation_backup_name_exists",
                 "message": "Backup file with the specified name already exists."}
FILE_REQUIRED = {"code": "validation_required", "message": "Cannot be blank."}
MODIFIED_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}Z$")
RESTORE_TIMEOUT = 30.0


# --------------------------------------------------------------------------- fixtures & helpers
def login(url, collection, identity, password):
    r = requests.post(f"{url}/api/collections/{collection}/auth-with-password",
                      json={"identity": identity, "password": password}, timeout=30)
    return r


@pytest.fixture(scope="module")
def ctx(own_server):
    """Superuser/guest/user clients on the private server; `initial` = GET /api/backups before
    anything else ran. `relogin()` makes fresh sessions and tokens (after a restore)."""
    url = own_server.url
    su = Api(url, superuser_token(url))
    initial = su.get("/api/backups")
    assert initial.status_code == 200, initial.text
    members = create_collection(su, {"name": unique_name("bk_members"), "type": "auth",
                                     "fields": []})
    email = f"{uuid.uuid4().hex[:10]}@example.com"
    r = su.post(records(members), json={"email": email, "password": PASSWORD,
                                        "passwordConfirm": PASSWORD})
    assert r.status_code == 200, r.text
    c = SimpleNamespace(srv=own_server, url=url, su=su, guest=Api(url, None), user=None,
                        members=members, user_email=email, initial=initial.json())

    def relogin():
        c.su = Api(url, superuser_token(url))
        r = login(url, members["name"], email, PASSWORD)
        assert r.status_code == 200, r.text
        c.user = Api(url, r.json()["token"])

    c.relogin = relogin
    relogin()
    return c


def bname(prefix="bk"):
    """A fresh valid backup name."""
    return f"{prefix}_{uuid.uuid4().hex[:10]}.zip"


def file_token(api):
    r = api.post("/api/files/token")
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"token"}, r.json()
    return r.json()["token"]


def backups(ctx):
    r = ctx.su.get("/api/backups")
    assert r.status_code == 200, r.text
    return r.json()


def keys(ctx):
    return [b["key"] for b in backups(ctx)]


def create_backup(ctx, name):
    r = ctx.su.post("/api/backups", json={"name": name})
    assert r.status_code == 204, r.text
    assert r.content == b""
    return name


def download(ctx, key):
    r = ctx.su.get(f"/api/backups/{quote(key)}", params={"token": file_token(ctx.su)}, auth=False)
    assert r.status_code == 200, r.text[:500]
    return r.content


def upload(ctx, filename, data, content_type="application/zip"):
    return ctx.su.post("/api/backups/upload", files={"file": (filename, data, content_type)})


def make_zip(entries: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in entries.items():
            z.writestr(name, content)
    return buf.getvalue()


def delete_backup(ctx, key):
    r = ctx.su.delete(f"/api/backups/{quote(key)}")
    assert r.status_code == 204, r.text


def restore_and_wait(ctx, key, gone_path):
    """POST /api/backups/{key}/restore → 204, then wait (bounded) until the server answers with the
    restored database: `gone_path` (a record created after the backup) is 404 for a freshly logged-in
    superuser. Returns the seconds from the request until then; re-logs `ctx` in."""
    pid = ctx.srv.proc.pid
    started = time.monotonic()
    r = ctx.su.post(f"/api/backups/{quote(key)}/restore")
    assert r.status_code == 204, r.text
    assert r.content == b""
    deadline = started + RESTORE_TIMEOUT
    last = "no answer"
    while time.monotonic() < deadline:
        # PocketBase re-execs itself (same pid); a server that exits instead is lost to the harness
        assert ctx.srv.proc.poll() is None, (
            f"server process exited ({ctx.srv.proc.returncode}) during the restore; log:\n"
            f"{ctx.srv.log_text()}")
        try:
            h = requests.get(ctx.url + "/api/health", timeout=2)
            if h.status_code == 200:
                lr = login(ctx.url, "_superusers", SU_EMAIL, SU_PASSWORD)
                if lr.status_code == 200:
                    g = requests.get(ctx.url + gone_path, timeout=5,
                                     headers={"Authorization": lr.json()["token"]})
                    last = f"{gone_path} → {g.status_code}"
                    if g.status_code == 404:
                        elapsed = time.monotonic() - started
                        ctx.relogin()
                        assert ctx.srv.proc.pid == pid and ctx.srv.proc.poll() is None
                        return elapsed
                else:
                    last = f"login → {lr.status_code} {lr.text[:200]}"
            else:
                last = f"health → {h.status_code}"
        except requests.RequestException as e:
            last = repr(e)
        time.sleep(0.05)
    pytest.fail(f"restore of {key!r} not visible within {RESTORE_TIMEOUT:.0f}s (last: {last}); "
                f"log:\n{ctx.srv.log_text()}", pytrace=False)


def wait_restore_failed(ctx, name, log_start):
    """Waits until the server reported that the background restore of `name` (started 1 s after the
    request) failed. PocketBase logs `Failed to restore backup` with the key to its logs database,
    which it writes 3 s after the latest log entry (GET /api/logs itself is not logged); Swiftbase
    writes `restore failed` to its output (the server log) past byte `log_start`."""
    if ctx.srv.kind == "pocketbase":
        flt = f'message = "Failed to restore backup" && data.key = "{name}"'

        def reported():
            r = ctx.su.get("/api/logs", params={"filter": flt})
            assert r.status_code == 200, r.text
            return r.json()["items"]
    else:
        def reported():
            with open(ctx.srv.log_path, "rb") as f:
                f.seek(log_start)
                return b"restore failed" in f.read()
    wait_until(reported, timeout=20, interval=0.2, what=f"the failed restore of {name} to be reported")


def notes_collection(ctx):
    return create_collection(ctx.su, {
        "name": unique_name("bk_notes"), "type": "base",
        "fields": [{"name": "title", "type": "text"},
                   {"name": "n", "type": "number"},
                   {"name": "doc", "type": "file", "maxSelect": 1, "maxSize": 1_000_000}]})


def get_record(api, coll, rid):
    return api.get(f"{records(coll)}/{rid}")


# --------------------------------------------------------------------------- access control
def test_list_initially_empty_and_superuser_only(ctx):
    assert ctx.initial == []
    assert_error(ctx.guest.get("/api/backups"), 401, NEEDS_AUTH, {})
    assert_error(ctx.user.get("/api/backups"), 403, NOT_SUPERUSER, {})


@pytest.mark.parametrize("method,path", [
    ("POST", "/api/backups"),
    ("POST", "/api/backups/upload"),
    ("DELETE", "/api/backups/{key}"),
    ("POST", "/api/backups/{key}/restore"),
])
def test_superuser_only_routes(ctx, method, path):
    key = create_backup(ctx, bname("acl"))
    path = path.format(key=key)
    before = keys(ctx)
    kw = ({"files": {"file": (bname("acl_up"), make_zip({"a.txt": "a"}), "application/zip")}}
          if path.endswith("/upload") else {"json": {"name": bname("acl_new")}})
    assert_error(ctx.guest.request(method, path, **kw), 401, NEEDS_AUTH, {})
    assert_error(ctx.user.request(method, path, **kw), 403, NOT_SUPERUSER, {})
    assert keys(ctx) == before
    delete_backup(ctx, key)


# --------------------------------------------------------------------------- list & create
def test_create_named_and_list_shape(ctx):
    name = bname("shape")
    t0 = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    create_backup(ctx, name)
    t1 = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    items = backups(ctx)
    assert isinstance(items, list)
    for item in items:
        assert set(item) == {"key", "size", "modified"}, item
        assert isinstance(item["key"], str) and isinstance(item["size"], int)
        assert MODIFIED_RE.match(item["modified"]), item
    [item] = [i for i in items if i["key"] == name]
    data = download(ctx, name)
    assert item["size"] == len(data) > 0
    modified = datetime.datetime.strptime(item["modified"], "%Y-%m-%d %H:%M:%S.%fZ")
    assert t0 - datetime.timedelta(seconds=2) <= modified <= t1 + datetime.timedelta(seconds=2)
    delete_backup(ctx, name)


def test_list_sorted_by_key(ctx):
    tag = uuid.uuid4().hex[:8]
    names = [f"zz_{tag}.zip", f"aa_{tag}.zip", f"mm_{tag}.zip"]   # created in this (unsorted) order
    for n in names:
        create_backup(ctx, n)
    upper = f"Zed_{tag}.zip"                                     # only upload allows upper case
    r = upload(ctx, upper, make_zip({"a.txt": "a"}))
    assert r.status_code == 204, r.text
    ks = keys(ctx)
    assert ks == sorted(ks)                                     # byte order: "Z…" before "a…"
    assert [k for k in ks if tag in k] == [upper, f"aa_{tag}.zip", f"mm_{tag}.zip", f"zz_{tag}.zip"]
    for k in names + [upper]:
        delete_backup(ctx, k)


_last_default_backup = 0.0  # time.time() once the latest default-named backup had been made


def _default_backup(ctx, pattern, **kw):
    """POST /api/backups with `kw` as the request; returns the single new key (asserted to match
    `pattern` with a UTC timestamp taken during the request) and deletes it."""
    global _last_default_backup
    before = set(keys(ctx))
    t0 = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0, tzinfo=None)
    r = ctx.su.post("/api/backups", **kw)
    t1 = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    _last_default_backup = time.time()
    assert r.status_code == 204, (kw, r.text)
    [new] = set(keys(ctx)) - before
    m = re.match(pattern, new)
    assert m, (kw, new)
    ts = datetime.datetime.strptime(m.group(1), "%Y%m%d%H%M%S")
    assert t0 <= ts <= t1, (new, t0, t1)
    delete_backup(ctx, new)
    return new


@pytest.mark.parametrize("kw", [{}, {"json": {}}, {"json": {"name": ""}}, {"json": {"name": None}},
                                {"data": {"name": ""}}],
                         ids=["no-body", "empty-object", "empty-name", "null-name", "form-empty"])
def test_create_default_name(ctx, kw):
    # default meta.appName "Acme"; names have second resolution, so start in a later second than the
    # previous default backup (a second default backup within the same second would silently replace
    # the first): the clock passing a second boundary is the point, there is nothing to poll for
    sleep_past(math.floor(_last_default_backup) + 1)
    _default_backup(ctx, r"^pb_backup_acme_(\d{14})\.zip$", **kw)


@pytest.mark.parametrize("app_name,snake", [
    ("My backupApp-2", "my_backup_app_2"),
    ("ABCDef gHI", "abcdef_g_hi"),
    ("Über app", "ber_app"),                  # non-ASCII letters are separators
    ("A" * 60, "a" * 50),                     # cut to 50 characters
])
def test_default_name_uses_snakecased_app_name(ctx, app_name, snake):
    r = ctx.su.patch("/api/settings", json={"meta": {"appName": app_name}})
    assert r.status_code == 200, r.text
    try:
        _default_backup(ctx, rf"^pb_backup_{snake}_(\d{{14}})\.zip$", json={})
    finally:
        r = ctx.su.patch("/api/settings", json={"meta": {"appName": "Acme"}})
        assert r.status_code == 200, r.text


@pytest.mark.parametrize("name", [
    "BAD.zip", "a b.zip", "x.tar", "noext", ".zip", "../x.zip", "x/y.zip", "é.zip", "x.zip ",
    "x.ZIP", "x.zip.bak",
])
def test_create_invalid_name(ctx, name):
    before = keys(ctx)
    r = ctx.su.post("/api/backups", json={"name": name})
    assert_error(r, 400, VALIDATE_FAILED, {"name": NAME_INVALID})
    assert keys(ctx) == before


def test_create_name_length(ctx):
    before = keys(ctx)
    too_long = "a" * 147 + ".zip"                      # 151 characters
    r = ctx.su.post("/api/backups", json={"name": too_long})
    assert_error(r, 400, VALIDATE_FAILED, {"name": {
        "code": "validation_length_out_of_range", "message": "The length must be between 1 and 150.",
        "params": {"max": 150, "min": 1}}})
    r = ctx.su.post("/api/backups", json={"name": "A" * 147 + ".zip"})   # length is checked first
    assert_error(r, 400, VALIDATE_FAILED)
    assert r.json()["data"]["name"]["code"] == "validation_length_out_of_range"
    assert keys(ctx) == before
    longest = uuid.uuid4().hex[:8] + "a" * 138 + ".zip"  # 150 characters
    create_backup(ctx, longest)
    assert longest in keys(ctx)
    delete_backup(ctx, longest)


@pytest.mark.parametrize("body", ['{"name": 5}', '{"name": ["a.zip"]}', '[]', '{bad'])
def test_create_unloadable_body(ctx, body):
    before = keys(ctx)
    r = ctx.su.post("/api/backups", data=body, headers={"Content-Type": "application/json"})
    assert_error(r, 400, LOAD_FAILED, {})
    assert keys(ctx) == before


def test_create_duplicate_name(ctx):
    name = create_backup(ctx, bname("dup"))
    r = ctx.su.post("/api/backups", json={"name": name})
    assert_error(r, 400, VALIDATE_FAILED, {"name": NAME_EXISTS})
    assert keys(ctx).count(name) == 1
    delete_backup(ctx, name)


def test_create_with_form_bodies(ctx):
    urlencoded, multipart = bname("form"), bname("multipart")
    r = ctx.su.post("/api/backups", data={"name": urlencoded})
    assert r.status_code == 204, r.text
    r = ctx.su.post("/api/backups", files={"name": (None, multipart)})
    assert r.status_code == 204, r.text
    ks = keys(ctx)
    assert urlencoded in ks and multipart in ks
    delete_backup(ctx, urlencoded)
    delete_backup(ctx, multipart)


# --------------------------------------------------------------------------- zip contents
def test_zip_contents(ctx, tmp_path):
    coll = notes_collection(ctx)
    recs = [new_record(ctx.su, coll, title=f"note {i}", n=i) for i in range(3)]
    r = ctx.su.post(records(coll), data={"title": "with file", "n": 99},
                    files={"doc": ("hello.txt", b"hello backup", "text/plain")})
    assert r.status_code == 200, r.text
    with_file = r.json()
    name = create_backup(ctx, bname("zip"))
    data = download(ctx, name)
    assert data[:4] == b"PK\x03\x04"
    zf = zipfile.ZipFile(io.BytesIO(data))
    assert zf.testzip() is None
    names = zf.namelist()
    assert len(names) == len(set(names))
    assert "data.db" in names, names
    for n in names:
        assert not n.endswith("/"), names                     # no directory entries
        assert not n.startswith(("/", "backups/", ".pb_temp_to_delete/")), names
        assert ".." not in n.split("/"), names
        assert not n.endswith(("-wal", "-shm", "-journal")), names
    stored = f"storage/{coll['id']}/{with_file['id']}/{with_file['doc']}"
    assert stored in names, names
    assert zf.read(stored) == b"hello backup"

    db_path = tmp_path / "data.db"
    db_path.write_bytes(zf.read("data.db"))
    con = sqlite3.connect(db_path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = con.execute(f'SELECT id, title, n, doc FROM "{coll["name"]}" ORDER BY n').fetchall()
        assert rows == [(x["id"], x["title"], x["n"], "") for x in recs] + [
            (with_file["id"], "with file", 99, with_file["doc"])]
        assert con.execute('SELECT email FROM "_superusers"').fetchall() == [(SU_EMAIL,)]
    finally:
        con.close()
    # PocketBase also ships its logs database `auxiliary.db` (a VACUUM INTO copy, like data.db);
    # restore only requires data.db, so a server without a logs database may leave it out
    if "auxiliary.db" in names:
        aux_path = tmp_path / "auxiliary.db"
        aux_path.write_bytes(zf.read("auxiliary.db"))
        con = sqlite3.connect(aux_path)
        try:
            assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        finally:
            con.close()
    delete_backup(ctx, name)


# --------------------------------------------------------------------------- download
def test_download_with_superuser_file_token(ctx):
    name = create_backup(ctx, bname("dl"))
    [item] = [b for b in backups(ctx) if b["key"] == name]
    r = ctx.guest.get(f"/api/backups/{name}", params={"token": file_token(ctx.su)})
    assert r.status_code == 200, r.text[:500]
    assert r.headers["Content-Type"] == "application/zip"
    assert r.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    assert int(r.headers["Content-Length"]) == len(r.content) == item["size"]
    assert r.content[:4] == b"PK\x03\x04"
    zipfile.ZipFile(io.BytesIO(r.content))
    delete_backup(ctx, name)


def test_download_denied(ctx):
    name = create_backup(ctx, bname("dl_denied"))
    path = f"/api/backups/{name}"
    user_file_token = file_token(ctx.user)
    for label, resp in [
        ("no token", ctx.guest.get(path)),
        ("empty token", ctx.guest.get(path, params={"token": ""})),
        ("garbage token", ctx.guest.get(path, params={"token": "abc.def.ghi"})),
        ("user file token", ctx.guest.get(path, params={"token": user_file_token})),
        ("superuser auth token", ctx.guest.get(path, params={"token": ctx.su.token})),
        ("superuser Authorization header only", ctx.su.get(path)),
        ("user auth token", ctx.user.get(path, params={"token": ctx.user.token})),
    ]:
        try:
            assert_error(resp, 403, NO_PERMISSION, {})
        except AssertionError as e:
            raise AssertionError(f"{label}: {e}") from None
    delete_backup(ctx, name)


def test_download_unknown_key(ctx):
    missing = bname("missing")
    assert_error(ctx.guest.get(f"/api/backups/{missing}", params={"token": file_token(ctx.su)}),
                 404, NOT_FOUND, {})
    # the token is checked before the key
    assert_error(ctx.guest.get(f"/api/backups/{missing}"), 403, NO_PERMISSION, {})


# --------------------------------------------------------------------------- upload
def test_upload_valid_zip(ctx):
    content = make_zip({"data.db": b"not really", "notes/readme.txt": "hi"})
    name = bname("up")
    r = upload(ctx, name, content)
    assert r.status_code == 204, r.text
    assert r.content == b""
    [item] = [b for b in backups(ctx) if b["key"] == name]
    assert item["size"] == len(content)
    assert download(ctx, name) == content
    delete_backup(ctx, name)


def test_upload_sniffs_content_not_declared_type(ctx):
    content = make_zip({"a.txt": "a"})
    names = []
    for ct in ("text/plain", "application/octet-stream"):
        name = bname("sniff")
        r = upload(ctx, name, content, ct)
        assert r.status_code == 204, (ct, r.text)
        names.append(name)
        resp = ctx.guest.get(f"/api/backups/{name}", params={"token": file_token(ctx.su)})
        assert resp.status_code == 200 and resp.headers["Content-Type"] == "application/zip"
    for name in names:
        delete_backup(ctx, name)


def test_upload_key_is_the_client_file_name(ctx):
    content = make_zip({"a.txt": "a"})
    tag = uuid.uuid4().hex[:8]
    r = upload(ctx, f"../escape_{tag}.zip", content)   # only the base name is used
    assert r.status_code == 204, r.text
    r = upload(ctx, f"Up Case {tag}.ZIP", content)     # no name validation on upload
    assert r.status_code == 204, r.text
    ks = keys(ctx)
    assert f"escape_{tag}.zip" in ks and f"Up Case {tag}.ZIP" in ks
    assert not any("/" in k for k in ks)
    assert download(ctx, f"Up Case {tag}.ZIP") == content
    delete_backup(ctx, f"Up Case {tag}.ZIP")
    delete_backup(ctx, f"escape_{tag}.zip")


def _assert_mime_error(resp, filename_stem, ext):
    body = assert_error(resp, 400, VALIDATE_FAILED)
    assert set(body["data"]) == {"file"}, body
    err = body["data"]["file"]
    assert set(err) == {"code", "message"}, err
    assert err["code"] == "validation_invalid_mime_type", err
    # the message quotes the *generated* storage name: <snake stem>_<10 random [a-z0-9]><ext>
    assert re.fullmatch(rf'"{filename_stem}_[a-z0-9]{{10}}\{ext}" mime type must be one of: '
                        r"application/zip\.", err["message"]), err


def test_upload_errors(ctx):
    before = keys(ctx)
    existing = bname("exists")
    r = upload(ctx, existing, make_zip({"a.txt": "a"}))
    assert r.status_code == 204, r.text
    before.append(existing)

    _assert_mime_error(upload(ctx, "notzip.zip", b"hello there, not a zip"), "notzip", ".zip")
    _assert_mime_error(upload(ctx, "notzip.txt", b"hello there", "text/plain"), "notzip", ".txt")
    _assert_mime_error(upload(ctx, "empty.zip", b""), "empty", ".zip")
    # the mime type is checked before the name
    _assert_mime_error(upload(ctx, existing, b"plain text"), existing[:-4], ".zip")

    assert_error(upload(ctx, existing, make_zip({"b.txt": "b"})), 400, VALIDATE_FAILED,
                 {"file": UPLOAD_EXISTS})
    for label, kw in [
        ("other field", {"files": {"other": ("x.zip", make_zip({"a": "a"}), "application/zip")}}),
        ("json body", {"json": {"file": "x.zip"}}),
        ("no body", {}),
    ]:
        try:
            assert_error(ctx.su.post("/api/backups/upload", **kw), 400, VALIDATE_FAILED,
                         {"file": FILE_REQUIRED})
        except AssertionError as e:
            raise AssertionError(f"{label}: {e}") from None
    assert sorted(keys(ctx)) == sorted(before)
    delete_backup(ctx, existing)


# --------------------------------------------------------------------------- delete
def test_delete(ctx):
    name = create_backup(ctx, bname("del"))
    r = ctx.su.delete(f"/api/backups/{name}")
    assert r.status_code == 204, r.text
    assert r.content == b""
    assert name not in keys(ctx)
    assert_error(ctx.guest.get(f"/api/backups/{name}", params={"token": file_token(ctx.su)}),
                 404, NOT_FOUND, {})
    for key in (name, bname("never")):
        body = assert_error(ctx.su.delete(f"/api/backups/{key}"), 400, data={})
        # PocketBase appends "Raw error: \n<filesystem error>" to this sentence
        assert body["message"].startswith(DELETE_FAILED_PREFIX), body


# --------------------------------------------------------------------------- restore
def test_restore_unknown_key(ctx):
    assert_error(ctx.su.post(f"/api/backups/{bname('nope')}/restore"), 400, MISSING_BACKUP, {})


def test_restore_roundtrip(ctx):
    coll = notes_collection(ctx)
    a = [new_record(ctx.su, coll, title=f"a{i}", n=i) for i in range(3)]
    r = ctx.su.post(records(coll), data={"title": "a-file", "n": 10},
                    files={"doc": ("keep.txt", b"keep me", "text/plain")})
    assert r.status_code == 200, r.text
    a.append(r.json())
    email = f"{uuid.uuid4().hex[:10]}@example.com"
    alice = new_record(ctx.su, ctx.members, email=email, password=PASSWORD,
                       passwordConfirm=PASSWORD)
    old_su_token = ctx.su.token
    k1 = create_backup(ctx, bname("rt"))

    # changes after the backup
    b = [new_record(ctx.su, coll, title=f"b{i}", n=100 + i) for i in range(2)]
    r = ctx.su.delete(f"{records(coll)}/{a[3]['id']}")          # also deletes its stored file
    assert r.status_code == 204, r.text
    r = ctx.su.delete(f"{records(coll)}/{a[0]['id']}")
    assert r.status_code == 204, r.text
    r = ctx.su.patch(f"{records(coll)}/{a[1]['id']}", json={"title": "changed"})
    assert r.status_code == 200, r.text
    r = ctx.su.patch(f"{records(ctx.members)}/{alice['id']}",
                     json={"password": "Other-pass-5678", "passwordConfirm": "Other-pass-5678"})
    assert r.status_code == 200, r.text
    k2 = create_backup(ctx, bname("rt_later"))

    elapsed = restore_and_wait(ctx, k1, f"{records(coll)}/{b[0]['id']}")
    assert elapsed < RESTORE_TIMEOUT
    assert requests.get(ctx.url + "/api/health", timeout=5).status_code == 200

    for rec in a:
        got = get_record(ctx.su, coll, rec["id"])
        assert got.status_code == 200, got.text
        assert got.json() == rec
    for rec in b:
        assert_error(get_record(ctx.su, coll, rec["id"]), 404)
    f = requests.get(f"{ctx.url}/api/files/{coll['id']}/{a[3]['id']}/{a[3]['doc']}", timeout=10)
    assert f.status_code == 200 and f.content == b"keep me"
    assert login(ctx.url, ctx.members["name"], email, PASSWORD).status_code == 200
    assert_error(login(ctx.url, ctx.members["name"], email, "Other-pass-5678"), 400,
                 "Failed to authenticate.")
    # the backups directory is not part of the restore; tokens of the restored db stay valid
    ks = keys(ctx)
    assert k1 in ks and k2 in ks
    assert requests.get(ctx.url + "/api/backups", headers={"Authorization": old_su_token},
                        timeout=10).status_code == 200
    delete_backup(ctx, k1)
    delete_backup(ctx, k2)


def test_restore_uploaded_backup(ctx):
    coll = notes_collection(ctx)
    c = [new_record(ctx.su, coll, title=f"c{i}", n=i) for i in range(2)]
    original = create_backup(ctx, bname("orig"))
    content = download(ctx, original)
    delete_backup(ctx, original)
    uploaded = bname("reupload")
    r = upload(ctx, uploaded, content)
    assert r.status_code == 204, r.text

    d = new_record(ctx.su, coll, title="d", n=50)
    r = ctx.su.delete(f"{records(coll)}/{c[0]['id']}")
    assert r.status_code == 204, r.text
    restore_and_wait(ctx, uploaded, f"{records(coll)}/{d['id']}")

    for rec in c:
        got = get_record(ctx.su, coll, rec["id"])
        assert got.status_code == 200 and got.json() == rec, got.text
    assert_error(get_record(ctx.su, coll, d["id"]), 404)
    assert uploaded in keys(ctx)
    delete_backup(ctx, uploaded)


def test_restore_zip_without_data_db_changes_nothing(ctx):
    coll = notes_collection(ctx)
    name = bname("nodb")
    r = upload(ctx, name, make_zip({"hello.txt": "no database here"}))
    assert r.status_code == 204, r.text
    marker = new_record(ctx.su, coll, title="stays", n=1)
    log_start = ctx.srv.log_path.stat().st_size
    r = ctx.su.post(f"/api/backups/{name}/restore")
    assert r.status_code == 204, r.text          # checked only in the background
    wait_restore_failed(ctx, name, log_start)
    assert ctx.srv.proc.poll() is None
    assert requests.get(ctx.url + "/api/health", timeout=5).status_code == 200
    ctx.relogin()
    got = get_record(ctx.su, coll, marker["id"])
    assert got.status_code == 200 and got.json() == marker, got.text
    # no backup/restore lock left behind
    after = create_backup(ctx, bname("after_nodb"))
    delete_backup(ctx, after)
    delete_backup(ctx, name)


# --------------------------------------------------------------------------- consistency
def _seq_fields(seq):
    return {"seq": seq, "label": f"rec-{seq:05d}",
            "payload": hashlib.sha256(str(seq).encode()).hexdigest() * 4,
            "even": seq % 2 == 0, "meta": {"seq": seq, "square": seq * seq}}


def _all_records(api, coll):
    out, page = [], 1
    while True:
        r = api.get(records(coll), params={"page": page, "perPage": 500, "sort": "seq",
                                           "skipTotal": 1})
        assert r.status_code == 200, r.text
        items = r.json()["items"]
        out += items
        if len(items) < 500:
            return out
        page += 1


def test_consistent_snapshot_under_write_load(ctx, tmp_path):
    coll = create_collection(ctx.su, {
        "name": unique_name("bk_seq"), "type": "base",
        "fields": [{"name": "seq", "type": "number", "onlyInt": True, "required": True},
                   {"name": "label", "type": "text"},
                   {"name": "payload", "type": "text"},
                   {"name": "even", "type": "bool"},
                   {"name": "meta", "type": "json"}]})
    created = []                  # ids in creation order: created[i] has seq i + 1
    errors = []
    stop = threading.Event()
    writer_api = Api(ctx.url, ctx.su.token)

    def writer():
        for seq in range(1, 2001):
            if stop.is_set():
                return
            try:
                r = writer_api.post(records(coll), json=_seq_fields(seq), timeout=30)
            except requests.RequestException as e:
                errors.append(repr(e))
                return
            if r.status_code != 200:
                errors.append(f"seq {seq}: {r.status_code} {r.text[:300]}")
                return
            created.append(r.json()["id"])

    def wait_count(n, timeout=30.0):
        deadline = time.monotonic() + timeout
        while len(created) < n and not errors and thread.is_alive():
            assert time.monotonic() < deadline, f"writer stuck at {len(created)} records"
            time.sleep(0.005)

    thread = threading.Thread(target=writer, name="bk-writer", daemon=True)
    thread.start()
    try:
        wait_count(50)
        n_before = len(created)
        name = create_backup(ctx, bname("load"))
        n_after = len(created)
        wait_count(n_after + 20)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
    assert not errors, errors
    total = len(created)
    assert total >= n_after + 20, (total, n_after)

    # the snapshot itself (zip → data.db)
    db_path = tmp_path / "data.db"
    db_path.write_bytes(zipfile.ZipFile(io.BytesIO(download(ctx, name))).read("data.db"))
    con = sqlite3.connect(db_path)
    try:
        snap = [s for (s,) in con.execute(f'SELECT seq FROM "{coll["name"]}" ORDER BY seq')]
    finally:
        con.close()

    restore_and_wait(ctx, name, f"{records(coll)}/{created[-1]}")
    got = _all_records(ctx.su, coll)
    k = len(got)
    assert n_before <= k <= n_after, (n_before, k, n_after, total)
    assert [rec["seq"] for rec in got] == list(range(1, k + 1))        # exactly a prefix
    assert snap == list(range(1, k + 1))
    for rec in got:
        seq = rec["seq"]
        want = {"id": created[seq - 1], "collectionId": coll["id"], "collectionName": coll["name"],
                **_seq_fields(seq)}
        assert rec == want, rec
    delete_backup(ctx, name)


def test_concurrent_backup_requests(ctx):
    """With ~48 MB of incompressible storage a backup takes a few hundred ms; during it every other
    create/restore is refused and the backup being written cannot be deleted."""
    big = create_collection(ctx.su, {
        "name": unique_name("bk_big"), "type": "base",
        "fields": [{"name": "blob", "type": "file", "maxSelect": 1, "maxSize": 30 * 1024 * 1024}]})
    rng = random.Random(20240611)
    big_ids = []
    for i in range(2):
        r = ctx.su.post(records(big), files={"blob": (f"blob{i}.bin", rng.randbytes(24 * 1024 * 1024),
                                                      "application/octet-stream")}, timeout=120)
        assert r.status_code == 200, r.text[:500]
        big_ids.append(r.json()["id"])

    main = bname("busy")
    result = {}
    bg_api = Api(ctx.url, ctx.su.token)

    def bg():
        try:
            result["resp"] = bg_api.post("/api/backups", json={"name": main}, timeout=120)
        except requests.RequestException as e:
            result["error"] = repr(e)

    thread = threading.Thread(target=bg, name="bk-busy", daemon=True)
    probe_path = f"/api/backups/{bname('nope')}/restore"      # harmless: the key does not exist
    thread.start()
    seen_busy = False
    creates, deletes, others = [], [], []
    deadline = time.monotonic() + 60
    try:
        while thread.is_alive() and not seen_busy:
            assert time.monotonic() < deadline, "no busy window observed"
            r = ctx.su.post(probe_path)
            if r.status_code == 400 and r.json().get("message") == BUSY:
                seen_busy = True
            else:
                assert_error(r, 400, MISSING_BACKUP, {})
        while thread.is_alive():
            assert time.monotonic() < deadline, "backup did not finish"
            n = bname("concurrent")
            creates.append((n, ctx.su.post("/api/backups", json={"name": n})))
            others.append(ctx.su.post(probe_path))
            deletes.append(ctx.su.delete(f"/api/backups/{main}"))
    finally:
        thread.join(timeout=120)
    assert "error" not in result, result
    assert result["resp"].status_code == 204, result["resp"].text
    assert seen_busy, "the background backup finished before a probe could see it running"

    busy_creates = 0
    for n, r in creates:
        if r.status_code == 204:
            continue
        assert_error(r, 400, BUSY, {})
        busy_creates += 1
    assert busy_creates >= 1
    for r in others:
        if r.json().get("message") == BUSY:
            assert_error(r, 400, BUSY, {})
        else:
            assert_error(r, 400, MISSING_BACKUP, {})
    main_deleted = False
    in_use = 0
    for r in deletes:
        if r.status_code == 204:
            main_deleted = True
        elif r.json().get("message") == IN_USE:
            assert_error(r, 400, IN_USE, {})
            in_use += 1
        else:   # after a 204 the file is gone
            assert main_deleted and r.status_code == 400, r.text
    assert in_use >= 1

    # cleanup: the backups made here are ~48 MB each
    for n, r in creates:
        if r.status_code == 204:
            delete_backup(ctx, n)
    if main in keys(ctx):
        delete_backup(ctx, main)
    r = ctx.su.delete(f"/api/collections/{big['name']}")
    assert r.status_code == 204, r.text


# --------------------------------------------------------------------------- SDK
def test_sdk_backups(ctx):
    pb = PocketBase(ctx.url, timeout=60)
    pb.collection("_superusers").auth_with_password(SU_EMAIL, SU_PASSWORD)
    coll = notes_collection(ctx)
    kept = new_record(ctx.su, coll, title="kept", n=1)

    name = bname("sdk")
    assert pb.backups.create(name) is True
    listed = {b.key: b for b in pb.backups.get_full_list()}
    assert name in listed
    item = listed[name]
    assert isinstance(item.size, int) and item.size > 0
    assert isinstance(item.modified, datetime.datetime)

    data = pb.backups.download(name)
    assert data[:4] == b"PK\x03\x04" and len(data) == item.size
    assert "data.db" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    # send_raw does not raise: an unknown key yields the 404 JSON body
    assert json.loads(pb.backups.download(bname("sdk_missing"))) == {
        "status": 404, "message": NOT_FOUND, "data": {}}

    with pytest.raises(ClientResponseError) as ei:
        pb.backups.create(name)
    assert ei.value.status == 400
    assert ei.value.data == {"status": 400, "message": VALIDATE_FAILED, "data": {"name": NAME_EXISTS}}

    copy = bname("sdk_copy")
    assert pb.backups.upload(FileUpload((copy, data, "application/zip"))) is True
    assert copy in [b.key for b in pb.backups.get_full_list()]
    with pytest.raises(ClientResponseError) as ei:
        pb.backups.upload(FileUpload((copy, data, "application/zip")))
    assert ei.value.status == 400 and ei.value.data["data"] == {"file": UPLOAD_EXISTS}

    gone = new_record(ctx.su, coll, title="gone", n=2)
    pid = ctx.srv.proc.pid
    started = time.monotonic()
    # restore through the SDK, then wait for the restarted server like restore_and_wait does
    assert pb.backups.restore(copy) is True
    deadline = started + RESTORE_TIMEOUT
    while True:
        assert time.monotonic() < deadline, f"restore not visible; log:\n{ctx.srv.log_text()}"
        assert ctx.srv.proc.poll() is None and ctx.srv.proc.pid == pid
        try:
            if requests.get(ctx.url + "/api/health", timeout=2).status_code == 200:
                tok = superuser_token(ctx.url)
                r = requests.get(f"{ctx.url}{records(coll)}/{gone['id']}", timeout=5,
                                 headers={"Authorization": tok})
                if r.status_code == 404:
                    break
        except requests.RequestException:
            pass
        time.sleep(0.05)
    ctx.relogin()
    pb = PocketBase(ctx.url, timeout=60)
    pb.collection("_superusers").auth_with_password(SU_EMAIL, SU_PASSWORD)
    assert get_record(ctx.su, coll, kept["id"]).json() == kept

    assert pb.backups.delete(copy) is True
    assert pb.backups.delete(name) is True
    with pytest.raises(ClientResponseError) as ei:
        pb.backups.delete(name)
    assert ei.value.status == 400 and ei.value.data["message"].startswith(DELETE_FAILED_PREFIX)
    left = [b.key for b in pb.backups.get_full_list()]
    assert name not in left and copy not in left

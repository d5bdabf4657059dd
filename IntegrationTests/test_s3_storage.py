"""Files and backups on S3-compatible storage (`s3`, `backups.s3`) and `POST /api/settings/test/s3`,
validated against PocketBase 0.40.6.

An S3-compatible server — moto's server mode, started by this module on a loopback port — holds two buckets,
one for record files and one for backups. Its signature checks are switched on after the buckets and an IAM
user are made (`/moto-api/reset-auth`), so a request signed wrongly is refused as AWS would refuse it. What the
server stored is always checked in the bucket itself with boto3, never through the API under test.

PocketBase (core/base.go NewFilesystem/NewBackupsFilesystem, tools/filesystem, forms/test_s3_filesystem.go):
  - while `s3.enabled`, record files go to the bucket under `<collectionId>/<recordId>/<name>`, thumbs under
    `<collectionId>/<recordId>/thumbs_<name>/<size>_<name>`; the settings are read on every use, so saving them
    switches at once; files already stored are not moved (a file uploaded before the switch is not found after);
  - while `backups.s3.enabled`, backups are objects at the bucket's root, keyed by their name;
  - `test/s3`: `filesystem` required and one of storage/backups (400 "Failed to test the S3 filesystem." with
    the field error); not enabled → 400 "...Raw error: \\nS3 storage filesystem is not enabled"; otherwise
    a test file is uploaded under `pb_settings_test_<random>/` and the prefix deleted: 204, or 400 with
    "...Raw error: \\nfailed to upload a test file: <S3 error>".
"""
import io
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import boto3
import pytest
import requests
from botocore.config import Config
from PIL import Image

from conftest import (Api, assert_error, create_collection, new_record, records, sleep_past, superuser_token,
                      unique_name, wait_until)

REGION = "us-east-1"
FILES_BUCKET = "sb-files"
BACKUPS_BUCKET = "sb-backups"
TEST_FAILED = "Failed to test the S3 filesystem."
RAW = TEST_FAILED + " Raw error: \n"
RESTORE_TIMEOUT = 30.0
# moto imports much of botocore at start: slow on a loaded machine
MOTO_START_TIMEOUT = 120.0


# --------------------------------------------------------------------------- moto
def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def moto():
    """moto_server on loopback with both buckets and an IAM user allowed everything; signatures are checked
    from then on. Yields the endpoint, the user's keys and a boto3 client signed with them."""
    binary = Path(sys.executable).parent / "moto_server"
    port = _free_port()
    log = tempfile.NamedTemporaryFile(prefix="sb-moto-", suffix=".log", delete=False)
    proc = subprocess.Popen([str(binary), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + MOTO_START_TIMEOUT
        while not _port_open(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"moto_server did not listen on port {port} (exit {proc.poll()}); log:\n"
                            f"{Path(log.name).read_text(errors='replace')[-5000:]}", pytrace=False)
            time.sleep(0.1)
        endpoint = f"http://127.0.0.1:{port}"

        def client(service, key="setup", secret="setup"):
            return boto3.client(service, endpoint_url=endpoint, region_name=REGION, aws_access_key_id=key,
                                aws_secret_access_key=secret,
                                config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))

        iam = client("iam")
        iam.create_user(UserName="sb")
        iam.put_user_policy(UserName="sb", PolicyName="all", PolicyDocument=(
            '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'))
        made = iam.create_access_key(UserName="sb")["AccessKey"]
        key, secret = made["AccessKeyId"], made["SecretAccessKey"]
        s3 = client("s3", key, secret)
        s3.create_bucket(Bucket=FILES_BUCKET)
        s3.create_bucket(Bucket=BACKUPS_BUCKET)
        r = requests.post(f"{endpoint}/moto-api/reset-auth", data=b"0", timeout=10)
        assert r.status_code == 200, r.text
        yield SimpleNamespace(endpoint=endpoint, key=key, secret=secret, s3=s3)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()
        os.unlink(log.name)


def s3_settings(moto, bucket, **overrides):
    settings = {"enabled": True, "bucket": bucket, "region": REGION, "endpoint": moto.endpoint,
                "accessKey": moto.key, "secret": moto.secret, "forcePathStyle": True}
    settings.update(overrides)
    return settings


def bucket_keys(moto, bucket, prefix=""):
    pages = moto.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return sorted(obj["Key"] for page in pages for obj in page.get("Contents", []))


def object_bytes(moto, bucket, key) -> bytes:
    return moto.s3.get_object(Bucket=bucket, Key=key)["Body"].read()


# --------------------------------------------------------------------------- server
@pytest.fixture(scope="module")
def ctx(own_server, moto):
    url = own_server.url
    su = Api(url, superuser_token(url))
    c = SimpleNamespace(srv=own_server, url=url, su=su, guest=Api(url, None), moto=moto)

    def settings(patch):
        r = c.su.patch("/api/settings", json=patch)
        assert r.status_code == 200, r.text
        return r.json()

    def relogin():
        c.su = Api(url, superuser_token(url))

    c.settings = settings
    c.relogin = relogin
    yield c
    settings({"s3": {"enabled": False}, "backups": {"s3": {"enabled": False}}})


@pytest.fixture()
def storage_on_s3(ctx):
    ctx.settings({"s3": s3_settings(ctx.moto, FILES_BUCKET)})
    yield
    ctx.settings({"s3": {"enabled": False}})


@pytest.fixture()
def backups_on_s3(ctx):
    ctx.settings({"backups": {"s3": s3_settings(ctx.moto, BACKUPS_BUCKET)}})
    yield
    ctx.settings({"backups": {"s3": {"enabled": False}}})


def png(w=64, h=48, color=(200, 30, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), color).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def docs(ctx):
    """A collection anyone may read, with a public image field (thumbs 20x20) and a protected file field that
    only the owner (a `members` auth record) may download."""
    members = create_collection(ctx.su, {"name": unique_name("s3_members"), "type": "auth", "fields": []})
    coll = create_collection(ctx.su, {
        "name": unique_name("s3_docs"), "listRule": "", "viewRule": "owner = @request.auth.id",
        "fields": [{"name": "image", "type": "file", "maxSelect": 1, "thumbs": ["20x20"]},
                   {"name": "secret", "type": "file", "maxSelect": 1, "protected": True},
                   {"name": "owner", "type": "relation", "collectionId": members["id"], "maxSelect": 1}]})
    email = f"{uuid.uuid4().hex[:10]}@example.com"
    r = ctx.su.post(records(members), json={"email": email, "password": "Secret-pass-1234",
                                            "passwordConfirm": "Secret-pass-1234"})
    assert r.status_code == 200, r.text
    owner = r.json()
    r = requests.post(f"{ctx.url}/api/collections/{members['name']}/auth-with-password",
                      json={"identity": email, "password": "Secret-pass-1234"}, timeout=30)
    assert r.status_code == 200, r.text
    return SimpleNamespace(coll=coll, owner=owner, owner_api=Api(ctx.url, r.json()["token"]))


def upload_record(ctx, docs, image=None, secret=None):
    files = {}
    if image is not None:
        files["image"] = ("photo.png", image, "image/png")
    if secret is not None:
        files["secret"] = ("secret.txt", secret, "text/plain")
    r = ctx.su.post(records(docs.coll), data={"owner": docs.owner["id"]}, files=files)
    assert r.status_code == 200, r.text
    return r.json()


def file_url(ctx, docs, rec, name):
    return f"/api/files/{docs.coll['id']}/{rec['id']}/{quote(name)}"


def local_storage(ctx) -> Path:
    return ctx.srv.data_dir / "storage"


# =========================================================================== test/s3
@pytest.mark.parametrize("filesystem", ["storage", "backups"])
def test_test_s3_not_enabled(ctx, filesystem):
    r = ctx.su.post("/api/settings/test/s3", json={"filesystem": filesystem})
    assert_error(r, 400, RAW + "S3 storage filesystem is not enabled.", {})


@pytest.mark.parametrize("body, item", [
    ({}, {"code": "validation_required", "message": "Cannot be blank."}),
    ({"filesystem": ""}, {"code": "validation_required", "message": "Cannot be blank."}),
    ({"filesystem": "files"}, {"code": "validation_in_invalid", "message": "Must be a valid value."}),
])
def test_test_s3_invalid_filesystem(ctx, body, item):
    r = ctx.su.post("/api/settings/test/s3", json=body)
    assert_error(r, 400, TEST_FAILED, {"filesystem": item})


def test_test_s3_superusers_only(ctx, docs):
    assert ctx.guest.post("/api/settings/test/s3", json={"filesystem": "storage"}).status_code == 401
    assert docs.owner_api.post("/api/settings/test/s3", json={"filesystem": "storage"}).status_code == 403


def test_test_s3_good_settings(ctx, storage_on_s3, backups_on_s3):
    for filesystem in ("storage", "backups"):
        r = ctx.su.post("/api/settings/test/s3", json={"filesystem": filesystem})
        assert r.status_code == 204, r.text
        assert r.content == b""
    # the test file and its prefix are gone again
    assert not [k for k in bucket_keys(ctx.moto, FILES_BUCKET) if k.startswith("pb_settings_test_")]
    assert not [k for k in bucket_keys(ctx.moto, BACKUPS_BUCKET) if k.startswith("pb_settings_test_")]


def test_test_s3_wrong_secret(ctx):
    ctx.settings({"s3": s3_settings(ctx.moto, FILES_BUCKET, secret="not-the-secret")})
    try:
        r = ctx.su.post("/api/settings/test/s3", json={"filesystem": "storage"})
        assert r.status_code == 400, r.text
        body = r.json()
        assert body["data"] == {}
        # "[key: …]" and the S3 error as PocketBase's s3 client words it: status, code, message, raw XML
        assert re.fullmatch(re.escape(RAW) + r"failed to upload a test file: \[key: pb_settings_test_[A-Za-z0-9]{5}/test\.txt\] "
                            r"403 SignatureDoesNotMatch: [^\n]+\n\(RAW: <\?xml.*</Error>\)\.", body["message"],
                            re.S), body
    finally:
        ctx.settings({"s3": {"enabled": False}})


def test_test_s3_missing_bucket(ctx):
    ctx.settings({"backups": {"s3": s3_settings(ctx.moto, "sb-no-such-bucket")}})
    try:
        r = ctx.su.post("/api/settings/test/s3", json={"filesystem": "backups"})
        assert r.status_code == 400, r.text
        body = r.json()
        assert body["data"] == {}
        # a 404 is also "resource not found", joined on a new line
        assert re.fullmatch(re.escape(RAW) + r"failed to upload a test file: \[key: pb_settings_test_[A-Za-z0-9]{5}/test\.txt\] "
                            r"404 NoSuchBucket: [^\n]+\n\(RAW: <\?xml.*</Error>\)\nresource not found\.",
                            body["message"], re.S), body
    finally:
        ctx.settings({"backups": {"s3": {"enabled": False}}})


# =========================================================================== record files
def test_upload_goes_to_the_bucket_and_downloads(ctx, docs, storage_on_s3):
    image = png()
    rec = upload_record(ctx, docs, image=image)
    name = rec["image"]
    key = f"{docs.coll['id']}/{rec['id']}/{name}"
    assert key in bucket_keys(ctx.moto, FILES_BUCKET, f"{docs.coll['id']}/")
    assert object_bytes(ctx.moto, FILES_BUCKET, key) == image
    assert not (local_storage(ctx) / docs.coll["id"] / rec["id"]).exists()

    r = ctx.guest.get(file_url(ctx, docs, rec, name))
    assert r.status_code == 200, r.text
    assert r.content == image
    assert r.headers["Content-Type"] == "image/png"
    assert r.headers["Content-Disposition"] == f'inline; filename="{name}"'

    # a byte range is answered from the bucket too
    r = ctx.guest.get(file_url(ctx, docs, rec, name), headers={"Range": "bytes=0-9"})
    assert r.status_code == 206, r.text
    assert r.content == image[:10]
    assert r.headers["Content-Range"] == f"bytes 0-9/{len(image)}"


def test_object_written_by_another_server_is_read(ctx, docs, storage_on_s3):
    """The key layout is PocketBase's: an object put at a record file's key by any client is what downloads."""
    rec = upload_record(ctx, docs, image=png())
    key = f"{docs.coll['id']}/{rec['id']}/{rec['image']}"
    replaced = png(10, 10, (1, 2, 3))
    ctx.moto.s3.put_object(Bucket=FILES_BUCKET, Key=key, Body=replaced, ContentType="image/png")
    r = ctx.guest.get(file_url(ctx, docs, rec, rec["image"]))
    assert r.status_code == 200
    assert r.content == replaced


def test_thumbnail_made_from_the_bucket_and_stored_back(ctx, docs, storage_on_s3):
    rec = upload_record(ctx, docs, image=png(64, 48))
    name = rec["image"]
    r = ctx.guest.get(file_url(ctx, docs, rec, name), params={"thumb": "20x20"})
    assert r.status_code == 200, r.text
    assert Image.open(io.BytesIO(r.content)).size == (20, 20)
    thumb_key = f"{docs.coll['id']}/{rec['id']}/thumbs_{name}/20x20_{name}"
    assert thumb_key in bucket_keys(ctx.moto, FILES_BUCKET, f"{docs.coll['id']}/{rec['id']}/")
    assert Image.open(io.BytesIO(object_bytes(ctx.moto, FILES_BUCKET, thumb_key))).size == (20, 20)
    # asked again: the stored thumb is served
    again = ctx.guest.get(file_url(ctx, docs, rec, name), params={"thumb": "20x20"})
    assert again.status_code == 200
    assert again.content == object_bytes(ctx.moto, FILES_BUCKET, thumb_key)


def test_protected_file_needs_a_file_token(ctx, docs, storage_on_s3):
    secret = b"top secret " + uuid.uuid4().hex.encode()
    rec = upload_record(ctx, docs, secret=secret)
    name = rec["secret"]
    assert object_bytes(ctx.moto, FILES_BUCKET, f"{docs.coll['id']}/{rec['id']}/{name}") == secret
    assert ctx.guest.get(file_url(ctx, docs, rec, name)).status_code == 404
    r = docs.owner_api.post("/api/files/token")
    assert r.status_code == 200, r.text
    r = ctx.guest.get(file_url(ctx, docs, rec, name), params={"token": r.json()["token"]})
    assert r.status_code == 200, r.text
    assert r.content == secret


def test_replacing_and_deleting_remove_objects(ctx, docs, storage_on_s3):
    rec = upload_record(ctx, docs, image=png(), secret=b"abc")
    prefix = f"{docs.coll['id']}/{rec['id']}/"
    old = rec["image"]
    assert ctx.guest.get(file_url(ctx, docs, rec, old), params={"thumb": "20x20"}).status_code == 200
    assert f"{prefix}thumbs_{old}/20x20_{old}" in bucket_keys(ctx.moto, FILES_BUCKET, prefix)

    r = ctx.su.patch(f"{records(docs.coll)}/{rec['id']}", files={"image": ("new.png", png(8, 8), "image/png")})
    assert r.status_code == 200, r.text
    new = r.json()["image"]
    wait_until(lambda: bucket_keys(ctx.moto, FILES_BUCKET, prefix) == sorted([prefix + new, prefix + rec["secret"]]),
               what="the replaced file and its thumb removed from the bucket")

    r = ctx.su.delete(f"{records(docs.coll)}/{rec['id']}")
    assert r.status_code == 204, r.text
    wait_until(lambda: bucket_keys(ctx.moto, FILES_BUCKET, prefix) == [],
               what="the deleted record's objects removed from the bucket")


def test_switching_takes_effect_without_moving_files(ctx, docs):
    """Saving `s3.enabled` switches at once; files stored before stay where they were."""
    ctx.settings({"s3": s3_settings(ctx.moto, FILES_BUCKET)})
    try:
        on_s3 = upload_record(ctx, docs, image=png(12, 12))
    finally:
        ctx.settings({"s3": {"enabled": False}})
    local = upload_record(ctx, docs, image=png(14, 14))
    assert (local_storage(ctx) / docs.coll["id"] / local["id"] / local["image"]).is_file()
    assert bucket_keys(ctx.moto, FILES_BUCKET, f"{docs.coll['id']}/{local['id']}/") == []
    assert ctx.guest.get(file_url(ctx, docs, local, local["image"])).status_code == 200
    # the file in the bucket is not found while storage is local...
    assert ctx.guest.get(file_url(ctx, docs, on_s3, on_s3["image"])).status_code == 404
    ctx.settings({"s3": s3_settings(ctx.moto, FILES_BUCKET)})
    try:
        # ...and found again once the bucket is back, where the local one is not
        assert ctx.guest.get(file_url(ctx, docs, on_s3, on_s3["image"])).status_code == 200
        assert ctx.guest.get(file_url(ctx, docs, local, local["image"])).status_code == 404
    finally:
        ctx.settings({"s3": {"enabled": False}})


# =========================================================================== backups
def file_token(api):
    r = api.post("/api/files/token")
    assert r.status_code == 200, r.text
    return r.json()["token"]


def make_zip(entries: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in entries.items():
            z.writestr(name, content)
    return buf.getvalue()


def test_backups_create_list_download_delete(ctx, backups_on_s3):
    name = f"s3_{uuid.uuid4().hex[:10]}.zip"
    r = ctx.su.post("/api/backups", json={"name": name})
    assert r.status_code == 204, r.text
    assert name in bucket_keys(ctx.moto, BACKUPS_BUCKET)
    assert not (ctx.srv.data_dir / "backups" / name).exists()
    stored = object_bytes(ctx.moto, BACKUPS_BUCKET, name)
    assert "data.db" in zipfile.ZipFile(io.BytesIO(stored)).namelist()

    r = ctx.su.get("/api/backups")
    assert r.status_code == 200, r.text
    listed = {b["key"]: b for b in r.json()}
    assert listed[name]["size"] == len(stored)

    r = ctx.guest.get(f"/api/backups/{name}", params={"token": file_token(ctx.su)})
    assert r.status_code == 200, r.text
    assert r.content == stored
    assert r.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    assert ctx.guest.get(f"/api/backups/{name}").status_code == 403

    # the name is taken in the bucket
    r = ctx.su.post("/api/backups", json={"name": name})
    assert_error(r, 400, "An error occurred while validating the submitted data.",
                 {"name": {"code": "validation_backup_name_exists",
                           "message": "The backup file name is invalid or already exists."}})

    r = ctx.su.delete(f"/api/backups/{name}")
    assert r.status_code == 204, r.text
    assert name not in bucket_keys(ctx.moto, BACKUPS_BUCKET)
    assert name not in [b["key"] for b in ctx.su.get("/api/backups").json()]
    # S3 deletes a missing key without complaint, and so does PocketBase here (on disk it is a 400)
    r = ctx.su.delete(f"/api/backups/{name}")
    assert r.status_code == 204, r.text


def test_backups_default_name_and_local_ones_hidden(ctx):
    """A backup made while storage is local is not listed once backups go to the bucket."""
    local_name = f"local_{uuid.uuid4().hex[:8]}.zip"
    assert ctx.su.post("/api/backups", json={"name": local_name}).status_code == 204
    ctx.settings({"backups": {"s3": s3_settings(ctx.moto, BACKUPS_BUCKET)}})
    try:
        before = set(bucket_keys(ctx.moto, BACKUPS_BUCKET))
        r = ctx.su.post("/api/backups", json={})
        assert r.status_code == 204, r.text
        made = set(bucket_keys(ctx.moto, BACKUPS_BUCKET)) - before
        assert len(made) == 1 and next(iter(made)).startswith("pb_backup_"), made
        keys = [b["key"] for b in ctx.su.get("/api/backups").json()]
        assert local_name not in keys
        assert next(iter(made)) in keys
    finally:
        ctx.settings({"backups": {"s3": {"enabled": False}}})
    assert local_name in [b["key"] for b in ctx.su.get("/api/backups").json()]


def test_backups_upload_to_the_bucket(ctx, backups_on_s3):
    name = f"up_{uuid.uuid4().hex[:8]}.zip"
    data = make_zip({"hello.txt": "hi"})
    r = ctx.su.post("/api/backups/upload", files={"file": (name, data, "application/zip")})
    assert r.status_code == 204, r.text
    assert object_bytes(ctx.moto, BACKUPS_BUCKET, name) == data
    r = ctx.su.post("/api/backups/upload", files={"file": (name, data, "application/zip")})
    assert_error(r, 400, "An error occurred while validating the submitted data.",
                 {"file": {"code": "validation_backup_name_exists",
                           "message": "Backup file with the specified name already exists."}})
    assert ctx.su.delete(f"/api/backups/{name}").status_code == 204


def test_backups_restore_from_the_bucket(ctx, backups_on_s3):
    notes = create_collection(ctx.su, {"name": unique_name("s3_notes"), "fields": [{"name": "t", "type": "text"}]})
    kept = new_record(ctx.su, notes, t="before")
    name = f"rs_{uuid.uuid4().hex[:8]}.zip"
    assert ctx.su.post("/api/backups", json={"name": name}).status_code == 204
    gone = new_record(ctx.su, notes, t="after")
    gone_path = f"{records(notes)}/{gone['id']}"

    r = ctx.su.post(f"/api/backups/{name}/restore")
    assert r.status_code == 204, r.text
    pid = ctx.srv.proc.pid
    deadline = time.monotonic() + RESTORE_TIMEOUT
    last = "no answer"
    while time.monotonic() < deadline:
        assert ctx.srv.proc.poll() is None, f"server exited during the restore; log:\n{ctx.srv.log_text()}"
        try:
            token = superuser_token(ctx.url)
            g = requests.get(ctx.url + gone_path, headers={"Authorization": token}, timeout=5)
            last = f"{gone_path} → {g.status_code}"
            if g.status_code == 404:
                break
        except (requests.RequestException, AssertionError) as e:
            last = repr(e)
        time.sleep(0.05)
    else:
        pytest.fail(f"restore not visible within {RESTORE_TIMEOUT:.0f}s (last: {last}); log:\n{ctx.srv.log_text()}")
    assert ctx.srv.proc.pid == pid
    ctx.relogin()
    r = ctx.su.get(f"{records(notes)}/{kept['id']}")
    assert r.status_code == 200, r.text
    # the restored settings are those of the backup: backups still on S3, the backup still there
    assert name in [b["key"] for b in ctx.su.get("/api/backups").json()]


def test_cron_backups_go_to_the_bucket_and_keep_cron_max_keep(ctx):
    """The `backups.cron` job writes `@auto_pb_backup_…` to the bucket and keeps `cronMaxKeep` of them there."""
    ctx.settings({"backups": {"cron": "@daily", "cronMaxKeep": 1, "s3": s3_settings(ctx.moto, BACKUPS_BUCKET)}})
    try:
        def automatic():
            return [k for k in bucket_keys(ctx.moto, BACKUPS_BUCKET) if k.startswith("@auto_pb_backup_")]

        assert ctx.su.post("/api/crons/__pbAutoBackup__").status_code == 204
        first = wait_until(automatic, timeout=30, what="an automatic backup in the bucket")
        assert len(first) == 1, first
        local = ctx.srv.data_dir / "backups"
        assert not local.exists() or not [n for n in os.listdir(local) if n.startswith("@auto")]
        # the next run, named by a later second (the name's time stamp must move on), leaves only itself
        sleep_past(time.time() + 1)
        assert ctx.su.post("/api/crons/__pbAutoBackup__").status_code == 204
        second = wait_until(lambda: (lambda keys: keys if len(keys) == 1 and keys != first else None)(automatic()),
                            timeout=30, what="the second automatic backup replacing the first")
        assert len(second) == 1 and second[0] > first[0], (first, second)
    finally:
        ctx.settings({"backups": {"cron": "", "cronMaxKeep": 3, "s3": {"enabled": False}}})

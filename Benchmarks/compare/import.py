#!/usr/bin/env python3
"""`swiftbase import pocketbase` on a large PocketBase directory (issue 20: a 1 GiB directory in under a minute).

The directory is made by the real PocketBase: it creates the collections (so `_collections`, the tables and their
indexes are its own), a superuser and a few records with uploads through its API; then, with PocketBase stopped,
the bulk is added the way PocketBase itself stores it — rows inserted into its tables (15-character ids, its date
format, bcrypt hashes copied from a real user) and files written under `storage/<collectionId>/<recordId>/` — since
100k creates and 1 GiB of uploads through its HTTP API would take far longer than the import being measured.
PocketBase is then started once more on the result and asked for a record and a file, so the directory is one it
reads.

Reported side by side: the import's wall time and its throughput, and `cp -a` of the same directory — the floor
any import that copies the files has (the files dominate the bytes).

    .venv-it/bin/python Benchmarks/compare/import.py --swiftbase .build/release/swiftbase \\
        --pocketbase .venv-it/bin/pocketbase [--records 100000] [--file-mib 1024] [--file-kib 512] [--keep DIR]

Bounded: fixed record and file counts; every HTTP call and process has a timeout. Loopback only.
"""
import argparse
import io
import json
import os
import random
import shutil
import signal
import sqlite3
import string
import subprocess
import tempfile
import time

import requests

from bench_common import free_port

EMAIL, PASSWORD = "bench@example.com", "Bench-Passw0rd-1"


def pb_id(rng):
    return "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(15))


def serve_pocketbase(binary, data_dir):
    port = free_port()
    proc = subprocess.Popen([binary, "serve", "--dir", data_dir, "--http", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/api/health", timeout=2).status_code == 200:
                return proc, url
        except requests.RequestException:
            pass
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("PocketBase did not start")


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)


def build(binary, data_dir, records, file_bytes, file_size, seed=7):
    rng = random.Random(seed)
    subprocess.run([binary, "superuser", "upsert", EMAIL, PASSWORD, "--dir", data_dir], check=True,
                   capture_output=True, timeout=120)
    proc, url = serve_pocketbase(binary, data_dir)
    try:
        token = requests.post(url + "/api/collections/_superusers/auth-with-password",
                              json={"identity": EMAIL, "password": PASSWORD}, timeout=30).json()["token"]
        h = {"Authorization": token}

        def post(path, **kw):
            r = requests.post(url + path, headers=h, timeout=60, **kw)
            assert r.status_code == 200, r.text
            return r.json()

        tags = post("/api/collections", json={"name": "tags", "listRule": "", "fields": [
            {"name": "name", "type": "text"}], "indexes": ["CREATE UNIQUE INDEX idx_tags_name ON tags (name)"]})
        events = post("/api/collections", json={"name": "events", "listRule": "", "fields": [
            {"name": "title", "type": "text"}, {"name": "score", "type": "number"}, {"name": "done", "type": "bool"},
            {"name": "payload", "type": "json"}, {"name": "tags", "type": "relation", "collectionId": tags["id"],
                                                  "maxSelect": 3},
            {"name": "owner", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 1},
            {"name": "created", "type": "autodate", "onCreate": True},
            {"name": "updated", "type": "autodate", "onCreate": True, "onUpdate": True}],
            "indexes": ["CREATE INDEX idx_events_score ON events (score)"]})
        media = post("/api/collections", json={"name": "media", "listRule": "", "viewRule": "", "fields": [
            {"name": "caption", "type": "text"},
            {"name": "blob", "type": "file", "maxSelect": 1, "maxSize": 50 * 1024 * 1024},
            {"name": "created", "type": "autodate", "onCreate": True},
            {"name": "updated", "type": "autodate", "onCreate": True, "onUpdate": True}]})
        user = post("/api/collections/users/records", json={
            "email": "someone@example.com", "password": PASSWORD, "passwordConfirm": PASSWORD})
        sample = post("/api/collections/media/records", data={"caption": "via the API"},
                      files={"blob": ("sample.bin", os.urandom(4096), "application/octet-stream")})
    finally:
        stop(proc)

    db = sqlite3.connect(os.path.join(data_dir, "data.db"))
    tag_ids = [pb_id(rng) for _ in range(50)]
    db.executemany("INSERT INTO tags (id, name) VALUES (?, ?)", [(t, f"tag{i}") for i, t in enumerate(tag_ids)])
    hash_, token_key = db.execute("SELECT password, tokenKey FROM users WHERE id = ?", (user["id"],)).fetchone()
    user_ids = [user["id"]]
    rows = []
    for i in range(999):
        uid = pb_id(rng)
        user_ids.append(uid)
        rows.append((uid, f"user{i}@example.com", hash_, token_key + str(i), 1, 0,
                     "2026-01-01 00:00:00.000Z", "2026-01-01 00:00:00.000Z"))
    db.executemany("INSERT INTO users (id, email, password, tokenKey, verified, emailVisibility, created, updated) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    batch = []
    for i in range(records - 1000 - 50):
        created = f"2026-0{1 + i % 9}-{1 + i % 28:02d} 12:{i % 60:02d}:{i % 60:02d}.{i % 1000:03d}Z"
        batch.append((pb_id(rng), f"event number {i} " + "x" * (i % 40), rng.random() * 1000, i % 2,
                      json.dumps({"i": i, "k": [i % 7, "v"]}), json.dumps(rng.sample(tag_ids, i % 4)),
                      rng.choice(user_ids), created, created))
        if len(batch) == 10_000:
            db.executemany("INSERT INTO events (id, title, score, done, payload, tags, owner, created, updated) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", batch)
            batch = []
    if batch:
        db.executemany("INSERT INTO events (id, title, score, done, payload, tags, owner, created, updated) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", batch)
    files = max(1, file_bytes // file_size)
    chunk = os.urandom(file_size)
    media_rows = []
    for i in range(files):
        rid, name = pb_id(rng), f"blob_{i}_{pb_id(rng)[:10]}.bin"
        folder = os.path.join(data_dir, "storage", media["id"], rid)
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, name), "wb") as f:
            f.write(chunk[i % 97:] + chunk[:i % 97])    # distinct bytes per file, same size
        media_rows.append((rid, f"file {i}", name, "2026-02-02 00:00:00.000Z", "2026-02-02 00:00:00.000Z"))
    db.executemany("INSERT INTO media (id, caption, blob, created, updated) VALUES (?, ?, ?, ?, ?)", media_rows)
    db.commit()
    db.close()

    # PocketBase reads what was made.
    proc, url = serve_pocketbase(binary, data_dir)
    try:
        listed = requests.get(url + "/api/collections/events/records?perPage=1", timeout=60).json()
        rid, name = media_rows[0][0], media_rows[0][2]
        blob = requests.get(f"{url}/api/files/media/{rid}/{name}", timeout=60)
        assert listed["totalItems"] == records - 1000 - 50 and blob.status_code == 200, (listed, blob.status_code)
        assert requests.get(f"{url}/api/files/media/{sample['id']}/{sample['blob']}", timeout=60).status_code == 200
    finally:
        stop(proc)
    return tag_ids


def size_of(path):
    total = 0
    for root, _, names in os.walk(path):
        for n in names:
            total += os.path.getsize(os.path.join(root, n))
    return total


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--swiftbase", required=True)
    ap.add_argument("--pocketbase", required=True)
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--file-mib", type=int, default=1024)
    ap.add_argument("--file-kib", type=int, default=512)
    ap.add_argument("--keep", help="keep the work directory here instead of a temp dir removed at the end")
    args = ap.parse_args()
    work = args.keep or tempfile.mkdtemp(prefix="sb-bench-import-")
    os.makedirs(work, exist_ok=True)
    pb_dir, sb_dir, cp_dir = (os.path.join(work, n) for n in ("pb_data", "sb_data", "cp_data"))
    try:
        t0 = time.monotonic()
        build(args.pocketbase, pb_dir, args.records, args.file_mib * 1024 * 1024, args.file_kib * 1024)
        built = time.monotonic() - t0
        # read-write, so closing removes the -shm/-wal files (a read-only open would leave them, and the import
        # would take PocketBase for running)
        db = sqlite3.connect(os.path.join(pb_dir, "data.db"))
        tables = [r[0] for r in db.execute("SELECT name FROM _collections WHERE type != 'view'")]
        rows = sum(db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables)
        db.close()
        total = size_of(pb_dir)
        print(f"PocketBase directory: {rows} records, {total / 2**30:.2f} GiB "
              f"({size_of(os.path.join(pb_dir, 'storage')) / 2**30:.2f} GiB of files); built in {built:.0f} s")

        t0 = time.monotonic()
        subprocess.run(["cp", "-a", pb_dir, cp_dir], check=True, timeout=600)
        copy_s = time.monotonic() - t0
        shutil.rmtree(cp_dir)

        t0 = time.monotonic()
        out = subprocess.run([args.swiftbase, "import", "pocketbase", pb_dir, "--dir", sb_dir],
                             capture_output=True, text=True, timeout=900)
        import_s = time.monotonic() - t0
        if out.returncode != 0:
            raise SystemExit(f"import failed: {out.stdout}{out.stderr}")
        print(out.stdout.strip())
        print()
        print(f"{'':28}{'seconds':>10}{'MiB/s':>10}{'records/s':>12}")
        print(f"{'swiftbase import pocketbase':28}{import_s:>10.1f}{total / 2**20 / import_s:>10.0f}"
              f"{rows / import_s:>12.0f}")
        print(f"{'cp -a (files + db, floor)':28}{copy_s:>10.1f}{total / 2**20 / copy_s:>10.0f}{'':>12}")
        print(f"\nissue 20 target: under 60 s -> {'met' if import_s < 60 else 'NOT met'} ({import_s:.1f} s)")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

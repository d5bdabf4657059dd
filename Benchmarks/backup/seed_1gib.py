#!/usr/bin/env python3
"""Seeds a Swiftbase data directory with a ~1 GiB database for timing `swiftbase backup`.

    python3 Benchmarks/backup/seed_1gib.py --swiftbase .build-release/release/swiftbase --dir /tmp/sb-1g
    time .build-release/release/swiftbase backup --dir /tmp/sb-1g

Creates a `notes` collection through the REST API (so the schema is Swiftbase's own), then fills its
table with sqlite3 in large transactions while the server is stopped: 1 KiB text bodies, half random
(incompressible), half repeated words, so the zip sees data that compresses the way app data does.
"""
import argparse, json, os, random, secrets, sqlite3, string, subprocess, time, urllib.request

ap = argparse.ArgumentParser()
ap.add_argument("--swiftbase", required=True)
ap.add_argument("--dir", required=True)
ap.add_argument("--gib", type=float, default=1.0)
ap.add_argument("--port", type=int, default=18097)
a = ap.parse_args()

os.makedirs(a.dir, exist_ok=True)
subprocess.run([a.swiftbase, "superuser", "upsert", "seed@example.com", "1234567890", "--dir", a.dir], check=True,
               stdout=subprocess.DEVNULL)
server = subprocess.Popen([a.swiftbase, "serve", "--http", f"127.0.0.1:{a.port}", "--dir", a.dir],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
base = f"http://127.0.0.1:{a.port}"
try:
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/api/health"); break
        except Exception:
            time.sleep(0.1)
    def call(method, path, body, token=None):
        req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method=method,
                                     headers={"Content-Type": "application/json", **({"Authorization": token} if token else {})})
        return json.load(urllib.request.urlopen(req))
    token = call("POST", "/api/collections/_superusers/auth-with-password",
                 {"identity": "seed@example.com", "password": "1234567890"})["token"]
    call("POST", "/api/collections", {"name": "notes", "type": "base", "fields": [
        {"name": "title", "type": "text"}, {"name": "body", "type": "text"}, {"name": "n", "type": "number"}]}, token)
finally:
    server.terminate(); server.wait()

db = sqlite3.connect(os.path.join(a.dir, "data.db"))
words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor".split()
target = int(a.gib * (1 << 30))
rng = random.Random(7)
alphabet = string.ascii_lowercase + string.digits
n = 0
while os.path.getsize(os.path.join(a.dir, "data.db")) < target:
    rows = []
    for _ in range(20000):
        body = secrets.token_hex(256) + " " + " ".join(rng.choice(words) for _ in range(80))
        rid = "".join(rng.choice(alphabet) for _ in range(15))
        rows.append((rid, f"note {n}", body, n))
        n += 1
    db.executemany("INSERT INTO notes (id, title, body, n) VALUES (?,?,?,?)", rows)
    db.commit()
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
db.close()
print(f"{n} records, data.db = {os.path.getsize(os.path.join(a.dir, 'data.db')) / (1 << 30):.2f} GiB")

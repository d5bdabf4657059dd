#!/usr/bin/env python3
"""Functions over HTTP against the REST API they stand beside, one server, same run (issue 16, "Measured").

Two figures, each printed side by side with its ratio:
  (a) reading one record: `GET /api/fn/reader/{id}` — the C example notes_api (Examples/functions), whose `GET /{id}`
      calls the records host function `records_get` as its caller and answers the record — against the REST view
      `GET /api/collections/posts/records/{id}` of the same records, both at --connections (16) over random ids.
      Target: the function reaches >= 50 % of the REST view's requests/s.
  (b) creating: `POST /api/collections/{plain,hooked}/records` with the same body into two identical collections,
      `hooked` with the before-create hook slugify_hook (it reads `title`, refuses spam, sets `slug`). Target: the
      hook costs <= 15 % of create throughput, i.e. hooked/plain >= 0.85.
Before measuring, the setup is checked: the function's answer for an id is the REST view's, and a create into
`hooked` comes back with its slug.

One fresh server (a release build, --binary) on a loopback port and a fresh data dir; --records posts seeded through
the batch API; every cell is wrk for --duration s (bounded, every request with a 10 s timeout); with --runs > 1 the
cells alternate their order per run and the table shows the median. Server CPU per request is read from /proc.

    .venv-it/bin/python Benchmarks/compare/functions_http.py --binary .build/release/swiftbase \\
        [--connections 16] [--duration 5] [--runs 3] [--records 1000] [--fn-concurrency N] [--json out.json]

Needs wrk, httpx (IntegrationTests/requirements.txt), and the examples built (this script runs
Examples/functions/build.sh, which needs clang for wasm32 and wat2wasm).
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

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
EXAMPLES = os.path.join(ROOT, "Examples", "functions")
EMAIL, PASSWORD = "bench@example.com", "bench-pass-123"
CELLS = ["view_rest", "view_function", "create_plain", "create_hooked"]
WRK_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,'
    .. '"socket_errors":%d,"status_errors":%d}\\n', summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.timeout, e.status))
end
"""


class Server:
    """A fresh Swiftbase on a loopback port, a superuser, rate limits off and batch on."""

    def __init__(self, binary):
        self.dir = tempfile.mkdtemp(prefix="bench-functions-")
        subprocess.run([binary, "superuser", "upsert", EMAIL, PASSWORD, "--dir", self.dir], check=True,
                       capture_output=True, timeout=120)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(self.dir, "server.log"), "wb")
        self.proc = subprocess.Popen([binary, "serve", "--http", f"127.0.0.1:{self.port}", "--dir", self.dir],
                                     stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.http = httpx.Client(base_url=self.url, timeout=60)
        deadline = time.monotonic() + 30
        while True:
            try:
                if self.http.get("/api/health").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"swiftbase did not start; log in {self.dir}")
            time.sleep(0.05)
        r = self.http.post("/api/collections/_superusers/auth-with-password",
                           json={"identity": EMAIL, "password": PASSWORD})
        r.raise_for_status()
        self.http.headers["Authorization"] = r.json()["token"]
        self.ok(self.http.patch("/api/settings", json={"batch": {"enabled": True, "maxRequests": 200, "timeout": 30},
                                                       "rateLimits": {"enabled": False}}))

    @staticmethod
    def ok(r):
        if r.status_code not in (200, 204):
            raise RuntimeError(f"{r.request.method} {r.request.url}: {r.status_code} {r.text[:500]}")
        return r

    def deploy(self, name, wasm_path, config):
        with open(wasm_path, "rb") as f:
            wasm = f.read()
        return self.ok(self.http.post("/api/functions", data={"name": name, "config": json.dumps(config)},
                                      files={"module": (f"{name}.wasm", wasm, "application/wasm")})).json()

    def close(self):
        self.http.close()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=20)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def setup(server, records, fn_concurrency, plugins):
    """Collections, seeded posts and the two functions (their .wasm files in `plugins`); answers the post ids."""
    fields = [{"name": "title", "type": "text"}, {"name": "slug", "type": "text"}, {"name": "views", "type": "number"}]
    for name in ("posts", "plain", "hooked"):
        server.ok(server.http.post("/api/collections", json={
            "name": name, "listRule": "", "viewRule": "", "createRule": "", "fields": fields}))
    ids = []
    rng = random.Random(1)
    for start in range(0, records, 200):
        batch = [{"method": "POST", "url": "/api/collections/posts/records",
                  "body": {"title": f"post {i} " + "lorem ipsum " * 4, "views": rng.randrange(100_000)}}
                 for i in range(start, min(records, start + 200))]
        r = server.ok(server.http.post("/api/batch", json={"requests": batch}))
        ids += [item["body"]["id"] for item in r.json()]

    reader = {"triggers": [{"type": "http"}], "config": {"collection": "posts"}}
    if fn_concurrency:
        reader["limits"] = {"concurrency": fn_concurrency}
    server.deploy("reader", os.path.join(plugins, "notes_api.wasm"), reader)
    server.deploy("slugify", os.path.join(plugins, "slugify_hook.wasm"), {"triggers": [
        {"type": "record", "collection": "hooked", "actions": ["create"], "when": "before"}]})

    # The setup does what the figures claim: the same record both ways, and the hook runs.
    guest = httpx.Client(base_url=server.url, timeout=30)
    for record_id in ids[:5]:
        rest = guest.get(f"/api/collections/posts/records/{record_id}")
        via_fn = guest.get(f"/api/fn/reader/{record_id}")
        if rest.status_code != 200 or via_fn.status_code != 200 or rest.json() != via_fn.json():
            raise RuntimeError(f"reader answers {via_fn.status_code} {via_fn.text[:300]} where REST answers "
                               f"{rest.status_code} {rest.text[:300]}")
    made = server.ok(guest.post("/api/collections/hooked/records", json={"title": "Check The Hook"})).json()
    if made.get("slug") != "check-the-hook":
        raise RuntimeError(f"the before-create hook did not run: {made}")
    guest.close()
    return ids


def lua_script(cell, ids):
    if cell.startswith("view"):
        prefix = "/api/collections/posts/records/" if cell == "view_rest" else "/api/fn/reader/"
        return "local ids = {" + ",".join(f'"{i}"' for i in ids) + "}\n" + f"""request = function()
  return wrk.format("GET", "{prefix}" .. ids[math.random(#ids)])
end
""" + WRK_DONE
    collection = cell.removeprefix("create_")
    return f"""local n = 0
request = function()
  n = n + 1
  local b = string.format('{{"title":"Bench Post %d","views":%d}}', n, math.random(0, 99999))
  return wrk.format("POST", "/api/collections/{collection}/records", {{["Content-Type"] = "application/json"}}, b)
end
""" + WRK_DONE


def run_wrk(server, script_path, connections, duration):
    before_server = cpu_seconds(server.proc.pid)
    before_client = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(["wrk", "-t", str(min(connections, 2)), "-c", str(connections), "-d", f"{duration}s",
                          "--timeout", "10s", "-s", script_path, server.url],
                         capture_output=True, text=True, timeout=duration + 60, check=True).stdout
    after_client = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_cpu = cpu_seconds(server.proc.pid) - before_server
    client_cpu = (after_client.ru_utime + after_client.ru_stime) - (before_client.ru_utime + before_client.ru_stime)
    w = json.loads(next(l for l in out.splitlines() if l.startswith("WRK_JSON "))[len("WRK_JSON "):])
    n = max(w["requests"], 1)
    return {"rps": w["requests"] / (w["duration_us"] / 1e6), "p50_ms": w["p50_us"] / 1000,
            "p99_ms": w["p99_us"] / 1000, "errors": w["socket_errors"] + w["status_errors"],
            "requests": w["requests"], "server_cpu_us_per_req": server_cpu / n * 1e6, "client_cpu_s": client_cpu}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", required=True, help="swiftbase, a release build")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--duration", type=int, default=5, help="seconds of wrk per cell")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--records", type=int, default=1000)
    ap.add_argument("--fn-concurrency", type=int, help="limits.concurrency of the reader (default: the server's)")
    ap.add_argument("--plugins", help="a directory with notes_api.wasm and slugify_hook.wasm already built (an A/B of"
                    " the examples); default: build Examples/functions and use those")
    ap.add_argument("--json")
    args = ap.parse_args()
    plugins = args.plugins
    if plugins is None:
        subprocess.run(["bash", os.path.join(EXAMPLES, "build.sh")], check=True, capture_output=True, timeout=300)
        plugins = os.path.join(EXAMPLES, "build", "c")

    server = Server(os.path.abspath(args.binary))
    results = {cell: [] for cell in CELLS}
    try:
        ids = setup(server, args.records, args.fn_concurrency, plugins)
        with tempfile.TemporaryDirectory() as scripts:
            paths = {}
            for cell in CELLS:
                paths[cell] = os.path.join(scripts, f"{cell}.lua")
                with open(paths[cell], "w") as f:
                    f.write(lua_script(cell, ids))
            for run in range(args.runs):
                # Alternate the order within each pair, so neither side always runs on a warmer (or fuller) server.
                order = CELLS if run % 2 == 0 else ["view_function", "view_rest", "create_hooked", "create_plain"]
                for cell in order:
                    results[cell].append(run_wrk(server, paths[cell], args.connections, args.duration))
                    print(f"  run {run + 1}/{args.runs} {cell:14} {results[cell][-1]['rps']:9.0f} req/s", flush=True)
        peak_rss = status_mib(server.proc.pid, "VmHWM")
    finally:
        server.close()

    med = {cell: {k: statistics.median(r[k] for r in runs) for k in runs[0]} for cell, runs in results.items()}
    view_ratio = med["view_function"]["rps"] / max(med["view_rest"]["rps"], 1e-9)
    create_ratio = med["create_hooked"]["rps"] / max(med["create_plain"]["rps"], 1e-9)
    print(f"\nswiftbase {args.binary}; wrk {args.duration} s x {args.runs} runs (median), {args.connections} "
          f"connections; {args.records} posts; peak RSS {peak_rss:.0f} MiB")
    print(f"{'figure':34} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} {'cpu us/req':>10} | {'ratio':>6}")
    rows = [("(a) REST view of a record", "view_rest", ""),
            ("(a) function: records_get", "view_function", f"{view_ratio:6.2f}"),
            ("(b) create", "create_plain", ""),
            ("(b) create + before-create hook", "create_hooked", f"{create_ratio:6.2f}")]
    for label, cell, ratio in rows:
        m = med[cell]
        print(f"{label:34} {m['rps']:9.0f} {m['p50_ms']:8.2f} {m['p99_ms']:8.2f} {m['errors']:6.0f} "
              f"{m['server_cpu_us_per_req']:10.0f} | {ratio:>6}")
    # The same figures run by run: each pair of cells ran back to back, so a drift of the machine's speed between
    # runs (often ±20 % here) moves both sides of a pair alike and cancels in its ratio.
    per_run_view = [f["rps"] / max(r["rps"], 1e-9) for f, r in zip(results["view_function"], results["view_rest"])]
    per_run_hook = [1 - h["rps"] / max(p["rps"], 1e-9) for h, p in zip(results["create_hooked"], results["create_plain"])]
    print(f"\nper run: (a) {' '.join(f'{x:.2f}' for x in per_run_view)} (median {statistics.median(per_run_view):.2f});"
          f" (b) hook cost {' '.join(f'{x * 100:.0f}%' for x in per_run_hook)}"
          f" (median {statistics.median(per_run_hook) * 100:.0f}%)")
    print(f"\n(a) function / REST view = {view_ratio:.2f} (issue 16 target >= 0.50: "
          f"{'met' if view_ratio >= 0.5 else 'missed'})")
    print(f"(b) hook cost = {(1 - create_ratio) * 100:.1f} % of create throughput (target <= 15 %: "
          f"{'met' if create_ratio >= 0.85 else 'missed'})")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"args": vars(args), "median": med, "runs": results, "view_ratio": view_ratio,
                       "create_ratio": create_ratio, "per_run_view_ratio": per_run_view,
                       "per_run_hook_cost": per_run_hook, "peak_rss_mib": peak_rss}, f, indent=1)


if __name__ == "__main__":
    main()

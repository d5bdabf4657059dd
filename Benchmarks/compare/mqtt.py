#!/usr/bin/env python3
"""MQTT broker, Swiftbase and Debian's Mosquitto side by side in one run (issue 19, "Measured").

Each cell runs on a freshly started broker of each kind, on loopback:

- qos0 / qos1 throughput: 8 publishers send a bounded number of messages as fast as the broker takes them (QoS 1:
  at most 20 unacknowledged per publisher) to one subscriber; messages/s received by the subscriber, and the p99
  latency of that run (under full load: mostly time spent queued).
- fan-out: 1 publisher, 100 subscribers of the same topic (QoS 0); deliveries/s over all subscribers, and p99.
- latency qos0 / qos1: 1 publisher at a fixed rate, 1 subscriber; publish-to-delivery p50 / p99 (each payload
  carries its CLOCK_MONOTONIC send time).
- idle: 10,000 connected clients doing nothing; the broker's resident memory (RSS) before and with them, and the
  cost per connection. The fd limit is raised to the hard limit for this process and the brokers it starts; the
  cell is skipped, with the reason printed, when the hard limit is too low.

Throughput cells print delivered/expected: a broker may drop QoS 0 messages to a subscriber that falls behind
(Swiftbase does, by design), and the rate counts only what arrived. Every cell prints the broker's CPU seconds
and the load generator's beside it, so a load generator that is the bottleneck shows. The load generator is
`mqtt_client/mqtt_client.c` (MQTT 3.1.1 by hand, one thread, epoll), compiled here with `cc -O2` (or clang).

Swiftbase is started as `swiftbase serve --http 127.0.0.1:P --mqtt 127.0.0.1:Q --dir TMP` with a superuser made by
`swiftbase superuser upsert` and `mqtt.allowAnonymous` set to true through `/api/settings`; Mosquitto as
`mosquitto -c CONF` with `listener Q 127.0.0.1`, `allow_anonymous true`, `persistence false`. Bounded: every
count is fixed, every wait has a deadline, and only loopback is used. Figures are printed, never asserted.

Mosquitto leaves Nagle's algorithm on by default (`set_tcp_nodelay false`), which shows in its latency cells as
tens of milliseconds at low rates; Swiftbase sets TCP_NODELAY. `--mosquitto-nodelay` adds `set_tcp_nodelay true`
to Mosquitto's configuration, for a comparison of the brokers rather than of their defaults: run both ways.

    .venv-it/bin/python Benchmarks/compare/mqtt.py --swiftbase .build/release/swiftbase [--mosquitto /usr/sbin/mosquitto]
        [--quick] [--runs 3] [--cells qos0 qos1 fanout latency idle] [--mosquitto-nodelay] [--json out.json]

`--quick` uses small counts (a check that everything runs, e.g. against a debug build); the counts can also be set
one by one (`--qos0-messages`, `--qos1-messages`, `--fanout-messages`, `--latency-messages`, `--latency-rate`,
`--idle-connections`). With `--runs N` every cell runs N times per broker, alternating between them, and the run
with the median figure is printed (all runs go to `--json`).
"""
import argparse
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench_common import cpu_seconds, free_port, status_mib

EMAIL, PASSWORD = "bench@example.com", "bench-pass-123"
STARTUP_SECONDS = 60


def build_client():
    """Compiles the load generator into a temp dir; answers its path."""
    source = Path(__file__).with_name("mqtt_client") / "mqtt_client.c"
    out = os.path.join(tempfile.mkdtemp(prefix="mqtt-client-"), "mqtt_client")
    compiler = shutil.which("cc") or shutil.which("clang") or sys.exit("no C compiler on PATH (cc or clang)")
    subprocess.run([compiler, "-O2", "-o", out, str(source)], check=True)
    return out


def wait_for_port(port, proc, log_path):
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"the broker exited early; its log:\n{Path(log_path).read_text(errors='replace')[-4000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"nothing listens on 127.0.0.1:{port} after {STARTUP_SECONDS} s")


def http_json(method, url, body=None, token=None):
    request = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json", **({"Authorization": token}
                                                                                     if token else {})})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


class Broker:
    """One running broker: `kind`, `pid`, `port`; `stop()` ends it and removes its temp dir."""

    def __init__(self, kind, binary, mosquitto_nodelay=False):
        self.kind = kind
        self.tmp = tempfile.mkdtemp(prefix=f"mqtt-bench-{kind}-")
        self.port = free_port()
        log_path = os.path.join(self.tmp, "broker.log")
        self.log = open(log_path, "wb")
        if kind == "mosquitto":
            conf = os.path.join(self.tmp, "mosquitto.conf")
            Path(conf).write_text(f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
                                  + ("set_tcp_nodelay true\n" if mosquitto_nodelay else ""))
            args = [binary, "-c", conf]
        else:
            data = os.path.join(self.tmp, "data")
            os.makedirs(data)
            subprocess.run([binary, "superuser", "upsert", EMAIL, PASSWORD, "--dir", data], check=True,
                           capture_output=True)
            http_port = free_port()
            args = [binary, "serve", "--http", f"127.0.0.1:{http_port}", "--mqtt", f"127.0.0.1:{self.port}",
                    "--dir", data]
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.pid = self.proc.pid
        try:
            wait_for_port(self.port, self.proc, log_path)
            if kind == "swiftbase":
                wait_for_port(http_port, self.proc, log_path)  # the MQTT listener may be up before the HTTP one
                base = f"http://127.0.0.1:{http_port}"
                token = http_json("POST", f"{base}/api/collections/_superusers/auth-with-password",
                                  {"identity": EMAIL, "password": PASSWORD})["token"]
                settings = http_json("PATCH", f"{base}/api/settings", {"mqtt": {"allowAnonymous": True}}, token)
                assert settings["mqtt"]["allowAnonymous"] is True, settings
        except BaseException:
            self.stop()
            raise

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def parse_pairs(text):
    out = {}
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        try:
            out[key] = float(value)
        except ValueError:
            out[key] = value
    return out


def run_flow(client, broker, qos, publishers, per_publisher, subscribers, rate, payload, deadline):
    """One flow cell against a running broker; answers the load generator's figures plus the broker's CPU."""
    cpu0, wall0 = cpu_seconds(broker.pid), time.monotonic()
    done = subprocess.run([client, "flow", str(broker.port), str(qos), str(publishers), str(per_publisher),
                           str(subscribers), str(rate), str(payload), str(deadline)],
                          capture_output=True, text=True, timeout=deadline + 60)
    server_cpu, wall = cpu_seconds(broker.pid) - cpu0, time.monotonic() - wall0
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed against {broker.kind}: {done.stderr.strip()}")
    r = parse_pairs(done.stdout)
    r["per_s"] = r["delivered"] / r["elapsed_s"] if r["elapsed_s"] > 0 else 0.0
    r["server_cpu_s"] = server_cpu
    r["client_busy"] = r["cpu_s"] / wall if wall > 0 else 0.0  # its share of one core over its whole run
    return r


def settled_rss(pid, timeout=10.0):
    """The broker's RSS (MiB) once two readings 200 ms apart differ by under 1% (or at the timeout)."""
    deadline = time.monotonic() + timeout
    last = status_mib(pid, "VmRSS")
    while time.monotonic() < deadline:
        time.sleep(0.2)
        now = status_mib(pid, "VmRSS")
        if abs(now - last) < 0.01 * max(last, 1.0):
            return now
        last = now
    return last


def run_idle(client, broker, connections, deadline):
    before = settled_rss(broker.pid)
    cpu0 = cpu_seconds(broker.pid)
    proc = subprocess.Popen([client, "idle", str(broker.port), str(connections), str(deadline)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        if line != "ready":
            proc.kill()
            _, err = proc.communicate(timeout=30)
            raise RuntimeError(f"idle clients against {broker.kind}: {line} {err.strip()}")
        with_clients = settled_rss(broker.pid)
        server_cpu = cpu_seconds(broker.pid) - cpu0
        out, err = proc.communicate("\n", timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    r = parse_pairs(out)
    return {"connections": connections, "rss_before_mib": before, "rss_mib": with_clients,
            "kib_per_connection": (with_clients - before) * 1024 / connections, "server_cpu_s": server_cpu,
            "cpu_s": r.get("cpu_s", 0.0)}


def raise_fd_limit(needed):
    """Raises this process's soft fd limit (inherited by the brokers and the load generator) toward `needed`;
    answers None when it can, else the reason it cannot."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= needed:
        return None
    target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    if target < needed:
        return f"the fd hard limit is {hard}, {needed} are needed (raise it: ulimit -Hn)"
    return None


def throughput_rows(cell, unit, run):
    """A throughput cell's rows: the rate, and the p99 latency of the same run (under full load, so mostly time
    spent queued)."""
    return [(cell, unit, True, run, "per_s"), (cell, "p99 ms", False, run, "p99_ms")]


def cells(args):
    """The rows to print: (cell, metric, higher_is_better, run, value). `run` is ("flow", qos, publishers,
    messages_per_publisher, subscribers, rate) or ("idle", connections); rows with the same cell share one run per
    broker (latency p50 and p99, idle RSS and KiB per connection)."""
    rows = []
    if "qos0" in args.cells:
        per = max(1, args.qos0_messages // 8)
        rows += throughput_rows(f"qos0 8 pub → 1 sub ({per * 8} msgs)", "msgs/s", ("flow", 0, 8, per, 1, 0))
    if "qos1" in args.cells:
        per = max(1, args.qos1_messages // 8)
        rows += throughput_rows(f"qos1 8 pub → 1 sub ({per * 8} msgs)", "msgs/s", ("flow", 1, 8, per, 1, 0))
    if "fanout" in args.cells:
        n = args.fanout_messages
        rows += throughput_rows(f"fan-out 1 → 100 qos0 ({n} msgs)", "deliveries/s", ("flow", 0, 1, n, 100, 0))
    if "latency" in args.cells:
        n, rate = args.latency_messages, args.latency_rate
        for qos in (0, 1):
            for stat in ("p50_ms", "p99_ms"):
                rows.append((f"latency qos{qos} @ {rate:g}/s ({n} msgs)", stat.replace("_ms", " ms"), False,
                             ("flow", qos, 1, n, 1, rate), stat))
    if "idle" in args.cells:
        n = args.idle_connections
        rows.append((f"idle {n} connections", "RSS MiB", False, ("idle", n), "rss_mib"))
        rows.append((f"idle {n} connections", "KiB/conn", False, ("idle", n), "kib_per_connection"))
    return rows


def run_cell(client, broker, run, args):
    if run[0] == "idle":
        return run_idle(client, broker, run[1], args.deadline)
    _, qos, publishers, per_publisher, subscribers, rate = run
    return run_flow(client, broker, qos, publishers, per_publisher, subscribers, rate, args.payload, args.deadline)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--swiftbase", required=True, help="the swiftbase binary (a release build for real figures)")
    ap.add_argument("--mosquitto", default=shutil.which("mosquitto") or "/usr/sbin/mosquitto")
    ap.add_argument("--cells", nargs="+", default=["qos0", "qos1", "fanout", "latency", "idle"],
                    choices=["qos0", "qos1", "fanout", "latency", "idle"])
    ap.add_argument("--mosquitto-nodelay", action="store_true",
                    help="set_tcp_nodelay true in Mosquitto's configuration (its default is false; Swiftbase's is on)")
    ap.add_argument("--quick", action="store_true", help="small counts: checks that every cell runs")
    ap.add_argument("--qos0-messages", type=int, help="total over the 8 publishers (default 400,000; quick 8,000)")
    ap.add_argument("--qos1-messages", type=int, help="total over the 8 publishers (default 100,000; quick 4,000)")
    ap.add_argument("--fanout-messages", type=int, help="published, each to 100 subscribers (default 2,000; quick 100)")
    ap.add_argument("--latency-messages", type=int, help="default 10,000; quick 500")
    ap.add_argument("--latency-rate", type=float, help="messages/s (default 1,000; quick 250)")
    ap.add_argument("--idle-connections", type=int, help="default 10,000; quick 1,000")
    ap.add_argument("--payload", type=int, default=32, help="payload bytes (at least 8: the send time)")
    ap.add_argument("--runs", type=int, default=1, help="runs per cell and broker; the median run is printed")
    ap.add_argument("--deadline", type=float, default=120, help="seconds one cell may take on one broker")
    ap.add_argument("--json", help="write every cell's figures here")
    args = ap.parse_args()
    if not 8 <= args.payload <= 4096:
        ap.error("--payload must be 8 to 4096 bytes (it starts with the 8-byte send time)")
    defaults = {"qos0_messages": (400_000, 8_000), "qos1_messages": (100_000, 4_000), "fanout_messages": (2_000, 100),
                "latency_messages": (10_000, 500), "latency_rate": (1_000, 250), "idle_connections": (10_000, 1_000)}
    for name, (full, quick) in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else full)

    skipped = {}
    if "idle" in args.cells:
        reason = raise_fd_limit(args.idle_connections + 1024)
        if reason:
            skipped["idle"] = reason
            args.cells = [c for c in args.cells if c != "idle"]
            print(f"skipping the idle cell: {reason}")

    print(f"Mosquitto with set_tcp_nodelay {'true' if args.mosquitto_nodelay else 'false (its default)'}", flush=True)
    client = build_client()
    binaries = {"swiftbase": args.swiftbase, "mosquitto": args.mosquitto}
    rows, results = [], []
    for name, metric, higher_better, run, value in cells(args):
        if not any(r["cell"] == name for r in results):
            # Runs alternate between the brokers, so a drift of the machine's load falls on both alike.
            for i in range(args.runs):
                for kind, binary in binaries.items():
                    broker = Broker(kind, binary, args.mosquitto_nodelay)
                    try:
                        results.append({"cell": name, "server": kind, "run": i, **run_cell(client, broker, run, args)})
                    except (RuntimeError, subprocess.TimeoutExpired) as error:
                        # One failed run is reported and the rest of the benchmark goes on.
                        print(f"{name}: run {i} on {kind} failed: {error}", flush=True)
                        results.append({"cell": name, "server": kind, "run": i, "error": str(error)})
                    finally:
                        broker.stop()
        row = {"cell": name, "metric": metric, "higher_is_better": higher_better}
        for kind in binaries:
            # The median run (the upper one of an even count) by this row's figure; its other figures with it.
            runs = sorted((r for r in results if (r["cell"], r["server"]) == (name, kind) and "error" not in r),
                          key=lambda r: r[value])
            row[kind] = runs[len(runs) // 2][value] if runs else None
            row[f"{kind}_figures"] = runs[len(runs) // 2] if runs else {}
        rows.append(row)
        print_row(row, header=len(rows) == 1)
        for kind in binaries:
            busy = row[f"{kind}_figures"].get("client_busy", 0.0)
            if busy > 0.8:
                print(f"  note: the load generator was busy {busy:.0%} of a core against {kind}: it may be the "
                      f"bottleneck of that cell", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": rows, "results": results, "skipped": skipped, "mosquitto_nodelay": args.mosquitto_nodelay,
                       "counts": {k: getattr(args, k) for k in defaults}}, f, indent=2)


def print_row(row, header):
    if header:
        print(f"{'cell':<40}{'metric':<14}{'swiftbase':>12}{'mosquitto':>12}{'sb/mosq':>9}  {'delivered sb':>15}"
              f"{'delivered mq':>15}{'CPU s sb/client':>17}{'CPU s mq/client':>17}")
    sb, mq = row["swiftbase"], row["mosquitto"]
    ratio = f"{sb / mq:.2f}" if sb is not None and mq else "-"
    fs, fm = row["swiftbase_figures"], row["mosquitto_figures"]

    def delivered(f):
        return f"{f['delivered']:.0f}/{f['expected']:.0f}" if "delivered" in f else "-"

    def cpu(f):
        return f"{f['server_cpu_s']:.2f}/{f['cpu_s']:.2f}" if f else "-"

    def figure(v):
        return f"{v:>12,.1f}" if v is not None else f"{'failed':>12}"

    metric = f"{row['metric']} {'↑' if row['higher_is_better'] else '↓'}"
    print(f"{row['cell']:<40}{metric:<14}{figure(sb)}{figure(mq)}{ratio:>9}  {delivered(fs):>15}"
          f"{delivered(fm):>15}{cpu(fs):>17}{cpu(fm):>17}", flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""GraphQL subscription fan-out (issue 17's third target): N `posts_events` subscribers over WebSocket
(graphql-transport-ws), M creates at a fixed rate over REST, every delivery's create->receive latency.

The subscribers are, by default, a compiled epoll client (`ws_client/ws_client.c`, built here with `cc`) split
over `--client-processes` processes, so the client is not what is measured; its CPU time is printed beside the
server's. `--client asyncio` uses Python `websockets` clients instead (they use more CPU than the server at 1000
subscribers). Bounded: N and M are fixed and every wait has a timeout. Timings are printed, never asserted.

With `--pocketbase BIN` the same load (N subscribers, M creates at the same rate, compiled clients) also runs
as realtime over SSE on Swiftbase and on PocketBase — PocketBase has no GraphQL, and its realtime is the peer
that pushes the same change to the same subscribers — and the three are printed side by side.

    .venv-it/bin/python Benchmarks/compare/graphql_subscriptions.py --swiftbase .build/release/swiftbase \\
        [--pocketbase .venv-it/bin/pocketbase] [--subscribers 1000] [--creates 100] [--rate 20] [--runs 3]
"""
import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench_common import client_report, cpu_seconds
from http_scenarios import EMAIL, PASSWORD, Server
import realtime_fanout

QUERY = "subscription { posts_events { action record { title } } }"


async def asyncio_worker(url, count, creates, timeout):
    """`count` Python subscribers; prints `ready` once all are subscribed, then one "title perf_counter_ns" line
    per delivery and a last "cpu SECONDS" line — the compiled client's output."""
    import websockets

    deliveries = []
    ready = asyncio.Event()
    subscribed = 0

    async def subscriber():
        nonlocal subscribed
        async with websockets.connect(url, subprotocols=["graphql-transport-ws"], max_queue=None) as ws:
            await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": QUERY}}))
            # A query answered after the subscription means the server took the subscription.
            await ws.send(json.dumps({"id": "2", "type": "subscribe", "payload": {"query": "{ __typename }"}}))
            while json.loads(await ws.recv()).get("id") != "2":
                pass
            subscribed += 1
            if subscribed == count:
                ready.set()
            got = 0
            while got < creates:
                message = json.loads(await ws.recv())
                if message.get("id") != "1" or message.get("type") != "next":
                    continue
                title = message["payload"]["data"]["posts_events"]["record"]["title"]
                deliveries.append((title, time.perf_counter_ns()))
                got += 1

    tasks = [asyncio.create_task(subscriber()) for _ in range(count)]
    await asyncio.wait_for(ready.wait(), timeout)
    print("ready", flush=True)
    _, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in pending:
        task.cancel()
    for title, ns in deliveries:
        print(title, ns)
    print("cpu", time.process_time(), flush=True)


def build_client():
    """Compiles the epoll WebSocket subscriber into a temp dir; answers its path."""
    source = Path(__file__).with_name("ws_client") / "ws_client.c"
    out = os.path.join(tempfile.mkdtemp(prefix="ws-client-"), "ws_client")
    subprocess.run(["cc", "-O2", "-o", out, str(source)], check=True)
    return out


def client_command(args, client, port, count):
    if client:
        return [client, str(port), "/api/graphql", QUERY, str(count), str(args.creates), str(args.timeout)]
    return [sys.executable, __file__, "--worker", f"ws://127.0.0.1:{port}/api/graphql", str(count),
            str(args.creates), str(args.timeout)]


def run(binary, args, client):
    with Server("swiftbase", binary) as server:
        http = httpx.Client(base_url=server.url, timeout=30)
        token = http.post("/api/collections/_superusers/auth-with-password",
                          json={"identity": EMAIL, "password": PASSWORD}).json()["token"]
        http.headers["Authorization"] = token
        r = http.post("/api/collections", json={"name": "posts", "listRule": "", "viewRule": "", "createRule": "",
                                                "fields": [{"name": "title", "type": "text"}]})
        assert r.status_code == 200, r.text
        port = int(server.url.rsplit(":", 1)[1])
        shares = [args.subscribers // args.client_processes + (1 if i < args.subscribers % args.client_processes else 0)
                  for i in range(args.client_processes)]
        workers = [subprocess.Popen(client_command(args, client, port, n), stdout=subprocess.PIPE, text=True)
                   for n in shares if n]
        for w in workers:
            line = w.stdout.readline()
            assert line.strip() == "ready", f"client did not get ready: {line!r}"
        sent = {}
        cpu_before = cpu_seconds(server.proc.pid)
        started = time.perf_counter()
        for i in range(args.creates):
            time.sleep(max(0.0, started + i / args.rate - time.perf_counter()))
            sent[str(i)] = time.perf_counter()
            r = http.post("/api/collections/posts/records", json={"title": str(i)})
            assert r.status_code == 200, r.text
        deliveries, client_cpu = [], 0.0
        for w in workers:
            out, _ = w.communicate(timeout=args.timeout + 30)
            got, cpu = client_report(out)
            deliveries += got
            client_cpu += cpu
        server_cpu = cpu_seconds(server.proc.pid) - cpu_before
    latencies = sorted((t - sent[title]) * 1000 for title, t in deliveries if title in sent)
    end = max((t for _, t in deliveries), default=time.perf_counter())
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    return {
        "server": "swiftbase GraphQL", "subscribers": args.subscribers, "creates": args.creates, "rate": args.rate,
        "delivered": len(latencies), "expected": args.subscribers * args.creates,
        "events_per_s": len(latencies) / (end - started) if end > started else 0,
        "p50_ms": q[49], "p99_ms": q[98], "max_ms": latencies[-1] if latencies else 0,
        "cpu_us_per_event": server_cpu / max(1, len(latencies)) * 1e6, "client_cpu_s": client_cpu,
    }


def sse_peer(kind, binary, args, sse_client):
    """The same load as realtime over SSE (compiled subscribers), from `realtime_fanout.py`."""
    result = asyncio.run(realtime_fanout.run_one(kind, binary, args.subscribers, args.creates, sse_client,
                                                 args.client_processes, rate=args.rate))
    result["server"] = f"{kind} SSE"
    return result


def print_table(results):
    print(f"{'run':<4}{'server':<19}{'delivered':>14}{'events/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'CPU µs/event':>14}"
          f"{'client CPU s':>14}")
    for n, r in results:
        print(f"{n:<4}{r['server']:<19}{r['delivered']:>8}/{r['expected']:<6}{r['events_per_s']:>9.0f}"
              f"{r['p50_ms'] or 0:>9.1f}{r['p99_ms'] or 0:>9.1f}{r['cpu_us_per_event']:>14.1f}"
              f"{r['client_cpu_s'] or 0:>14.2f}")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        url, count, creates, timeout = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
        asyncio.run(asyncio_worker(url, count, creates, timeout))
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--swiftbase", required=True)
    ap.add_argument("--pocketbase", help="also run the same load as SSE realtime on Swiftbase and PocketBase")
    ap.add_argument("--subscribers", type=int, default=1000)
    ap.add_argument("--creates", type=int, default=100)
    ap.add_argument("--rate", type=float, default=20, help="creates per second")
    ap.add_argument("--client", choices=["compiled", "asyncio"], default="compiled")
    ap.add_argument("--client-processes", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--json")
    args = ap.parse_args()
    client = build_client() if args.client == "compiled" else None
    sse_client = realtime_fanout.build_client() if args.pocketbase else None
    results = []
    for n in range(1, args.runs + 1):
        results.append((n, run(args.swiftbase, args, client)))
        if args.pocketbase:
            results.append((n, sse_peer("swiftbase", args.swiftbase, args, sse_client)))
            results.append((n, sse_peer("pocketbase", args.pocketbase, args, sse_client)))
    print_table(results)
    print(f"target: GraphQL p99 <= 100 ms with {args.subscribers} subscribers "
          f"({args.creates} creates at {args.rate:g}/s)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump([r for _, r in results], f, indent=2)


if __name__ == "__main__":
    main()

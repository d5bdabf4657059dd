#!/usr/bin/env python3
"""GraphQL subscription fan-out (issue 17's third target): N `posts_events` subscribers over WebSocket
(graphql-transport-ws), M creates at a fixed rate over REST, every delivery's create->receive latency.

The subscribers are split over `--client-processes` processes (asyncio + `websockets` each), so the client is
not what is measured; each process reports its own CPU time beside the server's. The create time travels in the
record's title (the writer's clock, the same machine), so latency is measured end to end. Bounded: N and M are
fixed and every wait has a timeout. Timings are printed, never asserted.

The peer for the same fan-out is realtime over SSE: `realtime_fanout.py --subscribers N --creates M` runs it on
Swiftbase and PocketBase side by side.

    .venv-it/bin/python Benchmarks/compare/graphql_subscriptions.py --swiftbase .build/release/swiftbase \\
        [--subscribers 1000] [--creates 100] [--rate 20] [--client-processes 4] [--json out.json]
"""
import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time

import httpx

from bench_common import cpu_seconds
from http_scenarios import EMAIL, PASSWORD, Server

QUERY = "subscription { posts_events { action record { title } } }"


async def worker(url, count, creates, timeout):
    """`count` subscribers; prints READY once all are subscribed, then one JSON line with every latency (ms)."""
    import websockets

    latencies, received = [], 0
    ready = asyncio.Event()
    subscribed = 0

    async def subscriber():
        nonlocal subscribed, received
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
                latencies.append((time.time() - float(title)) * 1000)
                got += 1
                received += 1

    tasks = [asyncio.create_task(subscriber()) for _ in range(count)]
    await asyncio.wait_for(ready.wait(), timeout)
    print("READY", flush=True)
    done, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in pending:
        task.cancel()
    print(json.dumps({"latencies": latencies, "received": received, "cpu": time.process_time()}), flush=True)


def run(binary, args):
    with Server("swiftbase", binary) as server:
        http = httpx.Client(base_url=server.url, timeout=30)
        token = http.post("/api/collections/_superusers/auth-with-password",
                          json={"identity": EMAIL, "password": PASSWORD}).json()["token"]
        http.headers["Authorization"] = token
        r = http.post("/api/collections", json={"name": "posts", "listRule": "", "viewRule": "", "createRule": "",
                                                "fields": [{"name": "title", "type": "text"}]})
        assert r.status_code == 200, r.text
        ws_url = server.url.replace("http://", "ws://") + "/api/graphql"
        per = [args.subscribers // args.client_processes + (1 if i < args.subscribers % args.client_processes else 0)
               for i in range(args.client_processes)]
        workers = [subprocess.Popen([sys.executable, __file__, "--worker", ws_url, str(n), str(args.creates),
                                     str(args.timeout)], stdout=subprocess.PIPE, text=True) for n in per if n]
        for w in workers:
            line = w.stdout.readline()
            assert line.strip() == "READY", line
        cpu_before = cpu_seconds(server.proc.pid)
        started = time.time()
        for i in range(args.creates):
            due = started + i / args.rate
            time.sleep(max(0.0, due - time.time()))
            r = http.post("/api/collections/posts/records", json={"title": repr(time.time())})
            assert r.status_code == 200, r.text
        reports = [json.loads(w.stdout.readline()) for w in workers]
        for w in workers:
            w.wait(timeout=args.timeout)
        elapsed = time.time() - started
        server_cpu = cpu_seconds(server.proc.pid) - cpu_before
    latencies = sorted(x for rep in reports for x in rep["latencies"])
    received = sum(rep["received"] for rep in reports)
    expected = args.subscribers * args.creates
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    return {
        "subscribers": args.subscribers, "creates": args.creates, "rate": args.rate,
        "received": received, "expected": expected, "events_per_s": received / elapsed,
        "p50_ms": q[49], "p99_ms": q[98], "max_ms": latencies[-1] if latencies else 0,
        "server_cpu_s": server_cpu, "client_cpu_s": sum(rep["cpu"] for rep in reports),
    }


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        url, count, creates, timeout = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
        asyncio.run(worker(url, count, creates, timeout))
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--swiftbase", required=True)
    ap.add_argument("--subscribers", type=int, default=1000)
    ap.add_argument("--creates", type=int, default=100)
    ap.add_argument("--rate", type=float, default=20, help="creates per second")
    ap.add_argument("--client-processes", type=int, default=4)
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--json")
    args = ap.parse_args()
    results = []
    for n in range(args.runs):
        result = run(args.swiftbase, args)
        results.append(result)
        print(f"run {n + 1}: {result['received']}/{result['expected']} delivered, "
              f"{result['events_per_s']:.0f} events/s, p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, "
              f"max {result['max_ms']:.1f} ms; server CPU {result['server_cpu_s']:.2f} s, "
              f"clients' CPU {result['client_cpu_s']:.2f} s")
    print(f"target: p99 <= 100 ms with {args.subscribers} subscribers")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Realtime fan-out, Swiftbase and PocketBase side by side in one run (issue 4).

For each server: start it on a loopback port with a fresh data dir, open N SSE subscribers to one
public collection, create M records one after another over HTTP, and measure every delivery: delivered
events/s, create->receive latency p50/p99, server CPU time per delivered event (from /proc) and the
client's CPU beside it. Bounded: N and M are fixed, every wait has a timeout.

The subscribers are, by default, a compiled epoll client (`sse_client/sse_client.c`, built here with `cc`)
split over `--client-processes` processes, so the client is not what is measured: at 1000 subscribers
it reads ~60,000 events/s with millisecond latencies on 0.8 s of CPU, where the asyncio client
(`--client asyncio`) tops out near 8,000 events/s with seconds of queueing in itself.

    .venv-it/bin/python Benchmarks/compare/realtime_fanout.py --swiftbase .build/release/swiftbase \\
        --pocketbase .venv-it/bin/pocketbase --subscribers 200 1000 --creates 100 [--json out.json]
"""
import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from bench_common import client_report, cpu_seconds, free_port

EMAIL, PASSWORD = "bench@example.com", "bench-pass-123"


async def subscriber(port, topic, deliveries, ready, stop):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET /api/realtime HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".encode())
    await writer.drain()
    client_id = None
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
        while not stop.is_set():
            try:
                line = await asyncio.wait_for(reader.readline(), timeout=0.5)
            except asyncio.TimeoutError:
                continue
            if not line:
                break
            text = line.decode(errors="replace").strip()
            if text.startswith("id:") and client_id is None:
                client_id = text[3:]
                r = await http.post("/api/realtime", json={"clientId": client_id, "subscriptions": [topic]})
                assert r.status_code == 204, r.text
                ready.release()
            elif text.startswith("data:") and '"action"' in text:
                record = json.loads(text[5:])["record"]
                deliveries.append((record["title"], time.perf_counter()))
    writer.close()


def build_client():
    """Compiles the epoll subscriber into a temp dir; answers its path."""
    source = Path(__file__).with_name("sse_client") / "sse_client.c"
    out = os.path.join(tempfile.mkdtemp(prefix="sse-client-"), "sse_client")
    subprocess.run(["cc", "-O2", "-o", out, str(source)], check=True)
    return out


async def compiled_subscribers(client, port, subscribers, creates, processes, create_all):
    """Runs `create_all` once every subscriber of every client process is subscribed; answers the
    deliveries (title, perf_counter time) and the clients' CPU seconds."""
    shares = [subscribers // processes + (1 if i < subscribers % processes else 0) for i in range(processes)]
    procs = [subprocess.Popen([client, str(port), "bench/*", str(n), str(creates), "60"], stdout=subprocess.PIPE,
                              text=True) for n in shares if n > 0]
    for p in procs:
        line = await asyncio.to_thread(p.stdout.readline)
        assert line.strip() == "ready", f"client did not get ready: {line!r}"
    await create_all()
    deliveries, client_cpu = [], 0.0
    for p in procs:
        out, _ = await asyncio.to_thread(p.communicate, timeout=120)
        got, cpu = client_report(out)
        deliveries += got
        client_cpu += cpu
    return deliveries, client_cpu


async def run_one(kind, binary, subscribers, creates, client=None, processes=2, rate=None):
    """One server's fan-out; creates go back to back, or `rate` per second when given."""
    tmp = tempfile.mkdtemp(prefix=f"fanout-{kind}-")
    data = os.path.join(tmp, "data")
    os.makedirs(data)
    subprocess.run([binary, "superuser", "upsert", EMAIL, PASSWORD, "--dir", data], check=True, capture_output=True)
    port = free_port()
    proc = subprocess.Popen([binary, "serve", "--http", f"127.0.0.1:{port}", "--dir", data],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            for _ in range(300):
                try:
                    if (await http.get("/api/health")).status_code == 200:
                        break
                except httpx.HTTPError:
                    await asyncio.sleep(0.05)
            token = (await http.post("/api/collections/_superusers/auth-with-password",
                                     json={"identity": EMAIL, "password": PASSWORD})).json()["token"]
            r = await http.post("/api/collections", headers={"Authorization": token}, json={
                "name": "bench", "listRule": "", "viewRule": "", "createRule": "",
                "fields": [{"name": "title", "type": "text"}]})
            assert r.status_code == 200, r.text
            sent, clock = {}, {}
            expected = subscribers * creates

            async def create_all():
                clock["cpu0"], clock["start"] = cpu_seconds(proc.pid), time.perf_counter()
                for i in range(creates):
                    if rate:
                        await asyncio.sleep(max(0.0, clock["start"] + i / rate - time.perf_counter()))
                    sent[str(i)] = time.perf_counter()
                    r = await http.post("/api/collections/bench/records", json={"title": str(i)})
                    assert r.status_code == 200, r.text

            client_cpu = None
            if client:
                deliveries, client_cpu = await compiled_subscribers(client, port, subscribers, creates, processes,
                                                                    create_all)
            else:
                deliveries, ready, stop = [], asyncio.Semaphore(0), asyncio.Event()
                tasks = [asyncio.create_task(subscriber(port, "bench/*", deliveries, ready, stop))
                         for _ in range(subscribers)]
                for _ in range(subscribers):
                    await asyncio.wait_for(ready.acquire(), timeout=60)
                await create_all()
                deadline = time.perf_counter() + 60
                while len(deliveries) < expected and time.perf_counter() < deadline:
                    await asyncio.sleep(0.01)
                stop.set()
                await asyncio.gather(*tasks, return_exceptions=True)
            start = clock["start"]
            end = max((t for _, t in deliveries), default=time.perf_counter())
            cpu = cpu_seconds(proc.pid) - clock["cpu0"]
        latencies = sorted((t - sent[title]) * 1000 for title, t in deliveries if title in sent)
        return {
            "server": kind, "subscribers": subscribers, "creates": creates, "delivered": len(deliveries),
            "expected": expected, "events_per_s": len(deliveries) / (end - start) if end > start else 0,
            "p50_ms": statistics.median(latencies) if latencies else None,
            "p99_ms": latencies[int(len(latencies) * 0.99) - 1] if latencies else None,
            "cpu_us_per_event": cpu / max(1, len(deliveries)) * 1e6,
            "client_cpu_s": client_cpu,
        }
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        shutil.rmtree(tmp, ignore_errors=True)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--swiftbase", required=True)
    parser.add_argument("--pocketbase", required=True)
    parser.add_argument("--subscribers", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--creates", type=int, default=100)
    parser.add_argument("--client", choices=["compiled", "asyncio"], default="compiled")
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--json")
    args = parser.parse_args()
    client = build_client() if args.client == "compiled" else None
    results = []
    for n in args.subscribers:
        for kind, binary in (("swiftbase", args.swiftbase), ("pocketbase", args.pocketbase)):
            results.append(await run_one(kind, binary, n, args.creates, client, args.client_processes))
    print(f"{'server':<11}{'subs':>6}{'delivered':>12}{'events/s':>11}{'p50 ms':>9}{'p99 ms':>9}{'CPU µs/event':>14}"
          f"{'client CPU s':>14}")
    for r in results:
        client_cpu = f"{r['client_cpu_s']:.2f}" if r["client_cpu_s"] is not None else "-"
        print(f"{r['server']:<11}{r['subscribers']:>6}{r['delivered']:>7}/{r['expected']:<5}{r['events_per_s']:>10.0f}"
              f"{r['p50_ms'] or 0:>9.1f}{r['p99_ms'] or 0:>9.1f}{r['cpu_us_per_event']:>14.1f}{client_cpu:>14}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    asyncio.run(main())

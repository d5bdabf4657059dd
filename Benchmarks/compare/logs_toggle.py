#!/usr/bin/env python3
"""The cost of request logging, on/off on the same running servers (issue 18: "the REST benchmark loses ≤ 5 %
with logs on").

Each server given (one or more Swiftbase binaries — the old and the new build of an A/B — and PocketBase) is
started once on a loopback port and seeded as `http_scenarios.py` seeds it, and all stay up side by side. Then,
round by round, each server in turn runs the same bounded wrk load with request logs on and with them off,
toggled through `PATCH /api/settings` (`logs.maxDays` 5 or 0, as a superuser; 0 also prunes what was stored),
the order of the two sides and of the servers alternating from round to round so a drift in the machine's
load favours neither. Only one server is under load at a time.

Per side: requests per second, and the server's CPU per request — utime + stime from /proc/PID/stat from the
start of the load until `--settle` seconds after it, so entries the writer stores just after the load are
counted where they were made (the same wait on both sides). Reported per server and scenario: the per-round
on/off req/s ratios and µs/request of CPU that logging adds, with their medians and spread.

    .venv-it/bin/python Benchmarks/compare/logs_toggle.py --swiftbase new=.build/release/swiftbase \\
        [--swiftbase old=/tmp/swiftbase-old] [--pocketbase .venv-it/bin/pocketbase] [--rounds 5] \\
        [--duration 4] [--connections 16] [--scenarios view] [--json out.json]
"""
import argparse
import json
import os
import statistics
import tempfile
import time
from contextlib import ExitStack

import httpx

from bench_common import cpu_seconds
from http_scenarios import EMAIL, PASSWORD, SCENARIOS, Server, lua_script, run_wrk, seed


def set_logs(server, on):
    """Turns request logs on (`maxDays` 5) or off (0) on a running server, as a superuser."""
    with httpx.Client(base_url=server.url, timeout=30) as http:
        token = http.post("/api/collections/_superusers/auth-with-password",
                          json={"identity": EMAIL, "password": PASSWORD}).json()["token"]
        r = http.patch("/api/settings", json={"logs": {"maxDays": 5 if on else 0}},
                       headers={"Authorization": token})
        assert r.status_code == 200, r.text


def measure(server, script, connections, duration, settle):
    before = cpu_seconds(server.proc.pid)
    cell = run_wrk(server, script, connections, duration)
    time.sleep(settle)
    cell["server_cpu_us_per_req"] = (cpu_seconds(server.proc.pid) - before) / max(cell["requests"], 1) * 1e6
    return cell


def spread(values):
    return f"median {statistics.median(values):7.3f}  (min {min(values):.3f}, max {max(values):.3f})"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--swiftbase", action="append", default=[], metavar="NAME=BINARY",
                    help="a Swiftbase binary to measure, named (repeat for an A/B)")
    ap.add_argument("--pocketbase", help="also measure this PocketBase binary")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--duration", type=int, default=4, help="seconds of wrk per side")
    ap.add_argument("--settle", type=float, default=0.5, help="seconds after the load still counted in its CPU")
    ap.add_argument("--connections", type=int, nargs="+", default=[16])
    ap.add_argument("--scenarios", nargs="+", default=["view"], choices=SCENARIOS)
    ap.add_argument("--records", type=int, default=10_000)
    ap.add_argument("--json")
    args = ap.parse_args()
    if not args.swiftbase and not args.pocketbase:
        ap.error("give --swiftbase or --pocketbase")

    variants = [tuple(s.split("=", 1)) if "=" in s else (os.path.basename(s), s) for s in args.swiftbase]
    kinds = {name: "swiftbase" for name, _ in variants}
    if args.pocketbase:
        variants.append(("pocketbase", args.pocketbase))
        kinds["pocketbase"] = "pocketbase"
    cells = [(sc, c) for sc in args.scenarios for c in args.connections]
    results = {(name, sc, c): {"on": [], "off": []} for name, _ in variants for sc, c in cells}

    with ExitStack() as stack, tempfile.TemporaryDirectory() as scripts:
        servers = {}
        for name, binary in variants:
            server = stack.enter_context(Server(kinds[name], binary))
            posts, authors, users = seed(server, args.records, logs=True)
            servers[name] = server
            for sc in args.scenarios:
                path = os.path.join(scripts, f"{name}-{sc}.lua")
                with open(path, "w") as f:
                    f.write(lua_script(sc, posts, authors, users))
        for round_ in range(args.rounds):
            order = variants if round_ % 2 == 0 else variants[::-1]
            sides = [True, False] if round_ % 2 == 0 else [False, True]
            for name, _ in order:
                server = servers[name]
                for on in sides:
                    set_logs(server, on)
                    time.sleep(args.settle)
                    for sc, c in cells:
                        cell = measure(server, os.path.join(scripts, f"{name}-{sc}.lua"), c, args.duration,
                                       args.settle)
                        results[(name, sc, c)]["on" if on else "off"].append(cell)
                        side = "on " if on else "off"
                        print(f"round {round_ + 1}/{args.rounds} {name:10} {sc:6} c={c:<3} logs {side}"
                              f" {cell['rps']:9.0f} req/s {cell['server_cpu_us_per_req']:7.1f} us/req"
                              f" errors {cell['errors']}", flush=True)

    print()
    table = {}
    for (name, sc, c), sides in results.items():
        ratios = [on["rps"] / max(off["rps"], 1e-9) for on, off in zip(sides["on"], sides["off"])]
        added = [on["server_cpu_us_per_req"] - off["server_cpu_us_per_req"]
                 for on, off in zip(sides["on"], sides["off"])]
        on_us = [s["server_cpu_us_per_req"] for s in sides["on"]]
        off_us = [s["server_cpu_us_per_req"] for s in sides["off"]]
        print(f"{name:10} {sc:6} c={c:<3} on/off req/s   {spread(ratios)}")
        print(f"{'':10} {'':6} {'':4}  logging us/req {spread(added)}"
              f"   (on {statistics.median(on_us):.1f}, off {statistics.median(off_us):.1f} us/req)")
        print(f"{'':10} {'':6} {'':4}  req/s on {statistics.median(s['rps'] for s in sides['on']):.0f},"
              f" off {statistics.median(s['rps'] for s in sides['off']):.0f};"
              f" errors {sum(s['errors'] for s in sides['on'] + sides['off']):.0f}")
        table[f"{name}/{sc}/{c}"] = {"ratios": ratios, "added_us": added, "on": sides["on"], "off": sides["off"]}
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"args": vars(args), "table": table}, f, indent=1)


if __name__ == "__main__":
    main()

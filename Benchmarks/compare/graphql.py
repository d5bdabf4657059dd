#!/usr/bin/env python3
"""GraphQL against REST on the same Swiftbase server, same data, same run (issue 17's targets).

One server on a loopback port, seeded as http_scenarios.py seeds it (posts with an author relation), then the
same bounded wrk load per scenario and connection count:

    rest_view   GET  /api/collections/posts/records/{random id}?fields=id,title,views,published
    gql_by_pk   POST /api/graphql  { posts_by_pk(id: $id) { id title views published } }
    rest_plain  GET  /api/collections/posts/records?perPage=50&sort=-views&skipTotal=1
    rest_list   GET  /api/collections/posts/records?perPage=50&sort=-views&expand=author,comments_via_post&skipTotal=1
    gql_list    POST /api/graphql  { posts(limit: 50, order_by: {views: desc}) { id title views published
                                     author { name } comments_via_post { id body } } }
    gql_paged   the same with each post's comments paged: comments_via_post(order_by: {body: desc}, limit: 2)

Every post has 3 comments (a `comments` collection with a `post` relation). Reported per cell: req/s, p50, p99,
errors, server CPU per request; then the ratios issue 17 names: `posts_by_pk` ≥ 70 % of the REST view's
throughput, and the list of 50 posts with their author and 3 comments each within 2× the latency of the plain
REST list of 50 (`rest_plain`); the ratio to the REST list that expands the same data is printed beside it.
Timings are printed, never asserted.

    .venv-it/bin/python Benchmarks/compare/graphql.py --swiftbase .build-release/release/swiftbase \\
        [--connections 16] [--duration 5] [--runs 2] [--json out.json]
"""
import argparse
import json
import random
import os
import statistics
import tempfile

import httpx

from http_scenarios import EMAIL, PASSWORD, WRK_DONE, Server, run_wrk, seed

SCENARIOS = ["rest_view", "gql_by_pk", "rest_plain", "rest_list", "gql_list", "gql_paged"]
COMMENTS_PER_POST = 3


def lua_script(scenario, posts):
    ids = "{" + ",".join(f'"{i}"' for i in posts) + "}"
    head = f"local ids = {ids}\n"
    if scenario == "rest_view":
        body = """request = function()
  return wrk.format("GET", "/api/collections/posts/records/" .. ids[math.random(#ids)] .. "?fields=id,title,views,published")
end"""
    elif scenario == "gql_by_pk":
        body = """request = function()
  local b = '{"query":"query($id: String!) { posts_by_pk(id: $id) { id title views published } }","variables":{"id":"'
    .. ids[math.random(#ids)] .. '"}}'
  return wrk.format("POST", "/api/graphql", {["Content-Type"] = "application/json"}, b)
end"""
    elif scenario == "rest_plain":
        body = """request = function()
  return wrk.format("GET", "/api/collections/posts/records?perPage=50&sort=-views&skipTotal=1")
end"""
    elif scenario == "rest_list":
        body = """request = function()
  return wrk.format("GET", "/api/collections/posts/records?perPage=50&sort=-views&expand=author,comments_via_post&skipTotal=1")
end"""
    elif scenario == "gql_list":
        body = """request = function()
  local b = '{"query":"{ posts(limit: 50, order_by: {views: desc}) { id title views published author { name } '
    .. 'comments_via_post { id body } } }"}'
  return wrk.format("POST", "/api/graphql", {["Content-Type"] = "application/json"}, b)
end"""
    else:
        body = """request = function()
  local b = '{"query":"{ posts(limit: 50, order_by: {views: desc}) { id title views published author { name } '
    .. 'comments_via_post(order_by: {body: desc}, limit: 2) { id body } } }"}'
  return wrk.format("POST", "/api/graphql", {["Content-Type"] = "application/json"}, b)
end"""
    return head + body + "\n" + WRK_DONE


def seed_comments(server, posts):
    """`COMMENTS_PER_POST` comments on every post, through the batch API."""
    http = httpx.Client(base_url=server.url, timeout=60)
    http.headers["Authorization"] = http.post("/api/collections/_superusers/auth-with-password",
                                              json={"identity": EMAIL, "password": PASSWORD}).json()["token"]
    r = http.post("/api/collections", json={
        "name": "comments", "type": "base", "listRule": "", "viewRule": "",
        "fields": [{"name": "body", "type": "text"},
                   {"name": "post", "type": "relation", "collectionId": http.get("/api/collections/posts").json()["id"],
                    "maxSelect": 1}],
        "indexes": ["CREATE INDEX idx_comments_post ON comments (post)"]})
    assert r.status_code == 200, r.text
    rng = random.Random(2)
    requests = [{"method": "POST", "url": "/api/collections/comments/records",
                 "body": {"post": post, "body": f"comment {n} " + "dolor sit " * rng.randrange(1, 6)}}
                for post in posts for n in range(COMMENTS_PER_POST)]
    for i in range(0, len(requests), 200):
        r = http.post("/api/batch", json={"requests": requests[i:i + 200]})
        assert r.status_code == 200, r.text
    http.close()


def bench(binary, args):
    with Server("swiftbase", binary) as server:
        posts, _, _ = seed(server, args.records)
        seed_comments(server, posts)
        cells = {}
        with tempfile.TemporaryDirectory() as scripts:
            for scenario in args.scenarios:
                path = os.path.join(scripts, f"{scenario}.lua")
                with open(path, "w") as f:
                    f.write(lua_script(scenario, posts))
                for c in args.connections:
                    cells[f"{scenario}/{c}"] = cell = run_wrk(server, path, c, args.duration)
                    print(f"  {scenario:9} c={c:<3} {cell['rps']:9.0f} req/s  p50 {cell['p50_ms']:.2f} ms"
                          f"  errors {cell['errors']}", flush=True)
        return cells


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--swiftbase", required=True)
    ap.add_argument("--connections", type=int, nargs="+", default=[16])
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--records", type=int, default=10_000)
    ap.add_argument("--scenarios", nargs="+", choices=SCENARIOS, default=SCENARIOS)
    ap.add_argument("--json")
    args = ap.parse_args()

    runs = []
    for run in range(args.runs):
        print(f"run {run + 1}/{args.runs}", flush=True)
        runs.append(bench(args.swiftbase, args))
    median = {key: {m: statistics.median(r[key][m] for r in runs) for m in runs[0][key]} for key in runs[0]}

    print(f"\n{'scenario':9} {'conns':>5} | {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} {'cpu us/req':>10}")
    for key, m in median.items():
        scenario, c = key.split("/")
        print(f"{scenario:9} {c:>5} | {m['rps']:9.0f} {m['p50_ms']:8.2f} {m['p99_ms']:8.2f} {m['errors']:6.0f} "
              f"{m['server_cpu_us_per_req']:10.0f}")
    ratios = {}
    for c in args.connections:
        cell = {name: median.get(f"{name}/{c}") for name in SCENARIOS}
        ratios[c] = r = {}
        if cell["rest_view"] and cell["gql_by_pk"]:
            r["by_pk_throughput_vs_view"] = cell["gql_by_pk"]["rps"] / max(cell["rest_view"]["rps"], 1e-9)
            print(f"c={c}: posts_by_pk at {r['by_pk_throughput_vs_view']:.0%} of the REST view's req/s (target >= 70 %)")
        plain = cell["rest_plain"]
        for name in ["gql_list", "gql_paged"]:
            if plain and cell[name]:
                r[f"{name}_p50_vs_plain_rest"] = cell[name]["p50_ms"] / max(plain["p50_ms"], 1e-9)
                line = (f"c={c}: {name} (50 posts with author and comments) at {r[f'{name}_p50_vs_plain_rest']:.2f}x "
                        f"the plain REST list's p50 (target <= 2x)")
                if cell["rest_list"]:
                    r[f"{name}_p50_vs_expanding_rest"] = cell[name]["p50_ms"] / max(cell["rest_list"]["p50_ms"], 1e-9)
                    line += f", {r[f'{name}_p50_vs_expanding_rest']:.2f}x the REST list expanding the same"
                print(line)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"args": vars(args), "median": median, "ratios": ratios, "runs": runs}, f, indent=1)


if __name__ == "__main__":
    main()

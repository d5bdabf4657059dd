"""Swiftbase's time-series collections (issue 19 item 4; `Docs/TimeSeries.md`): the `timeseries` collection type and
its validation, the bulk endpoint (JSON array and NDJSON, all or nothing), the query endpoint (rollups chosen by the
step, raw points for the edges and for filters over values), rules, retention, the records API on points, and MQTT
ingest into points (paho-mqtt).

The judge of every aggregate is Python recomputing it from the raw points: through the records API (what a client
sees) and, for the rollup tables themselves, from the SQLite file read-only beside the running server."""
import json
import random
import sqlite3
import time
from datetime import datetime, timedelta, timezone

import paho.mqtt.client as mqtt
import pytest

from conftest import Api, _free_port, _server_kind, _start_server, assert_error, create_collection, superuser_token, \
    wait_until
from test_swiftbase_mqtt import TIMEOUT, Broker, Client, _wait_for_port, client_pool

MINUTE = 60_000
HOUR = 3_600_000
FIELDS = [
    {"name": "time", "type": "date"},
    {"name": "device", "type": "text"},
    {"name": "site", "type": "select", "values": ["north", "south"], "maxSelect": 1},
    {"name": "temp", "type": "number"},
    {"name": "hum", "type": "number"},
]


@pytest.fixture(scope="module")
def env(request):
    if _server_kind(request.config) != "swiftbase":
        pytest.skip("Swiftbase's own feature")
    port = _free_port()
    srv = _start_server(request.config, "timeseries", extra_args=["--mqtt", f"127.0.0.1:{port}"])
    try:
        _wait_for_port(port, srv.proc, srv.log_text)
        api = Api(srv.url, superuser_token(srv.url))
        yield {"api": api, "guest": Api(srv.url, None), "srv": srv, "broker": Broker("swiftbase", port, api, srv.port)}
    finally:
        err = srv.stop()
    assert err is None, err


_names = iter(range(1_000_000))


def series(env, **extra):
    body = {"name": f"ts_{next(_names)}_{random.randrange(1 << 30)}", "type": "timeseries", "fields": FIELDS,
            "listRule": "", "createRule": "", "updateRule": "", "deleteRule": "", "viewRule": ""}
    body.update(extra)
    return create_collection(env["api"], body)


def ms_text(ms):
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S.") + f"{ms % 1000:03d}Z"


def text_ms(text):
    return round(datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp() * 1000)


def post_points(api, coll, points, ndjson=False):
    path = f"/api/timeseries/{coll['name']}/points"
    if ndjson:
        body = "\n".join(json.dumps(p) for p in points) + "\n"
        return api.post(path, data=body, headers={"Content-Type": "application/x-ndjson"})
    return api.post(path, json=points)


def query(api, coll, **params):
    r = api.get(f"/api/timeseries/{coll['name']}/query", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def raw_points(api, coll):
    items, page = [], 1
    while True:
        r = api.get(f"/api/collections/{coll['name']}/records", params={"page": page, "perPage": 500})
        assert r.status_code == 200, r.text
        body = r.json()
        items += body["items"]
        if page >= body["totalPages"]:
            return items
        page += 1


def aggregate(points, start, end, step, group_by=(), keep=lambda p: True):
    """{(bucket, group): {field: {avg, min, max, count, sum, last}}} from raw records, as the query defines it."""
    cells = {}
    for p in points:
        t = text_ms(p["time"])
        if not (start <= t < end) or not keep(p):
            continue
        key = (t - t % step, tuple(p[g] for g in group_by))
        cell = cells.setdefault(key, {"count": 0, "lastTime": None, "v": {f: [] for f in ("temp", "hum")}, "last": {}})
        cell["count"] += 1
        for f in ("temp", "hum"):
            cell["v"][f].append(p[f])
        if cell["lastTime"] is None or t >= cell["lastTime"]:
            cell["lastTime"] = t
            cell["last"] = {f: p[f] for f in ("temp", "hum")}
    out = {}
    for key, cell in cells.items():
        out[key] = {f: {"avg": sum(v) / len(v), "min": min(v), "max": max(v), "count": len(v), "sum": sum(v),
                        "last": cell["last"][f]} for f, v in cell["v"].items()}
    return out


def answered(result, group_by=()):
    return {(text_ms(item["time"]), tuple(item["group"][g] for g in group_by)): item["values"]
            for item in result["items"]}


def assert_same(got, want):
    assert set(got) == set(want), (sorted(set(got) ^ set(want)))[:5]
    for key, fields in want.items():
        for field, aggs in fields.items():
            for agg, value in aggs.items():
                assert got[key][field][agg] == pytest.approx(value, rel=1e-9, abs=1e-9), (key, field, agg)


def random_points(rng, base, n, devices=("d1", "d2", "d3")):
    """Points over ~3 hours after `base`, with distinct times (so "last" has one answer)."""
    times = rng.sample(range(0, 3 * HOUR), n)
    return [{"time": ms_text(base + t), "device": rng.choice(devices), "site": rng.choice(["north", "south"]),
             "temp": round(rng.uniform(-20, 40), 3), "hum": rng.randrange(0, 100)} for t in times]


# --------------------------------------------------------------------------- collections
def test_timeseries_collections_are_validated_and_round_trip(env):
    api = env["api"]
    name = f"tsv_{random.randrange(1 << 30)}"
    bad = api.post("/api/collections", json={"name": name, "type": "timeseries", "fields": FIELDS + [
        {"name": "flag", "type": "bool"}, {"name": "tags", "type": "select", "values": ["a"], "maxSelect": 2}]})
    assert bad.status_code == 400, bad.text
    fields = bad.json()["data"]["fields"]
    codes = {k: v["type"]["code"] for k, v in fields.items()}
    assert set(codes.values()) == {"validation_timeseries_field_type"} and len(codes) == 2, fields

    no_time = api.post("/api/collections", json={"name": name, "type": "timeseries", "fields": FIELDS[1:]})
    assert no_time.status_code == 400
    assert no_time.json()["data"]["fields"]["code"] == "validation_timeseries_time_field"

    two_times = api.post("/api/collections", json={"name": name, "type": "timeseries",
                                                   "fields": FIELDS + [{"name": "seen", "type": "date"}]})
    assert two_times.status_code == 400
    assert two_times.json()["data"]["fields"]["6"]["type"]["code"] == "validation_timeseries_time_field"

    retention = api.post("/api/collections", json={"name": name, "type": "timeseries", "fields": FIELDS,
                                                   "timeseries": {"rawRetention": "7 days",
                                                                  "rollups": {"1m": "30x", "5m": "1d"}}})
    assert retention.status_code == 400
    data = retention.json()["data"]["timeseries"]
    assert data["rawRetention"]["code"] == "validation_invalid_retention"
    assert data["rollups"]["1m"]["code"] == "validation_invalid_retention"
    assert data["rollups"]["5m"]["code"] == "validation_unknown_rollup"

    wrong_shape = api.post("/api/collections", json={"name": name, "type": "timeseries", "fields": FIELDS,
                                                     "timeseries": "7d"})
    assert wrong_shape.status_code == 400

    created = create_collection(api, {"name": name, "type": "timeseries", "fields": FIELDS,
                                      "timeseries": {"rawRetention": "7d", "rollups": {"1m": "30d"}}})
    assert created["type"] == "timeseries"
    assert created["timeseries"] == {"rawRetention": "7d", "rollups": {"1m": "30d", "1h": ""}}
    time_field = next(f for f in created["fields"] if f["name"] == "time")
    assert time_field["required"] is True  # a point without a time has no bucket
    listed = api.get("/api/collections", params={"filter": f'name = "{name}"'}).json()["items"]
    assert listed[0]["timeseries"]["rawRetention"] == "7d"

    updated = api.patch(f"/api/collections/{name}", json={"timeseries": {"rollups": {"1h": "400d"}}})
    assert updated.status_code == 200, updated.text
    assert updated.json()["timeseries"] == {"rawRetention": "7d", "rollups": {"1m": "30d", "1h": "400d"}}
    refused = api.patch(f"/api/collections/{name}", json={"fields": FIELDS + [{"name": "extra", "type": "json"}]})
    assert refused.status_code == 400
    assert api.delete(f"/api/collections/{name}").status_code == 204

    imported = api.put("/api/collections/import", json={"collections": [
        {"name": name + "_imp", "type": "timeseries", "fields": FIELDS, "timeseries": {"rawRetention": "1d"}}],
        "deleteMissing": False})
    assert imported.status_code == 204, imported.text
    got = api.get(f"/api/collections/{name}_imp").json()
    assert got["type"] == "timeseries" and got["timeseries"]["rawRetention"] == "1d"
    assert api.delete(f"/api/collections/{name}_imp").status_code == 204


# --------------------------------------------------------------------------- bulk endpoint
def test_bulk_json_and_ndjson_store_points_listed_by_the_records_api(env):
    api = env["api"]
    coll = series(env)
    base = 1_700_000_000_000 - 1_700_000_000_000 % HOUR
    rng = random.Random(1)
    first, second = random_points(rng, base, 300), random_points(rng, base + 5 * HOUR, 200)
    r = post_points(api, coll, first)
    assert r.status_code == 200, r.text
    assert r.json() == {"inserted": 300}
    r = post_points(api, coll, second, ndjson=True)
    assert r.status_code == 200, r.text
    assert r.json() == {"inserted": 200}
    stored = raw_points(api, coll)
    assert len(stored) == 500
    assert {(p["time"], p["device"], p["temp"]) for p in stored} == \
        {(p["time"], p["device"], p["temp"]) for p in first + second}
    # The rollups saw every point.
    result = query(api, coll, **{"from": ms_text(base), "to": ms_text(base + 10 * HOUR), "step": "1h",
                                 "agg": "count"})
    assert result["source"] == "1h"
    assert sum(item["values"]["temp"]["count"] for item in result["items"]) == 500


def test_bulk_is_all_or_nothing_with_the_first_bad_points_errors(env):
    api = env["api"]
    coll = series(env)
    base = 1_700_000_000_000
    good = {"time": ms_text(base), "device": "d", "site": "north", "temp": 1, "hum": 2}
    r = post_points(api, coll, [good, good, {"device": "no time"}, {"time": ms_text(base), "site": "west"}])
    assert_error(r, 400, "Failed to create points.",
                 {"points": {"2": {"time": {"code": "validation_required", "message": "Cannot be blank."}}}})
    r = post_points(api, coll, [good, {"time": ms_text(base), "site": "west"}], ndjson=True)
    assert r.status_code == 400
    assert list(r.json()["data"]["points"]) == ["1"]
    assert "site" in r.json()["data"]["points"]["1"]
    # A duplicate id is the store refusing a row: its index and validation_not_unique.
    r = post_points(api, coll, [dict(good, id="abcdefghijklmno"), good, dict(good, id="abcdefghijklmno")])
    assert r.status_code == 400, r.text
    assert r.json()["data"]["points"]["2"]["id"]["code"] == "validation_not_unique"
    # Malformed bodies.
    for body, headers in ((b"{not json", {"Content-Type": "application/json"}),
                          (b'{"time": "2024-01-01"}', {"Content-Type": "application/json"}),
                          (b"[1, 2]", {"Content-Type": "application/json"}),
                          (b'{"time": "2024-01-01"}\nnope\n', {"Content-Type": "application/x-ndjson"})):
        r = api.post(f"/api/timeseries/{coll['name']}/points", data=body, headers=headers)
        assert r.status_code == 400, (body, r.text)
        assert r.json()["status"] == 400 and "message" in r.json() and "data" in r.json()
    assert raw_points(api, coll) == []
    assert query(api, coll, **{"from": ms_text(base - HOUR), "to": ms_text(base + HOUR)})["items"] == []
    # A base collection has no points endpoint.
    base_coll = create_collection(api, {"name": f"plain_{random.randrange(1 << 30)}", "fields": FIELDS[1:]})
    assert post_points(api, base_coll, [good]).status_code == 400
    assert api.post("/api/timeseries/nope/points", json=[good]).status_code == 404


# --------------------------------------------------------------------------- rollups and queries
def rollup_rows(env, coll, level):
    db = sqlite3.connect(f"file:{env['srv'].data_dir / 'data.db'}?mode=ro", uri=True)
    try:
        cols = ['":bucket"', '"device"', '"site"', '":count"', '":lastTime"'] + \
            [f'"{f}:{a}"' for f in ("temp", "hum") for a in ("sum", "min", "max", "last")]
        rows = db.execute(f'SELECT {", ".join(cols)} FROM "_ts_{coll["id"]}_{level}"').fetchall()
    finally:
        db.close()
    out = {}
    for row in rows:
        bucket, device, site, count, last_time = row[:5]
        values = row[5:]
        out[(bucket, (device, site))] = {
            f: {"sum": values[4 * i], "min": values[4 * i + 1], "max": values[4 * i + 2], "last": values[4 * i + 3],
                "count": count} for i, f in enumerate(("temp", "hum"))}
    return out


def assert_rollups_match_raw(env, coll, raw):
    for level, step in (("1m", MINUTE), ("1h", HOUR)):
        want = aggregate(raw, -(1 << 62), 1 << 62, step, ("device", "site"))
        for cell in want.values():
            for aggs in cell.values():
                del aggs["avg"]
        assert_same(rollup_rows(env, coll, level), want)


def test_rollups_equal_aggregates_recomputed_from_raw_points(env):
    api = env["api"]
    coll = series(env)
    rng = random.Random(19)
    base = 1_750_000_000_000 - 1_750_000_000_000 % HOUR
    points = random_points(rng, base, 2_000)
    # Out of order: shuffled, in batches of varied sizes.
    rng.shuffle(points)
    i = 0
    while i < len(points):
        n = rng.choice([1, 7, 150, 400])
        r = post_points(api, coll, points[i:i + n], ndjson=rng.random() < 0.5)
        assert r.status_code == 200, r.text
        i += n
    assert_rollups_match_raw(env, coll, raw_points(api, coll))

    # Updates (values, tags and times moved to other buckets) and deletes through the records API.
    stored = raw_points(api, coll)
    for p in rng.sample(stored, 60):
        change = rng.choice([{"temp": rng.uniform(-50, 50)}, {"device": "d9"},
                             {"time": ms_text(text_ms(p["time"]) + rng.randrange(-2 * HOUR, 2 * HOUR))}])
        r = api.patch(f"/api/collections/{coll['name']}/records/{p['id']}", json=change)
        assert r.status_code == 200, r.text
    for p in rng.sample(stored, 60):
        r = api.delete(f"/api/collections/{coll['name']}/records/{p['id']}")
        assert r.status_code in (204, 404), r.text
    raw = raw_points(api, coll)
    assert len(raw) == 1_940
    assert_rollups_match_raw(env, coll, raw)

    start, end = base - 3 * HOUR, base + 4 * HOUR
    # Whole-hour range at 1 h: the hourly rollup; at 1 min: the minute rollup; at 90 s: raw points.
    for step, step_ms, source in (("1h", HOUR, "1h"), ("1m", MINUTE, "1m"), ("5m", 5 * MINUTE, "1m"),
                                  ("90s", 90_000, "raw")):
        result = query(api, coll, **{"from": ms_text(start), "to": ms_text(end), "step": step,
                                     "agg": "avg,min,max,count,sum,last", "groupBy": "device,site"})
        assert result["source"] == source, step
        assert_same(answered(result, ("device", "site")), aggregate(raw, start, end, step_ms, ("device", "site")))
    # Edges off the rollup grid are read from raw points: still exact.
    odd_start, odd_end = base + 17 * MINUTE + 12_345, base + 2 * HOUR + 41 * MINUTE + 999
    result = query(api, coll, **{"from": ms_text(odd_start), "to": ms_text(odd_end), "step": "1h",
                                 "agg": "avg,min,max,count,sum,last"})
    assert result["source"] == "1h"
    assert_same(answered(result), aggregate(raw, odd_start, odd_end, HOUR))
    # A filter over tags keeps the rollups; a filter over a value sends the query to raw points.
    result = query(api, coll, **{"from": ms_text(start), "to": ms_text(end), "step": "1m", "agg": "sum,count",
                                 "filter": 'device = "d1" && site != "south"', "groupBy": "device"})
    assert result["source"] == "1m"
    keep = lambda p: p["device"] == "d1" and p["site"] != "south"
    want = {k: {f: {a: v[a] for a in ("sum", "count")} for f, v in fs.items()}
            for k, fs in aggregate(raw, start, end, MINUTE, ("device",), keep).items()}
    assert_same(answered(result, ("device",)), want)
    result = query(api, coll, **{"from": ms_text(start), "to": ms_text(end), "step": "1h", "agg": "max",
                                 "filter": "temp > 10"})
    assert result["source"] == "raw"
    want = {k: {f: {"max": v["max"]} for f, v in fs.items()}
            for k, fs in aggregate(raw, start, end, HOUR, (), lambda p: p["temp"] > 10).items()}
    assert_same(answered(result), want)
    # Only the asked fields and aggregates are answered.
    result = query(api, coll, **{"from": ms_text(start), "to": ms_text(end), "step": "1h", "agg": "last",
                                 "fields": "hum"})
    assert all(set(item["values"]) == {"hum"} and set(item["values"]["hum"]) == {"last"} for item in result["items"])


def test_query_parameters_are_validated(env):
    api = env["api"]
    coll = series(env)
    path = f"/api/timeseries/{coll['name']}/query"
    for params, key in (({"step": "1 minute"}, "step"), ({"step": "1s", "from": "2020-01-01", "to": "2024-01-01"},
                                                         "step"),
                        ({"agg": "median"}, "agg"), ({"from": "yesterday"}, "from"),
                        ({"from": "2024-01-02", "to": "2024-01-01"}, "to"), ({"groupBy": "temp"}, "groupBy"),
                        ({"fields": "device"}, "fields")):
        r = api.get(path, params=params)
        assert r.status_code == 400, (params, r.text)
        assert key in r.json()["data"], (params, r.json())
    r = api.get(path, params={"filter": "nope ="})
    assert r.status_code == 400
    assert api.get("/api/timeseries/nope/query").status_code == 404


# --------------------------------------------------------------------------- rules
def test_rules_apply_to_bulk_writes_and_queries(env):
    api, guest = env["api"], env["guest"]
    point = {"time": ms_text(1_700_000_000_000), "device": "d", "site": "north", "temp": 1, "hum": 1}
    locked = series(env, createRule=None, listRule=None)
    assert_error(post_points(guest, locked, [point]), 403, "Only superusers can perform this action.")
    assert_error(guest.get(f"/api/timeseries/{locked['name']}/query"), 403, "Only superusers can perform this action.")

    # A create rule over the body decides per point: the first point it refuses names the batch's failure.
    picky = series(env, createRule='@request.body.site = "north"', listRule='site = "north"')
    r = post_points(guest, picky, [point, dict(point, site="south"), point])
    assert r.status_code == 400, r.text
    assert r.json()["data"]["points"]["1"]["code"] == "validation_rule_failed"
    assert raw_points(api, picky) == []
    r = post_points(guest, picky, [point, dict(point, device="e")])
    assert r.status_code == 200, r.text
    r = post_points(api, picky, [dict(point, site="south")])  # superusers pass every rule
    assert r.status_code == 200, r.text
    # The list rule (over a tag) hides the south points from guests, and keeps the rollups.
    window = {"from": ms_text(1_700_000_000_000 - HOUR), "to": ms_text(1_700_000_000_000 + HOUR), "step": "1h",
              "agg": "count", "groupBy": "site"}
    as_guest = query(guest, picky, **window)
    assert as_guest["source"] == "1h"
    assert {item["group"]["site"]: item["values"]["temp"]["count"] for item in as_guest["items"]} == {"north": 2}
    as_su = query(api, picky, **window)
    assert {item["group"]["site"]: item["values"]["temp"]["count"] for item in as_su["items"]} == \
        {"north": 2, "south": 1}

    # An auth-only create rule refuses guests point by point (the first one).
    authed = series(env, createRule='@request.auth.id != ""')
    r = post_points(guest, authed, [point])
    assert r.status_code == 400
    assert r.json()["data"]["points"]["0"]["code"] == "validation_rule_failed"


# --------------------------------------------------------------------------- records API on points
def test_records_api_and_sdk_on_points_keep_rollups_exact(env):
    from pocketbase import PocketBase
    api = env["api"]
    coll = series(env)
    pb = PocketBase(env["srv"].url)
    base = 1_720_000_000_000 - 1_720_000_000_000 % HOUR
    made = [pb.collection(coll["name"]).create({"time": ms_text(base + i * 1000), "device": "sdk", "site": "north",
                                                "temp": i, "hum": 10 * i}) for i in range(5)]
    assert [m.temp for m in made] == [0, 1, 2, 3, 4]
    listed = pb.collection(coll["name"]).get_full_list()
    assert len(listed) == 5
    one = pb.collection(coll["name"]).get_one(made[2].id)
    assert one.hum == 20
    pb.collection(coll["name"]).update(made[4].id, {"temp": 100})
    pb.collection(coll["name"]).delete(made[0].id)
    # Without a time the record API refuses the point.
    r = api.post(f"/api/collections/{coll['name']}/records", json={"device": "x"})
    assert r.status_code == 400 and r.json()["data"]["time"]["code"] == "validation_required"
    result = query(api, coll, **{"from": ms_text(base), "to": ms_text(base + HOUR), "step": "1m",
                                 "agg": "count,sum,min,max,last"})
    assert result["source"] == "1m"
    (item,) = result["items"]
    assert item["values"]["temp"] == {"count": 4, "sum": 1 + 2 + 3 + 100, "min": 1, "max": 100, "last": 100}
    assert_rollups_match_raw(env, coll, raw_points(api, coll))
    # Points keep no change log: the change feed saw none of them.
    changes = api.get("/api/changes", params={"collection": coll["name"]})
    if changes.status_code == 200:
        body = changes.json()
        entries = body.get("items", body.get("changes", []))
        assert [e for e in entries if e.get("collectionName") == coll["name"] or
                e.get("collectionId") == coll["id"]] == []


# --------------------------------------------------------------------------- retention
def test_retention_prunes_raw_points_and_rollups_by_level(env):
    api = env["api"]
    coll = series(env, timeseries={"rawRetention": "1d", "rollups": {"1m": "2d", "1h": ""}})
    now = int(time.time() * 1000)
    hour_ago, day_and_half, three_days = now - HOUR, now - 36 * HOUR, now - 72 * HOUR
    points = [{"time": ms_text(t), "device": "r", "site": "north", "temp": v, "hum": 0}
              for t, v in ((hour_ago, 1), (day_and_half, 2), (three_days, 3))]
    assert post_points(api, coll, points).status_code == 200
    r = api.post("/api/crons/__sbTimeSeriesRetention__")
    assert r.status_code == 204, r.text
    assert [p["temp"] for p in raw_points(api, coll)] == [1]
    minute = rollup_rows(env, coll, "1m")
    assert sorted(cell["temp"]["sum"] for cell in minute.values()) == [1, 2]
    hour = rollup_rows(env, coll, "1h")
    assert sorted(cell["temp"]["sum"] for cell in hour.values()) == [1, 2, 3]
    # The query still answers old ranges from the rollups that outlive the raw points.
    start = now - 96 * HOUR - now % HOUR
    result = query(api, coll, **{"from": ms_text(start), "to": ms_text(now - now % HOUR + HOUR), "step": "1h",
                                 "agg": "sum"})
    assert sorted(item["values"]["temp"]["sum"] for item in result["items"]) == [1, 2, 3]


# --------------------------------------------------------------------------- MQTT ingest
@pytest.fixture()
def clients(env):
    yield from client_pool(lambda protocol=mqtt.MQTTv5, **kwargs: Client(env["broker"], protocol, **kwargs))


def test_mqtt_ingest_routes_write_points(env, clients):
    api = env["api"]
    coll = series(env)
    r = api.patch("/api/settings", json={"mqtt": {"allowAnonymous": True, "ingest": [
        {"topic": "plant/+/+/reading", "collection": coll["name"],
         "fields": {"site": "topic[1]", "device": "topic[2]", "temp": "$.t", "hum": "$.h", "time": "$.at"}},
        {"topic": "live/+", "collection": coll["name"], "fields": {"device": "topic[1]", "temp": "$"}}]}})
    assert r.status_code == 200, r.text
    base = 1_730_000_000_000 - 1_730_000_000_000 % HOUR
    rng = random.Random(7)
    sent = []
    publisher = clients(mqtt.MQTTv5, username="su", password=api.token)
    for i in range(400):
        site, device = rng.choice(["north", "south"]), rng.choice(["m1", "m2"])
        p = {"t": round(rng.uniform(0, 30), 2), "h": rng.randrange(100), "at": ms_text(base + i * 4_000)}
        sent.append({"time": p["at"], "device": device, "site": site, "temp": p["t"], "hum": p["h"]})
        publisher.publish(f"plant/{site}/{device}/reading", json.dumps(p), qos=1)
    # A bad point (a site outside the select's values) is dropped alone.
    publisher.publish("plant/west/m1/reading", json.dumps({"t": 1, "h": 1, "at": ms_text(base)}), qos=1)
    # Without a time in the route, the time the message was handled.
    old = mqtt.MQTTv311
    device = clients(old)
    device.publish("live/m3", "21.5", qos=1)
    window = {"from": ms_text(base), "to": ms_text(base + 2 * HOUR), "step": "1m",
              "agg": "avg,min,max,count,sum,last", "groupBy": "device,site"}
    wait_until(lambda: sum(i["values"]["temp"]["count"] for i in query(api, coll, **window)["items"]) >= 400,
               timeout=TIMEOUT, what="400 points ingested over MQTT")
    result = query(api, coll, **window)
    assert_same(answered(result, ("device", "site")),
                aggregate(sent, base, base + 2 * HOUR, MINUTE, ("device", "site")))
    wait_until(lambda: any(p["device"] == "m3" for p in raw_points(api, coll)), timeout=TIMEOUT,
               what="the point stamped on arrival")
    (live,) = [p for p in raw_points(api, coll) if p["device"] == "m3"]
    assert live["temp"] == 21.5
    assert abs(text_ms(live["time"]) - time.time() * 1000) < 5 * 60_000
    assert not [p for p in raw_points(api, coll) if p["site"] == "west"]
    assert_rollups_match_raw(env, coll, raw_points(api, coll))

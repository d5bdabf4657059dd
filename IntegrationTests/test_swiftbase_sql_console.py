"""(Swiftbase only) What the SQL console adds to PocketBase's: a query cannot break the server. It runs on a
connection of its own within `--sqlTimeout` (2 s here), so a runaway query is interrupted and whatever it did
to its connection goes with it; `ATTACH` is refused (PocketBase allows it); a long read does not hold record
writes back and a long write holds them only until it ends, never failing them; every run is audited."""
import threading
import time

import pytest
import requests

from conftest import Api, _server_kind, _start_server, assert_error, create_collection, new_record, superuser_token, unique_name

ENDLESS = "with recursive c(x) as (select 1 union all select x + 1 from c) "
RAW = "Failed to execute query. Raw error:\n"


@pytest.fixture(scope="module")
def sb(request):
    if _server_kind(request.config) != "swiftbase":
        pytest.skip("a Swiftbase extension: PocketBase has no such behaviour")
    srv = _start_server(request.config, "sqlconsole", extra_args=["--sqlTimeout", "2"])
    yield srv
    err = srv.stop()
    assert err is None, err


@pytest.fixture(scope="module")
def su(sb):
    return Api(sb.url, superuser_token(sb.url))


def run(su, query):
    return su.post("/api/sql", json={"query": query}, timeout=60)


def rows(su, query):
    r = run(su, query)
    assert r.status_code == 200, r.text
    return r.json()["rows"]


def test_attach_is_refused_and_creates_no_file(su, sb):
    target = sb.tmp / "attached.db"
    assert_error(run(su, f"attach database '{target}' as other"), 400,
                 RAW + "authorization denied: not authorized (23).", {})
    assert not target.exists()
    assert_error(run(su, f"vacuum into '{target}'"), 400)
    assert not target.exists()


def test_a_runaway_read_is_interrupted_at_the_deadline(su):
    started = time.monotonic()
    assert_error(run(su, ENDLESS + "select count(*) from c"), 400, RAW + "interrupted: interrupted (9).", {})
    elapsed = time.monotonic() - started
    assert 1.5 <= elapsed < 20, elapsed
    assert rows(su, "select 1") == [["1"]]


def test_a_long_read_does_not_hold_record_writes_back(su):
    coll = create_collection(su, {"name": unique_name("sql_side"), "fields": [{"name": "n", "type": "number"}]})
    answers = []
    reader = threading.Thread(target=lambda: answers.append(run(su, ENDLESS + "select max(x) from c")))
    reader.start()
    try:
        rec = new_record(su, coll, n=1)
        written_while_reading = reader.is_alive()
    finally:
        reader.join(timeout=30)
    assert written_while_reading, "the write should have been answered while the console query ran"
    assert answers and answers[0].status_code == 400 and "interrupted" in answers[0].json()["message"]
    assert su.get(f"/api/collections/{coll['name']}/records/{rec['id']}").status_code == 200


def test_a_long_write_is_rolled_back_and_record_writes_wait_for_it(su):
    table = unique_name("sql_long")
    rows(su, f"create table {table} (x int)")
    coll = create_collection(su, {"name": unique_name("sql_wait"), "fields": [{"name": "n", "type": "number"}]})
    answers = []
    writer = threading.Thread(
        target=lambda: answers.append(run(su, f"insert into {table} {ENDLESS}select x from c")))
    writer.start()
    try:
        created = [new_record(su, coll, n=i) for i in range(3)]
    finally:
        writer.join(timeout=30)
    assert answers and answers[0].status_code == 400, answers and answers[0].text
    assert "interrupted" in answers[0].json()["message"]
    assert rows(su, f"select count(*) from {table}") == [["0"]]
    listed = su.get(f"/api/collections/{coll['name']}/records").json()["items"]
    assert sorted(r["id"] for r in listed) == sorted(r["id"] for r in created)


def test_what_a_query_does_to_its_connection_goes_with_it(su):
    table = unique_name("sql_state")
    rows(su, "pragma query_only = 1")
    rows(su, f"create table {table} (x int)")  # not read-only: a fresh connection
    rows(su, "begin")
    rows(su, "create temp table scratch (x int)")
    assert_error(run(su, "select * from scratch"), 400, RAW + "SQL logic error: no such table: scratch (1).", {})
    rows(su, f"insert into {table} values (1)")
    assert rows(su, f"select x from {table}") == [["1"]]
    # The file stays in WAL mode whatever a query asks.
    run(su, "pragma journal_mode = delete")
    assert rows(su, "pragma journal_mode") == [["wal"]]


def test_every_run_is_audited(su):
    marker = unique_name("audited")
    rows(su, f"select '{marker}'")
    run(su, f"select * from {marker}")

    def entries():
        r = su.get("/api/audit", params={"event": "sql.run", "perPage": 50})
        assert r.status_code == 200, r.text
        return [e for e in r.json()["items"] if marker in e["details"].get("query", "")]

    found = entries()
    assert len(found) == 2, found
    failed, ok = found  # newest first
    assert ok["details"]["rows"] == 1 and ok["actor"].startswith("_superusers:")
    assert "no such table" in failed["details"]["error"]

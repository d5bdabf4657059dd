"""The superuser SQL console, `POST /api/sql` (PocketBase's JS SDK `pb.sql.run`), as PocketBase 0.40.6 answers
it: who may call it, the form's validation, the answer's shape (every value as text, as PocketBase's driver
scans it), the 1,000-row cap, write queries in one transaction, multiple statements, and the raw errors."""
import pytest

from conftest import assert_error, create_collection, new_record, unique_name

LOAD_FAILED = "An error occurred while loading the submitted data."
INVALID = "An error occurred while validating the submitted data."


def run(api, query, **kw):
    return api.post("/api/sql", json={"query": query}, **kw)


def ok(api, query):
    r = run(api, query)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"execTime", "affectedRows", "columns", "rows"}, body
    assert isinstance(body["execTime"], int) and body["execTime"] >= 0, body
    return body


def raw_error(api, query, raw):
    return assert_error(run(api, query), 400, "Failed to execute query. Raw error:\n" + raw, {})


@pytest.fixture(scope="module")
def member_token(api, guest):
    coll = create_collection(api, {"name": unique_name("sql_members"), "type": "auth", "fields": [],
                                   "createRule": ""})
    email = unique_name("m") + "@example.com"
    new_record(api, coll, email=email, password="pass-12345678", passwordConfirm="pass-12345678")
    r = guest.post(f"/api/collections/{coll['name']}/auth-with-password",
                   json={"identity": email, "password": "pass-12345678"})
    assert r.status_code == 200, r.text
    return r.json()["token"]


def test_superusers_only(guest, member_token):
    assert_error(run(guest, "select 1", auth=False), 401,
                 "The request requires valid record authorization token.", {})
    assert_error(run(guest, "select 1", auth=False, headers={"Authorization": member_token}), 403,
                 "The authorized record is not allowed to perform this action.", {})
    r = guest.get("/api/sql", auth=False)
    assert r.status_code == 404


def test_select_answers_columns_and_rows_as_text(api):
    body = ok(api, "select 1")
    assert body == {"execTime": body["execTime"], "affectedRows": 0,
                    "columns": [{"name": "1", "type": "", "nullable": True}], "rows": [["1"]]}
    body = ok(api, "select 1 as a, 'x' as b, 2.5 as c, null as d, 1e20 as e, -0.0 as f, 0.00001 as g, "
                   "123456.0 as h, 1234567.0 as i, x'414243' as j, 9223372036854775807 as k, 1.0 as l, "
                   "0.0001 as m, 'é😀' as n")
    assert [c["name"] for c in body["columns"]] == list("abcdefghijklmn")
    assert all(c == {"name": c["name"], "type": "", "nullable": True} for c in body["columns"])
    assert body["rows"] == [["1", "x", "2.5", None, "1e+20", "-0", "1e-05", "123456", "1.234567e+06", "ABC",
                             "9223372036854775807", "1", "0.0001", "é😀"]]
    assert ok(api, "select 1 where 0")["rows"] == []


def test_declared_column_types_come_upper_cased(api):
    table = unique_name("sql_types")
    ok(api, f"create table {table} (id int primary key, name text, flag boolean, score real, amount numeric, "
            f"doc json, raw blob, code varchar(10) not null default '')")
    body = ok(api, f"insert into {table} (id, name, flag, score, amount, doc, raw) values "
                   f"(1, 'a', 1, 1.5, 3, '{{\"x\":1}}', x'4142'), (2, null, 0, 1e21, 0.1, null, null)")
    assert body["affectedRows"] == 2 and body["columns"] == [] and body["rows"] == []
    body = ok(api, f"select * from {table} order by id")
    assert [(c["name"], c["type"]) for c in body["columns"]] == [
        ("id", "INT"), ("name", "TEXT"), ("flag", "BOOLEAN"), ("score", "REAL"), ("amount", "NUMERIC"),
        ("doc", "JSON"), ("raw", "BLOB"), ("code", "VARCHAR(10)")]
    assert body["rows"] == [["1", "a", "1", "1.5", "3", '{"x":1}', "AB", ""],
                            ["2", None, "0", "1e+21", "0.1", None, None, ""]]
    # Same name twice, and an expression over a column, keep their own types.
    body = ok(api, f"select id as A, id as A, id + 1 as B from {table} where id = 1")
    assert body["columns"] == [{"name": "A", "type": "INT", "nullable": True},
                               {"name": "A", "type": "INT", "nullable": True},
                               {"name": "B", "type": "", "nullable": True}]
    assert body["rows"] == [["1", "1", "2"]]
    ok(api, f"drop table {table}")


def test_the_query_is_required_and_at_most_5000_characters(api):
    required = {"query": {"code": "validation_required", "message": "Cannot be blank."}}
    assert_error(run(api, ""), 400, INVALID, required)
    assert_error(api.post("/api/sql", json={}), 400, INVALID, required)
    assert_error(api.post("/api/sql", json={"query": None}), 400, INVALID, required)
    assert_error(run(api, "a" * 5001), 400, INVALID, {"query": {
        "code": "validation_length_too_long", "message": "The length must be no more than 5000.",
        "params": {"max": 5000, "min": 0}}})
    # Counted in bytes (PocketBase's check does): 5,000 fit, 5,001 do not.
    body = ok(api, "select '" + "é" * 2492 + "a' as id")
    assert body["columns"] == [{"name": "id", "type": "", "nullable": True}]
    assert body["rows"] == [["é" * 2492 + "a"]]
    assert_error(run(api, "select '" + "é" * 2493 + "' as id"), 400, INVALID)
    raw_error(api, "   \n ", "empty query.")
    for bad in (5, True, ["select 1"], {"q": 1}):
        assert_error(api.post("/api/sql", json={"query": bad}), 400, LOAD_FAILED, {})
    r = api.post("/api/sql", data="query=select+2", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200, r.text
    assert r.json()["rows"] == [["2"]]


def test_database_errors_come_raw(api):
    raw_error(api, "invalid", 'SQL logic error: near "invalid": syntax error (1).')
    raw_error(api, "select * from sql_no_such_table", "SQL logic error: no such table: sql_no_such_table (1).")
    raw_error(api, "insert into sql_no_such_table values (1)",
              "SQL logic error: no such table: sql_no_such_table (1).")
    raw_error(api, "select abs(-9223372036854775808)", "SQL logic error: integer overflow (1).")
    table = unique_name("sql_unique")
    ok(api, f"create table {table} (id int primary key)")
    ok(api, f"insert into {table} values (1)")
    raw_error(api, f"insert into {table} values (1)", f"constraint failed: UNIQUE constraint failed: {table}.id (1555).")
    raw_error(api, "rollback", "SQL logic error: cannot rollback - no transaction is active (1).")
    ok(api, f"drop table {table}")


def test_a_write_query_runs_in_one_transaction(api):
    table = unique_name("sql_tx")
    body = ok(api, f"create table {table} (id int primary key); insert into {table} (id) values (1), (2)")
    assert body["affectedRows"] == 2 and body["columns"] == [] and body["rows"] == []
    # The last statement's changes, not the sum; rows a write query reads are not answered.
    assert ok(api, f"insert into {table} values (3), (4); insert into {table} values (5)")["affectedRows"] == 1
    assert ok(api, f"update {table} set id = id + 10 where id > 3; select * from {table}")["rows"] == []
    assert ok(api, f"  DELETE from {table} where id = 15")["affectedRows"] == 1
    assert ok(api, f"replace into {table} values (1)")["affectedRows"] == 1
    assert ok(api, f"select id from {table} order by id")["rows"] == [["1"], ["2"], ["3"], ["14"]]
    # One failing statement undoes the others.
    other = unique_name("sql_tx_gone")
    raw_error(api, f"create table {other} (id int); insert into {table} values (99); invalid",
              'SQL logic error: near "invalid": syntax error (1).')
    raw_error(api, f"select * from {other}", f"SQL logic error: no such table: {other} (1).")
    assert ok(api, f"select count(*) from {table} where id = 99")["rows"] == [["0"]]
    ok(api, f"alter table {table} add column note text")
    assert [c["name"] for c in ok(api, f"select * from {table} limit 1")["columns"]] == ["id", "note"]
    ok(api, f"drop table {table}")


def test_a_read_query_answers_its_last_statement(api):
    body = ok(api, "select 1; select 2 as two")
    assert body["columns"] == [{"name": "two", "type": "", "nullable": True}] and body["rows"] == [["2"]]
    assert ok(api, "select 1;")["rows"] == [["1"]]
    assert ok(api, "select 1; ;")["rows"] == [["1"]]
    body = ok(api, ";")
    assert body["columns"] == [] and body["rows"] == []
    assert ok(api, "SeLeCt 3")["rows"] == [["3"]]
    assert ok(api, "with x(v) as (select 7) select v from x")["rows"] == [["7"]]


def test_a_read_query_that_writes_is_not_counted(api):
    table = unique_name("sql_cte")
    ok(api, f"create table {table} (v int)")
    body = ok(api, f"with x(v) as (select 1) insert into {table} select v from x")
    assert body["affectedRows"] == 0 and body["columns"] == [] and body["rows"] == []
    assert ok(api, f"-- a comment first\ninsert into {table} values (2)")["affectedRows"] == 0
    assert ok(api, f"select v from {table} order by v")["rows"] == [["1"], ["2"]]
    ok(api, f"drop table {table}")


def test_at_most_1000_rows(api):
    body = ok(api, "with recursive c(x) as (select 1 union all select x + 1 from c limit 1500) select x from c")
    assert len(body["rows"]) == 1000
    assert body["rows"][0] == ["1"] and body["rows"][-1] == ["1000"]


def test_pragmas_and_system_tables(api):
    body = ok(api, "select id, email, verified from _superusers where email = 'it-admin@example.com'")
    assert [(c["name"], c["type"]) for c in body["columns"]] == [("id", "TEXT"), ("email", "TEXT"),
                                                                 ("verified", "BOOLEAN")]
    assert body["rows"][0][1:] == ["it-admin@example.com", "1"]
    table = unique_name("sql_pragma")
    ok(api, f"create table {table} (id int primary key, name text)")
    body = ok(api, f"pragma table_info({table})")
    assert [c["name"] for c in body["columns"]] == ["cid", "name", "type", "notnull", "dflt_value", "pk"]
    assert body["rows"] == [["0", "id", "INT", "0", None, "1"], ["1", "name", "TEXT", "0", None, "0"]]
    ok(api, f"drop table {table}")


def test_the_records_api_sees_what_the_console_wrote(api):
    coll = create_collection(api, {"name": unique_name("sql_notes"), "listRule": "", "viewRule": "",
                                   "fields": [{"name": "title", "type": "text"}]})
    rec = new_record(api, coll, title="before")
    assert ok(api, f"update {coll['name']} set title = 'after' where id = '{rec['id']}'")["affectedRows"] == 1
    r = api.get(f"/api/collections/{coll['name']}/records/{rec['id']}")
    assert r.status_code == 200 and r.json()["title"] == "after", r.text
    body = ok(api, f"select id, title from {coll['name']}")
    assert body["rows"] == [[rec["id"], "after"]]
    assert [c["type"] for c in body["columns"]] == ["TEXT", "TEXT"]


def test_text_in_time_columns_is_read_as_a_time(api):
    """PocketBase's driver reads text in DATE/DATETIME/TIMESTAMP columns as a time and prints it as Go does;
    other values, and text in none of its layouts, come back as stored."""
    table = unique_name("sql_times")
    ok(api, f"create table {table} (id int, d datetime, e date, f timestamp, g text)")
    ok(api, f"""insert into {table} values
        (1, '2024-01-01 10:00:00', '2024-01-02', '2024-01-01T10:00:00.5+02:00', '2024-01-01 10:00:00'),
        (2, '2024-01-01 10:00:00.123456789Z', 'nope', '2024-01-01 10:00', ''),
        (3, 1700000000, 1.5, x'41', null),
        (4, '2024-01-01 10:00:00.000Z', '2024-13-01', '2024-01-01T10:00:00-07:00', ''),
        (5, '2024-02-29 23:59:59+00:00', '2023-02-29', '2024-01-01 10:00:00.1234567891', 'x')""")
    body = ok(api, f"select * from {table} order by id")
    assert body["rows"] == [
        ["1", "2024-01-01T10:00:00Z", "2024-01-02T00:00:00Z", "2024-01-01T10:00:00.5+02:00", "2024-01-01 10:00:00"],
        ["2", "2024-01-01T10:00:00.123456789Z", "nope", "2024-01-01T10:00:00Z", ""],
        ["3", "1700000000", "1.5", "A", None],
        ["4", "2024-01-01T10:00:00Z", "2024-13-01", "2024-01-01T10:00:00-07:00", ""],
        ["5", "2024-02-29T23:59:59Z", "2023-02-29", "2024-01-01T10:00:00.123456789Z", "x"]]
    # An expression over the column has no declared type: as stored.
    assert ok(api, f"select d || '' from {table} where id = 1")["rows"] == [["2024-01-01 10:00:00"]]
    ok(api, f"drop table {table}")

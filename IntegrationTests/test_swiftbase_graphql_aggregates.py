"""Swiftbase beyond PocketBase: GraphQL aggregates (`sales_aggregate`, Hasura's) and grouped aggregates
(`sales_group_by`, beyond Hasura), driven with the real `gql` client.

Every figure is checked against the same figure computed in Python from what REST lists to the same identity:
the list rule applies to aggregates exactly as to lists, so a guest's sum is the sum of the rows a guest sees."""
import random
from collections import defaultdict

import pytest

from conftest import Api, create_collection, new_record, records, unique_name
from own_server_fixtures import api, server, su_token  # noqa: F401  (a server of its own: see there)
from test_swiftbase_graphql import PASSWORD, client, login, run, run_error

pytestmark = pytest.mark.usefixtures("swiftbase_only")

REGIONS = ["north", "south", "east"]


@pytest.fixture(scope="module")
def shop(server, api):
    """people (auth) ← sales: 48 seeded sales, a third of them private to their seller."""
    people = create_collection(api, {
        "name": unique_name("ag_people"), "type": "auth", "listRule": "", "viewRule": "",
        "fields": [{"name": "name", "type": "text"}]})
    sales = create_collection(api, {
        "name": unique_name("ag_sales"),
        "listRule": "public = true || seller = @request.auth.id", "viewRule": "public = true",
        "fields": [
            {"name": "product", "type": "text"},
            {"name": "region", "type": "select", "values": REGIONS, "maxSelect": 1},
            {"name": "amount", "type": "number"},
            {"name": "qty", "type": "number", "onlyInt": True},
            {"name": "sold", "type": "date"},
            {"name": "public", "type": "bool"},
            {"name": "seller", "type": "relation", "collectionId": people["id"], "maxSelect": 1},
            {"name": "labels", "type": "select", "values": ["x", "y"], "maxSelect": 2},
            {"name": "note", "type": "text", "hidden": True},
        ]})
    sellers = [new_record(api, people, email=f"{who}-{unique_name('s')}@example.com", password=PASSWORD,
                          passwordConfirm=PASSWORD, name=who) for who in ("ann", "bob")]
    rng = random.Random(20261206)
    for i in range(48):
        new_record(api, sales, product=f"p{rng.randrange(6)}", region=rng.choice(REGIONS),
                   amount=round(rng.uniform(-20, 200), 2), qty=rng.randrange(1, 9),
                   sold=f"2026-{rng.randrange(1, 13):02d}-{rng.randrange(1, 28):02d} 10:00:00.000Z",
                   public=i % 3 != 0, seller=sellers[i % 2]["id"], labels=["x"], note=f"n{i}")
    return {"people": people, "sales": sales, "sellers": sellers}


def identities(server, api, shop):
    key = api.post("/api/keys", json={"name": unique_name("agkey"), "scopes": [
        {"collection": shop["sales"]["name"], "actions": ["list"]}]})
    assert key.status_code == 200, key.text
    return {
        "guest": None,
        "ann": login(server, shop["people"], shop["sellers"][0]["email"]),
        "bob": login(server, shop["people"], shop["sellers"][1]["email"]),
        "superuser": api.token,
        "api key": "Bearer " + key.json()["key"],
    }


def rest_items(server, token, shop, **params):
    r = Api(server.url, token).get(records(shop["sales"]), params={"perPage": 500, **params})
    assert r.status_code == 200, r.text
    return r.json()["items"]


def figures(items):
    """What the aggregate query below asks, computed from REST's records."""
    amounts = [i["amount"] for i in items]
    return {
        "count": len(items),
        "regions": len({i["region"] for i in items}),
        "sum": sum(amounts) if items else None,
        "qty": sum(i["qty"] for i in items) if items else None,
        "avg": sum(amounts) / len(amounts) if items else None,
        "min": min(amounts) if items else None,
        "max": max(amounts) if items else None,
        "first": min(i["sold"] for i in items) if items else None,
        "last": max(i["sold"] for i in items) if items else None,
        "product": min(i["product"] for i in items) if items else None,
    }


AGGREGATE = """{ fields } regions: count(columns: [region], distinct: true)
    sum { amount qty } avg { amount } min { amount sold product } max { amount sold }"""


def answered(aggregate):
    return {
        "count": aggregate["count"], "regions": aggregate["regions"],
        "sum": aggregate["sum"]["amount"], "qty": aggregate["sum"]["qty"], "avg": aggregate["avg"]["amount"],
        "min": aggregate["min"]["amount"], "max": aggregate["max"]["amount"],
        "first": aggregate["min"]["sold"], "last": aggregate["max"]["sold"], "product": aggregate["min"]["product"],
    }


def assert_same(got, expected, who):
    assert set(got) == set(expected), who
    for key, value in expected.items():
        if isinstance(value, float):
            assert got[key] == pytest.approx(value, rel=1e-9, abs=1e-9), (who, key)
        else:
            assert got[key] == value, (who, key)


def test_aggregates_equal_rest_figures_for_every_identity(server, api, shop):
    s = shop["sales"]["name"]
    seen = {}
    for who, token in identities(server, api, shop).items():
        items = rest_items(server, token, shop)
        got = run(client(server, token, schema=who == "superuser"),
                  f"{{ {s}_aggregate {{ aggregate {{ count {AGGREGATE.replace('{ fields }', '')} }} }} }}")
        assert_same(answered(got[f"{s}_aggregate"]["aggregate"]), figures(items), who)
        seen[who] = len(items)
    # The rule decides: a guest counts the public sales only, a seller also their own private ones.
    assert seen["guest"] == 32 and seen["ann"] == 40 and seen["bob"] == 40 and seen["superuser"] == 48, seen
    assert seen["api key"] == 48  # a list-scoped key acts with superuser-like reach on its collection, as in REST


def test_where_filter_order_and_page_select_the_rows_aggregated(server, api, shop):
    s = shop["sales"]["name"]
    token = login(server, shop["people"], shop["sellers"][0]["email"])
    gql_client = client(server, token, schema=False)
    items = rest_items(server, token, shop, filter="region = 'north' && amount > 10", sort="-amount,id")
    query = f"""query($r: String!) {{ {s}_aggregate(where: {{region: {{_eq: $r}}}}, filter: "amount > 10",
        order_by: [{{amount: desc}}, {{id: asc}}], limit: 5, offset: 2) {{
        aggregate {{ count {AGGREGATE.replace('{ fields }', '')} }} nodes {{ id amount }} }} }}"""
    got = run(gql_client, query, r="north")[f"{s}_aggregate"]
    page = items[2:7]
    assert [n["id"] for n in got["nodes"]] == [i["id"] for i in page]
    assert_same(answered(got["aggregate"]), figures(page), "page")
    # Without limit and offset: every matching row, order_by notwithstanding.
    whole = run(gql_client, f"""{{ {s}_aggregate(where: {{region: {{_eq: "north"}}}}, filter: "amount > 10",
        order_by: [{{amount: desc}}]) {{ aggregate {{ count sum {{ amount }} }} }} }}""")[f"{s}_aggregate"]["aggregate"]
    assert whole["count"] == len(items) and whole["sum"]["amount"] == pytest.approx(sum(i["amount"] for i in items))


def test_an_empty_selection_counts_zero_and_sums_null(server, api, shop):
    s = shop["sales"]["name"]
    got = run(client(server, api.token, schema=False),
              f'{{ {s}_aggregate(filter: "amount > 100000") {{ aggregate {{ count sum {{ amount }} '
              f'min {{ sold }} }} nodes {{ id }} }} }}')[f"{s}_aggregate"]
    assert got == {"aggregate": {"count": 0, "sum": {"amount": None}, "min": {"sold": None}}, "nodes": []}


def test_group_by_equals_groups_of_rest_records(server, api, shop):
    s = shop["sales"]["name"]
    for who, token in identities(server, api, shop).items():
        items = rest_items(server, token, shop, filter="qty >= 2")
        groups = defaultdict(list)
        for item in items:
            groups[(item["region"], item["seller"])].append(item)
        got = run(client(server, token, schema=False), f"""{{ {s}_group_by(by: [region, seller], filter: "qty >= 2") {{
            keys {{ region seller }} count sum {{ amount }} avg {{ qty }} max {{ sold }} min {{ product }} }} }}""")
        answer = got[f"{s}_group_by"]
        assert [(g["keys"]["region"], g["keys"]["seller"]) for g in answer] == sorted(groups), who
        for group in answer:
            rows = groups[(group["keys"]["region"], group["keys"]["seller"])]
            assert group["count"] == len(rows), who
            assert group["sum"]["amount"] == pytest.approx(sum(r["amount"] for r in rows)), who
            assert group["avg"]["qty"] == pytest.approx(sum(r["qty"] for r in rows) / len(rows)), who
            assert group["max"]["sold"] == max(r["sold"] for r in rows), who
            assert group["min"]["product"] == min(r["product"] for r in rows), who


def test_group_by_limit_and_typed_keys(server, api, shop):
    s = shop["sales"]["name"]
    gql_client = client(server, api.token, schema=False)
    items = rest_items(server, api.token, shop)
    both = sorted({(i["public"], i["region"]) for i in items})
    got = run(gql_client, f"{{ {s}_group_by(by: [public, region], limit: 2) {{ keys {{ public region qty }} count }} }}")
    answer = got[f"{s}_group_by"]
    assert [(g["keys"]["public"], g["keys"]["region"]) for g in answer] == both[:2]
    assert all(g["keys"]["qty"] is None for g in answer)  # a key not grouped by is null
    assert isinstance(answer[0]["keys"]["public"], bool)
    over = Api(server.url, api.token).post(
        "/api/graphql", json={"query": f"{{ {s}_group_by(by: [region], limit: 1001) {{ count }} }}"}).json()
    assert "page size limit of 1000" in over["errors"][0]["message"]


def test_what_may_not_be_aggregated_is_not_offered_or_refused(server, api, shop):
    s = shop["sales"]["name"]
    people = shop["people"]["name"]
    gql_client = client(server, api.token)
    run(gql_client, "{ __typename }")
    columns = {v for v in gql_client.schema.type_map[f"{s}_select_column"].values}
    assert {"id", "product", "region", "amount", "sold", "public", "seller"} <= columns
    assert not columns & {"note", "labels"}  # hidden and multi-valued fields are not offered
    assert set(gql_client.schema.type_map[f"{s}_sum_fields"].fields) == {"amount", "qty"}
    assert "email" not in gql_client.schema.type_map[f"{people}_select_column"].values  # per-record visibility
    errors = run_error(client(server, api.token, schema=False),
                       f"{{ {s}_aggregate {{ aggregate {{ count(columns: [region, product]) }} }} }}")
    assert "one column" in errors[0]["message"]
    errors = run_error(client(server, api.token, schema=False), f"{{ {s}_group_by(by: []) {{ count }} }}")
    assert "at least one column" in errors[0]["message"]
    errors = run_error(client(server, api.token, schema=False), f"{{ {s}_aggregate {{ aggregate {{ sum {{ note }} }} }} }}")
    assert "note" in errors[0]["message"]  # validation refuses it before anything runs


def test_a_superusers_only_collection_refuses_aggregates_as_rest_refuses_lists(server, api, shop):
    locked = create_collection(api, {"name": unique_name("ag_locked"), "fields": [{"name": "n", "type": "number"}]})
    new_record(api, locked, n=4)
    rest = Api(server.url, None).get(records(locked))
    errors = run_error(client(server, schema=False),
                       f"{{ {locked['name']}_aggregate {{ aggregate {{ count sum {{ n }} }} }} }}")
    assert rest.status_code == 403
    assert errors[0]["extensions"]["code"] == 403 and errors[0]["message"] == rest.json()["message"]
    total = run(client(server, api.token, schema=False),
                f"{{ {locked['name']}_group_by(by: [n]) {{ keys {{ n }} count sum {{ n }} }} }}")
    assert total[f"{locked['name']}_group_by"] == [{"keys": {"n": 4}, "count": 1, "sum": {"n": 4}}]

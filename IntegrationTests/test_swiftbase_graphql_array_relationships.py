"""Swiftbase beyond PocketBase: GraphQL back-relations as Hasura's array relationships — `comments_via_post(where:,
order_by:, limit:, offset:, filter:)` pages each record's related records on its own.

Driven with the real `gql` client (it validates every document against the introspected schema). Every page is
compared with what REST's list answers the same identity for that one parent (same filter, same sort, the slice
taken in Python), so the rules apply alike; the comments' list and view rules are the same rule."""
import pytest
from gql import Client, GraphQLRequest
from gql.transport.requests import RequestsHTTPTransport

from conftest import Api, create_collection, new_record, records, unique_name
from own_server_fixtures import api, server, su_token  # noqa: F401  (a server of its own: see there)

pytestmark = pytest.mark.usefixtures("swiftbase_only")

PASSWORD = "Passw0rd-123456"


def client(server, token=None):
    headers = {"Authorization": token} if token else {}
    transport = RequestsHTTPTransport(url=server.url + "/api/graphql", headers=headers, timeout=30)
    return Client(transport=transport, fetch_schema_from_transport=True)


def run(gql_client, query, **variables):
    return gql_client.execute(GraphQLRequest(query, variable_values=variables or None))


@pytest.fixture(scope="module")
def blog(server, api):
    """people ← posts ← comments (n unique per post, some private: only their author sees them) and labels,
    whose multi relation points to several posts."""
    people = create_collection(api, {
        "name": unique_name("ga_people"), "type": "auth", "listRule": "", "viewRule": "",
        "fields": [{"name": "name", "type": "text"}]})
    posts = create_collection(api, {
        "name": unique_name("ga_posts"), "listRule": "", "viewRule": "", "fields": [{"name": "title", "type": "text"}]})
    rule = 'private = false || author = @request.auth.id'
    comments = create_collection(api, {
        "name": unique_name("ga_comments"), "listRule": rule, "viewRule": rule,
        "fields": [{"name": "n", "type": "number", "onlyInt": True},
                   {"name": "body", "type": "text"},
                   {"name": "private", "type": "bool"},
                   {"name": "author", "type": "relation", "collectionId": people["id"], "maxSelect": 1},
                   {"name": "post", "type": "relation", "collectionId": posts["id"], "maxSelect": 1}]})
    labels = create_collection(api, {
        "name": unique_name("ga_labels"), "listRule": "", "viewRule": "",
        "fields": [{"name": "name", "type": "text"},
                   {"name": "posts", "type": "relation", "collectionId": posts["id"], "maxSelect": 5}]})
    ann = new_record(api, people, email=f"ann-{unique_name('x')}@example.com", password=PASSWORD,
                     passwordConfirm=PASSWORD, name="Ann")
    bob = new_record(api, people, email=f"bob-{unique_name('x')}@example.com", password=PASSWORD,
                     passwordConfirm=PASSWORD, name="Bob")
    post = [new_record(api, posts, title=t) for t in ["p0", "p1", "p2", "p3"]]
    # Interleaved over the posts, n not in creation order, so neither storage nor id order gives the answer.
    counts = [9, 4, 1, 0]
    for k in range(9):
        for p, count in enumerate(counts):
            if k < count:
                n = (k * 7) % count
                new_record(api, comments, n=n, body=f"c{n} on p{p}" + (" swift" if n % 2 else ""),
                           private=(k % 4 == 3), author=(ann if k % 2 else bob)["id"], post=post[p]["id"])
    for name, targets in [("red", [0, 1]), ("green", [1]), ("blue", [1, 0, 2]), ("gray", [])]:
        new_record(api, labels, name=name, posts=[post[t]["id"] for t in targets])
    tokens = {}
    for who in [ann, bob]:
        r = Api(server.url, None).post(f"/api/collections/{people['name']}/auth-with-password",
                                       json={"identity": who["email"], "password": PASSWORD})
        assert r.status_code == 200, r.text
        tokens[who["name"]] = r.json()["token"]
    return {"posts": posts, "comments": comments, "labels": labels, "post": post, "ann": ann,
            "identities": {"superuser": api.token, "ann": tokens["Ann"], "bob": tokens["Bob"], "guest": None}}


def rest_page(server, token, collection, parent_filter, filter_, sort, offset, limit):
    """What REST lists of `collection` for one parent, sliced as the GraphQL page should be."""
    flt = parent_filter + (f" && ({filter_})" if filter_ else "")
    r = Api(server.url, token).get(records(collection),
                                   params={"filter": flt, "sort": sort, "perPage": 500, "skipTotal": 1})
    assert r.status_code == 200, r.text
    items = r.json()["items"][offset:]
    return items[:limit] if limit is not None else items


@pytest.mark.parametrize("who", ["superuser", "ann", "bob", "guest"])
def test_each_post_gets_its_own_page_as_rest_lists_it(server, blog, who):
    p, c = blog["posts"]["name"], blog["comments"]["name"]
    token = blog["identities"][who]
    answer = run(client(server, token), f"""{{
        {p}(order_by: {{title: asc}}) {{
            id title
            {c}_via_post(where: {{n: {{_gte: 1}}}}, order_by: [{{n: desc}}], limit: 3, offset: 1) {{ id n }}
        }} }}""")
    assert [row["title"] for row in answer[p]] == ["p0", "p1", "p2", "p3"]
    for row in answer[p]:
        want = rest_page(server, token, blog["comments"], f'post="{row["id"]}"', "n >= 1", "-n", 1, 3)
        assert row[f"{c}_via_post"] == [{"id": w["id"], "n": w["n"]} for w in want], (who, row["title"])
    # Some page is not empty, and the rule shows in it: ann sees her private comments, bob his, the guest none.
    assert any(row[f"{c}_via_post"] for row in answer[p])


def test_aliases_page_one_relation_several_ways_by_pk_and_with_variables(server, blog):
    p, c = blog["posts"]["name"], blog["comments"]["name"]
    token = blog["identities"]["ann"]
    query = f"""query($id: String!, $lim: Int, $w: {c}_bool_exp, $f: String) {{
        {p}_by_pk(id: $id) {{
            first: {c}_via_post(order_by: {{n: asc}}, limit: 1) {{ n }}
            last: {c}_via_post(order_by: {{n: desc}}, limit: $lim) {{ n }}
            swift: {c}_via_post(where: $w, filter: $f, order_by: {{n: asc}}) {{ n body }}
            {c}_via_post {{ n }}
        }} }}"""
    got = run(client(server, token), query, id=blog["post"][0]["id"], lim=2, w={"body": {"_ilike": "%SWIFT%"}},
              f="n < 7")[p + "_by_pk"]
    visible = rest_page(server, token, blog["comments"], f'post="{blog["post"][0]["id"]}"', "", "n", 0, None)
    ns = [row["n"] for row in visible]
    assert got["first"] == [{"n": ns[0]}]
    assert got["last"] == [{"n": n} for n in sorted(ns, reverse=True)[:2]]
    assert got["swift"] == [{"n": r["n"], "body": r["body"]} for r in visible if "swift" in r["body"] and r["n"] < 7]
    assert got["swift"], "the fixture has odd-numbered comments under 7 on p0"
    # Without arguments: every visible comment, as REST's expand answers them.
    assert sorted(row["n"] for row in got[f"{c}_via_post"]) == sorted(ns)


def test_pages_nest_below_relations_and_other_pages(server, blog):
    p, c = blog["posts"]["name"], blog["comments"]["name"]
    answer = run(client(server, blog["identities"]["superuser"]), f"""{{
        {c}(where: {{n: {{_eq: 0}}}}, order_by: {{post: {{title: asc}}}}) {{
            post {{ title top: {c}_via_post(order_by: {{n: desc}}, limit: 1) {{ n post {{ title }} }} }}
        }}
        {p}(where: {{title: {{_eq: "p1"}}}}) {{
            {c}_via_post(order_by: {{n: asc}}, limit: 2) {{ n post {{ {c}_via_post(order_by: {{n: desc}}, limit: 1) {{ n }} }} }}
        }} }}""")
    assert [row["post"]["title"] for row in answer[c]] == ["p0", "p1", "p2"]
    assert [row["post"]["top"] for row in answer[c]] == [
        [{"n": 8, "post": {"title": "p0"}}], [{"n": 3, "post": {"title": "p1"}}], [{"n": 0, "post": {"title": "p2"}}]]
    assert answer[p] == [{f"{c}_via_post": [{"n": n, "post": {f"{c}_via_post": [{"n": 3}]}} for n in [0, 1]]}]


def test_a_multi_relation_back_relation_pages_each_post(server, blog):
    p, lab = blog["posts"]["name"], blog["labels"]["name"]
    answer = run(client(server), f"""{{
        {p}(order_by: {{title: asc}}) {{ title {lab}_via_posts(order_by: {{name: desc}}, limit: 2) {{ name }} }} }}""")
    assert [[x["name"] for x in row[f"{lab}_via_posts"]] for row in answer[p]] == [
        ["red", "blue"], ["red", "green"], ["blue"], []]


def test_bad_arguments_are_graphql_errors(server, api, blog):
    p, c = blog["posts"]["name"], blog["comments"]["name"]
    plain = Api(server.url, api.token)

    def errors(query):
        body = plain.post("/api/graphql", json={"query": query}).json()
        assert body.get("errors") and not (body.get("data") or {}).get(p), body
        return body["errors"]

    too_many = errors(f"{{ {p} {{ {c}_via_post(limit: 100000) {{ id }} }} }}")
    assert too_many[0]["message"].startswith("The limit 100000 is over the page size limit of"), too_many
    negative = errors(f"{{ {p} {{ {c}_via_post(offset: -1) {{ id }} }} }}")
    assert negative[0]["message"] == "The offset argument must not be negative.", negative
    wrong = errors(f'{{ {p} {{ {c}_via_post(filter: "nope = 1") {{ id }} }} }}')
    assert wrong[0]["extensions"]["code"] == 400, wrong
    unknown = errors(f"{{ {p} {{ {c}_via_post(first: 1) {{ id }} }} }}")
    assert 'does not have argument "first"' in unknown[0]["message"], unknown


@pytest.mark.parametrize("who", ["superuser", "guest"])
def test_pages_filter_and_order_through_relations(server, blog, who):
    p, c = blog["posts"]["name"], blog["comments"]["name"]
    token = blog["identities"][who]
    answer = run(client(server, token), f"""{{
        {p}(order_by: {{title: asc}}) {{ id
            {c}_via_post(where: {{author: {{name: {{_eq: "Ann"}}}}}}, order_by: [{{author: {{name: asc}}}}, {{n: desc}}],
                         limit: 2) {{ n author {{ name }} }}
        }} }}""")
    for row in answer[p]:
        want = rest_page(server, token, blog["comments"], f'post="{row["id"]}"', 'author.name = "Ann"',
                         "author.name,-n", 0, 2)
        assert [x["n"] for x in row[f"{c}_via_post"]] == [w["n"] for w in want]
        assert all(x["author"]["name"] == "Ann" for x in row[f"{c}_via_post"])
    assert any(row[f"{c}_via_post"] for row in answer[p])


@pytest.mark.parametrize("who", ["superuser", "ann", "guest"])
def test_array_relationship_aggregates_count_what_rest_lists(server, blog, who):
    p, c = blog["posts"]["name"], blog["comments"]["name"]
    token = blog["identities"][who]
    answer = run(client(server, token), f"""{{
        {p}(order_by: {{title: asc}}) {{ id
            all: {c}_via_post_aggregate {{ aggregate {{ count max {{ n }} sum {{ n }} }} }}
            some: {c}_via_post_aggregate(where: {{n: {{_gte: 2}}}}, filter: "n < 8") {{
                aggregate {{ count }} nodes {{ n post {{ title }} }} }}
        }}
        {c}(where: {{n: {{_eq: 0}}}}, order_by: {{post: {{title: asc}}}}) {{
            post {{ title {c}_via_post_aggregate {{ aggregate {{ count }} }} }} }}
        }}""")
    counts = {}
    for row in answer[p]:
        every = rest_page(server, token, blog["comments"], f'post="{row["id"]}"', "", "n", 0, None)
        some = [w for w in every if 2 <= w["n"] < 8]
        ns = [w["n"] for w in every]
        assert row["all"]["aggregate"] == {"count": len(every), "max": {"n": max(ns) if ns else None},
                                           "sum": {"n": float(sum(ns)) if ns else None}}, (who, row)
        assert row["some"]["aggregate"] == {"count": len(some)}
        assert sorted(x["n"] for x in row["some"]["nodes"]) == sorted(w["n"] for w in some)
        assert all(x["post"]["title"] for x in row["some"]["nodes"])
        counts[row["id"]] = len(every)
    assert sum(counts.values()) > 0
    # One level down (below a relation): the same counts, read for the whole level.
    ids = {post["title"]: post["id"] for post in blog["post"]}
    assert answer[c], "every identity sees the n = 0 comments (none is private)"
    for row in answer[c]:
        count = row["post"][f"{c}_via_post_aggregate"]["aggregate"]["count"]
        assert count == counts[ids[row["post"]["title"]]], (who, row)

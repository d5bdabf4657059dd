"""Swiftbase beyond PocketBase: GraphQL at /api/graphql, generated from the collections, with Hasura's naming.

Driven with the real `gql` client over HTTP (it introspects the schema and validates every document against
it before sending). Every answer is compared with what REST answers the same identity in the same test: the
same records and the same field values, rules and API-key scopes applying alike."""
import pytest
from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportQueryError
from gql.transport.requests import RequestsHTTPTransport

from conftest import Api, create_collection, new_record, records, unique_name
from own_server_fixtures import api, server, su_token  # noqa: F401  (a server of its own: see there)

pytestmark = pytest.mark.usefixtures("swiftbase_only")

PASSWORD = "Passw0rd-123456"


def client(server, token=None, schema=True):
    headers = {"Authorization": token} if token else {}
    transport = RequestsHTTPTransport(url=server.url + "/api/graphql", headers=headers, timeout=30)
    return Client(transport=transport, fetch_schema_from_transport=schema)


def run(gql_client, query, **variables):
    return gql_client.execute(GraphQLRequest(query, variable_values=variables or None))


def run_error(gql_client, query, **variables):
    """The GraphQL errors of a request that must fail."""
    with pytest.raises(TransportQueryError) as failure:
        run(gql_client, query, **variables)
    return failure.value.errors


def login(server, people, email):
    r = Api(server.url, None).post(f"/api/collections/{people['name']}/auth-with-password",
                                   json={"identity": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return r.json()["token"]


@pytest.fixture(scope="module")
def blog(server, api):
    """people (auth) ← posts (every field type, owner rules) ← comments; records for two people."""
    people = create_collection(api, {
        "name": unique_name("gq_people"), "type": "auth", "listRule": "", "viewRule": "",
        "fields": [{"name": "name", "type": "text"}]})
    posts = create_collection(api, {
        "name": unique_name("gq_posts"),
        "listRule": 'live = true || author = @request.auth.id', "viewRule": 'live = true || author = @request.auth.id',
        "createRule": '@request.auth.id != ""', "updateRule": "author = @request.auth.id",
        "deleteRule": "author = @request.auth.id",
        "fields": [
            {"name": "title", "type": "text", "required": True, "max": 30},
            {"name": "views", "type": "number", "onlyInt": True},
            {"name": "score", "type": "number"},
            {"name": "live", "type": "bool"},
            {"name": "status", "type": "select", "values": ["draft", "out"], "maxSelect": 1},
            {"name": "tags", "type": "select", "values": ["a", "b", "c"], "maxSelect": 3},
            {"name": "meta", "type": "json"},
            {"name": "when", "type": "date"},
            {"name": "loc", "type": "geoPoint"},
            {"name": "cover", "type": "file", "maxSelect": 1},
            {"name": "author", "type": "relation", "collectionId": people["id"], "maxSelect": 1},
            {"name": "editors", "type": "relation", "collectionId": people["id"], "maxSelect": 5},
            {"name": "secret", "type": "text", "hidden": True},
        ]})
    comments = create_collection(api, {
        "name": unique_name("gq_comments"), "listRule": "", "viewRule": "",
        "fields": [{"name": "message", "type": "text"},
                   {"name": "post", "type": "relation", "collectionId": posts["id"], "maxSelect": 1}]})
    ann = new_record(api, people, email=f"ann-{unique_name('x')}@example.com", password=PASSWORD,
                     passwordConfirm=PASSWORD, name="Ann", emailVisibility=True)
    bob = new_record(api, people, email=f"bob-{unique_name('x')}@example.com", password=PASSWORD,
                     passwordConfirm=PASSWORD, name="Bob")
    r = api.post(records(posts), data={
        "title": "alpha", "views": "10", "score": "1.5", "live": "true", "status": "out", "tags": ["a", "b"],
        "meta": '{"k": [1, 2], "s": "x"}', "when": "2024-05-06 07:08:09.123Z", "loc": '{"lon": 13.4, "lat": 52.5}',
        "author": ann["id"], "editors": [ann["id"], bob["id"]], "secret": "s1"},
        files={"cover": ("cover.txt", b"hello", "text/plain")})
    assert r.status_code == 200, r.text
    alpha = r.json()
    beta = new_record(api, posts, title="beta", views=3, score=-2, live=False, status="draft", tags=["c"],
                      author=ann["id"], secret="s2")
    gamma = new_record(api, posts, title="gamma", views=7, live=True, tags=[], author=bob["id"], editors=[ann["id"]])
    delta = new_record(api, posts, title="Delta", views=0, live=True)
    for message, post in [("first", alpha), ("second", alpha), ("third", gamma)]:
        new_record(api, comments, message=message, post=post["id"])
    return {"people": people, "posts": posts, "comments": comments, "ann": ann, "bob": bob,
            "alpha": alpha, "beta": beta, "gamma": gamma, "delta": delta}


# --------------------------------------------------------------------------- schema
def test_introspection_sdl_and_hasura_names(server, api, blog):
    p = blog["posts"]["name"]
    gql_client = client(server, api.token)
    run(gql_client, "{ __typename }")  # fetches the schema by introspection first
    root = gql_client.schema.query_type.fields
    assert {p, p + "_by_pk"} <= set(root)
    mutations = gql_client.schema.mutation_type.fields
    assert {f"insert_{p}_one", f"update_{p}_by_pk", f"delete_{p}_by_pk"} <= set(mutations)
    post_type = gql_client.schema.type_map[p]
    assert "secret" not in post_type.fields  # hidden fields never appear, for superusers neither
    assert "password" not in gql_client.schema.type_map[blog["people"]["name"]].fields
    sdl = api.get("/api/graphql/schema")
    assert sdl.status_code == 200 and sdl.headers["Content-Type"].startswith("text/plain")
    assert f"{p}_by_pk(id: String!): {p}" in sdl.text


def test_introspection_can_be_turned_off_in_the_settings(server, api, blog):
    p = blog["posts"]["name"]
    r = api.patch("/api/settings", json={"graphql": {"introspection": False}})
    assert r.status_code == 200 and r.json()["graphql"]["introspection"] is False, r.text
    try:
        plain = client(server, api.token, schema=False)  # gql's own introspection would be refused too
        errors = run_error(plain, "{ __schema { queryType { name } } }")
        assert any("introspection" in e["message"].lower() for e in errors), errors
        errors = run_error(plain, f'{{ __type(name: "{p}") {{ name }} }}')
        assert any("introspection" in e["message"].lower() for e in errors), errors
        # Everything else still answers, `__typename` included (it is not introspection of the schema).
        assert run(plain, f"{{ {p}(limit: 1) {{ __typename }} }}")[p][0]["__typename"] == p
    finally:
        assert api.patch("/api/settings", json={"graphql": {"introspection": True}}).status_code == 200
    assert "__schema" in run(client(server, api.token, schema=False), "{ __schema { queryType { name } } }")


def test_schema_follows_collection_changes_at_once(server, api):
    coll = create_collection(api, {"name": unique_name("gq_live"), "listRule": "",
                                   "fields": [{"name": "a", "type": "text"}]})
    new_record(api, coll, a="one")
    assert run(client(server), f"{{ {coll['name']} {{ a }} }}") == {coll["name"]: [{"a": "one"}]}
    fields = coll["fields"] + [{"name": "b", "type": "number"}]
    assert api.patch(f"/api/collections/{coll['id']}", json={"fields": fields}).status_code == 200
    assert run(client(server), f"{{ {coll['name']} {{ a b }} }}") == {coll["name"]: [{"a": "one", "b": 0.0}]}


# --------------------------------------------------------------------------- queries
ALL_FIELDS = """
    id title views score live status tags meta when loc { lon lat } cover cover_url
    author { id name email } editors { id name } collectionId collectionName
"""


def test_every_field_type_answers_what_rest_answers(server, api, blog):
    p = blog["posts"]["name"]
    comments_key = f"{blog['comments']['name']}_via_post"
    answer = run(client(server, api.token), f"""query($id: String!) {{
        {p}_by_pk(id: $id) {{ {ALL_FIELDS} {comments_key} {{ message }} }} }}""", id=blog["alpha"]["id"])
    got = answer[p + "_by_pk"]
    rest = api.get(f"{records(blog['posts'])}/{blog['alpha']['id']}?expand=author,editors,{comments_key}").json()
    for key in ["id", "title", "live", "status", "tags", "meta", "when", "loc", "cover", "collectionId",
                "collectionName"]:
        assert got[key] == rest[key], key
    assert got["views"] == 10 and isinstance(got["views"], int)  # onlyInt → Int
    assert got["score"] == 1.5
    assert got["tags"] == ["a", "b"] and got["meta"] == {"k": [1, 2], "s": "x"}
    assert got["loc"] == {"lon": 13.4, "lat": 52.5}
    assert got["cover_url"] == f"/api/files/{rest['collectionId']}/{rest['id']}/{rest['cover']}"
    assert api.get(got["cover_url"]).content == b"hello"
    assert got["author"] == {k: rest["expand"]["author"][k] for k in ["id", "name", "email"]}
    assert [e["id"] for e in got["editors"]] == [e["id"] for e in rest["expand"]["editors"]]
    assert sorted(c["message"] for c in got[comments_key]) == ["first", "second"]
    errors = run_error(client(server, api.token, schema=False), f'{{ {p} {{ secret }} }}')
    assert "secret" in errors[0]["message"]


WHERE_CASES = [
    ('{title: {_eq: "alpha"}}', 'title = "alpha"'),
    ('{title: {_neq: "alpha"}}', 'title != "alpha"'),
    ("{views: {_gt: 3}}", "views > 3"),
    ("{views: {_gte: 3, _lt: 10}}", "views >= 3 && views < 10"),
    ("{score: {_lte: 0}}", "score <= 0"),
    ("{live: {_eq: false}}", "live = false"),
    ('{title: {_in: ["alpha", "gamma", "nope"]}}', 'title = "alpha" || title = "gamma"'),
    ('{title: {_nin: ["alpha", "gamma"]}}', 'title != "alpha" && title != "gamma"'),
    ('{title: {_like: "%amm%"}}', 'title ~ "amm"'),
    ('{title: {_ilike: "delta"}}', 'title ~ "delta"'),
    ('{title: {_nlike: "%ph%"}}', 'title !~ "%ph%"'),
    ("{when: {_is_null: false}}", 'when != ""'),
    ('{status: {_eq: "draft"}}', 'status = "draft"'),
    ('{tags: {_contains: ["a"]}}', 'tags:each ?= "a"'),
    ('{_not: {tags: {_contains: ["c"]}}}', 'tags:each != "c"'),
    ("{tags: {_is_null: true}}", "tags:length = 0"),
    ('{when: {_gt: "2024-01-01 00:00:00.000Z"}}', 'when > "2024-01-01 00:00:00.000Z"'),
    ('{_or: [{views: {_gt: 8}}, {title: {_eq: "beta"}}]}', 'views > 8 || title = "beta"'),
    ('{_and: [{views: {_gt: 0}}, {live: {_eq: true}}]}', "views > 0 && live = true"),
    ('{_not: {title: {_eq: "alpha"}, views: {_gt: 5}}}', 'title != "alpha" || views <= 5'),
    ('{author: {name: {_eq: "Ann"}}}', 'author.name = "Ann"'),
    ('{editors: {name: {_eq: "Bob"}}}', 'editors.name ?= "Bob"'),
    ('{_not: {editors: {name: {_eq: "Ann"}}}}', 'editors.name != "Ann"'),
    ('{COMMENTS_via_post: {message: {_eq: "third"}}}', 'COMMENTS_via_post.message ?= "third"'),
]


@pytest.mark.parametrize("where,rest_filter", WHERE_CASES)
def test_where_matches_the_rest_filter(server, api, blog, where, rest_filter):
    p = blog["posts"]["name"]
    back = blog["comments"]["name"]
    where, rest_filter = where.replace("COMMENTS", back), rest_filter.replace("COMMENTS", back)
    got = run(client(server, api.token), f"{{ {p}(where: {where}, order_by: {{title: asc}}) {{ id }} }}")[p]
    rest = api.get(records(blog["posts"]), params={"filter": rest_filter, "sort": "title", "perPage": 500}).json()
    assert [r["id"] for r in got] == [r["id"] for r in rest["items"]]
    assert len(rest["items"]) > 0, "each case selects something, so a match is a real match"


def test_where_values_are_values_never_filter_text(server, api, blog):
    p = blog["posts"]["name"]
    hostile = 'x" || id != "'
    got = run(client(server, api.token), f"query($t: String!) {{ {p}(where: {{title: {{_eq: $t}}}}) {{ id }} }}",
              t=hostile)
    assert got[p] == []


def test_filter_argument_is_anded_with_where(server, api, blog):
    p = blog["posts"]["name"]
    got = run(client(server, api.token),
              f'{{ {p}(where: {{live: {{_eq: true}}}}, filter: "views > 5", order_by: {{views: desc}}) {{ title }} }}')
    assert got[p] == [{"title": "alpha"}, {"title": "gamma"}]


def test_order_limit_offset_match_rest_pages(server, api, blog):
    p = blog["posts"]["name"]
    gql_client = client(server, api.token)
    for sort, order in [("-views", "{views: desc}"), ("title", "{title: asc}"), ("-score,title", "[{score: desc}, {title: asc}]")]:
        full = api.get(records(blog["posts"]), params={"sort": sort, "perPage": 500}).json()["items"]
        got = run(gql_client, f"{{ {p}(order_by: {order}) {{ id }} }}")[p]
        assert [r["id"] for r in got] == [r["id"] for r in full], sort
        page = run(gql_client, f"{{ {p}(order_by: {order}, limit: 2, offset: 1) {{ id }} }}")[p]
        assert [r["id"] for r in page] == [r["id"] for r in full[1:3]], sort
    by_author = run(gql_client, f"{{ {p}(order_by: [{{author: {{name: desc}}}}, {{title: asc}}]) {{ title }} }}")[p]
    rest = api.get(records(blog["posts"]), params={"sort": "-author.name,title", "perPage": 500}).json()["items"]
    assert [r["title"] for r in by_author] == [r["title"] for r in rest]


def test_relations_and_back_relations_nest(server, api, blog):
    people = blog["people"]["name"]
    posts_key = f"{blog['posts']['name']}_via_author"
    comments_key = f"{blog['comments']['name']}_via_post"
    got = run(client(server, api.token), f"""{{ {people}(order_by: {{name: asc}}) {{
        name {posts_key} {{ title {comments_key} {{ message post {{ title }} }} }} }} }}""")[people]
    ann = got[0]
    assert ann["name"] == "Ann"
    titles = sorted(p["title"] for p in ann[posts_key])
    assert titles == ["alpha", "beta"]
    alpha = next(p for p in ann[posts_key] if p["title"] == "alpha")
    assert sorted(c["message"] for c in alpha[comments_key]) == ["first", "second"]
    assert all(c["post"]["title"] == "alpha" for c in alpha[comments_key])


# --------------------------------------------------------------------------- mutations
def test_mutations_with_rules_and_validation_errors(server, api, blog):
    p = blog["posts"]["name"]
    ann = client(server, login(server, blog["people"], blog["ann"]["email"]))
    bob = client(server, login(server, blog["people"], blog["bob"]["email"]))
    created = run(ann, f"""mutation($o: {p}_insert_input!) {{ insert_{p}_one(object: $o) {{ id title views tags author {{ name }} }} }}""",
                  o={"title": "fresh", "views": 1, "tags": ["a"], "author": blog["ann"]["id"]})[f"insert_{p}_one"]
    assert created["title"] == "fresh" and created["author"] == {"name": "Ann"}
    assert api.get(f"{records(blog['posts'])}/{created['id']}").json()["views"] == 1

    errors = run_error(ann, f'mutation {{ insert_{p}_one(object: {{title: "{"x" * 31}", status: "nope"}}) {{ id }} }}')
    assert errors[0]["message"] == "Failed to create record."
    assert errors[0]["extensions"]["code"] == 400
    data = errors[0]["extensions"]["data"]
    rest = api.post(records(blog["posts"]), json={"title": "x" * 31, "status": "nope"}).json()
    assert data == rest["data"]  # the same per-field codes and messages as REST
    assert data["title"]["code"] == "validation_max_text_constraint"

    updated = run(ann, f"""mutation($id: String!) {{ update_{p}_by_pk(pk_columns: {{id: $id}}, _set: {{title: "fresher"}},
        _inc: {{views: 41}}) {{ title views }} }}""", id=created["id"])[f"update_{p}_by_pk"]
    assert updated == {"title": "fresher", "views": 42}

    # Bob may not update or delete Ann's post: the REST answers, as GraphQL errors.
    rest_update = Api(server.url, login(server, blog["people"], blog["bob"]["email"])).patch(
        f"{records(blog['posts'])}/{created['id']}", json={"title": "bob"})
    errors = run_error(bob, f'mutation {{ update_{p}_by_pk(pk_columns: {{id: "{created["id"]}"}}, _set: {{title: "bob"}}) {{ id }} }}')
    assert errors[0]["extensions"]["code"] == rest_update.status_code
    assert errors[0]["message"] == rest_update.json()["message"]
    errors = run_error(bob, f'mutation {{ delete_{p}_by_pk(id: "{created["id"]}") {{ id }} }}')
    assert errors[0]["extensions"]["code"] in (403, 404)

    deleted = run(ann, f'mutation {{ delete_{p}_by_pk(id: "{created["id"]}") {{ title }} }}')[f"delete_{p}_by_pk"]
    assert deleted == {"title": "fresher"}
    assert api.get(f"{records(blog['posts'])}/{created['id']}").status_code == 404

    guest_errors = run_error(client(server), f'mutation {{ insert_{p}_one(object: {{title: "anon"}}) {{ id }} }}')
    assert guest_errors[0]["extensions"]["code"] == 400  # the createRule fails as in REST


# --------------------------------------------------------------------------- rules matrix
def identities(server, api, blog):
    key = api.post("/api/keys", json={"name": unique_name("gqkey"), "scopes": [
        {"collection": blog["posts"]["name"], "actions": ["list", "view"]}]})
    assert key.status_code == 200, key.text
    return {
        "guest": None,
        "ann": login(server, blog["people"], blog["ann"]["email"]),
        "bob": login(server, blog["people"], blog["bob"]["email"]),
        "superuser": api.token,
        "api key": "Bearer " + key.json()["key"],
    }


VISIBLE = ["id", "title", "views", "score", "live", "status", "tags", "meta", "when", "loc", "cover"]


def test_rules_matrix_same_records_and_fields_as_rest(server, api, blog):
    p = blog["posts"]["name"]
    for who, token in identities(server, api, blog).items():
        gql_client = client(server, token, schema=False)
        rest_api = Api(server.url, token)
        rest = rest_api.get(records(blog["posts"]), params={"sort": "title", "perPage": 500, "expand": "author"})
        assert rest.status_code == 200, (who, rest.text)
        got = run(gql_client, f"{{ {p}(order_by: {{title: asc}}) {{ {' '.join(VISIBLE[:-2])} loc {{ lon lat }} cover author {{ id name email }} }} }}")[p]
        items = rest.json()["items"]
        assert [g["id"] for g in got] == [r["id"] for r in items], who
        for g, r in zip(got, items):
            for key in VISIBLE:
                assert g[key] == r[key], (who, key)
            author = r.get("expand", {}).get("author")
            expected = None if author is None else {"id": author["id"], "name": author["name"], "email": author.get("email")}
            assert g["author"] == expected, (who, g["title"])
        for post in ["alpha", "beta", "gamma", "delta"]:
            record_id = blog[post]["id"]
            view = rest_api.get(f"{records(blog['posts'])}/{record_id}")
            one = run(gql_client, f'{{ {p}_by_pk(id: "{record_id}") {{ id title }} }}')[p + "_by_pk"]
            if view.status_code == 200:
                assert one == {"id": record_id, "title": view.json()["title"]}, (who, post)
            else:
                assert view.status_code == 404 and one is None, (who, post)
        comments = rest_api.get(records(blog["comments"]))
        query = f"{{ {blog['comments']['name']} {{ id }} }}"
        if comments.status_code == 200:
            assert len(run(gql_client, query)[blog["comments"]["name"]]) == len(comments.json()["items"]), who
        else:
            errors = run_error(gql_client, query)
            assert errors[0]["extensions"]["code"] == comments.status_code, who
            assert errors[0]["message"] == comments.json()["message"], who


# --------------------------------------------------------------------------- limits and bad input
def test_limits_are_refused_before_running(server, api, blog):
    p = blog["posts"]["name"]
    raw = Api(server.url, api.token)
    over = raw.post("/api/graphql", json={"query": f"{{ {p}(limit: 1001) {{ id }} }}"}).json()
    assert "data" not in over and "page size limit of 1000" in over["errors"][0]["message"]
    people = blog["people"]["name"]
    pv = f"{p}_via_author"
    deep = f"{{ {people} {{ {pv} {{ author {{ {pv} {{ author {{ {pv} {{ author {{ {pv} {{ id }} }} }} }} }} }} }} }} }}"
    refused = raw.post("/api/graphql", json={"query": deep}).json()
    assert "data" not in refused and "nested 9 levels deep" in refused["errors"][0]["message"]
    assert raw.post("/api/graphql", data="{nope").status_code == 400
    assert raw.post("/api/graphql", json={"query": "{" * 10000}).json()["errors"][0]["message"]
    bad = raw.post("/api/graphql", json={"query": "{ " + p + "(where: {views: {_gt: \"x\"}}) { id } }"}).json()
    assert "data" not in bad and bad["errors"]
    got = raw.get("/api/graphql", params={"query": f"{{ {p}(limit: 1) {{ id }} }}"})
    assert got.status_code == 200 and len(got.json()["data"][p]) == 1
    assert raw.get("/api/graphql", params={"query": f'mutation {{ delete_{p}_by_pk(id: "x") {{ id }} }}'}).status_code == 405

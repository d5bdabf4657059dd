"""Swiftbase beyond PocketBase: the bounds of one GraphQL operation, set in `/api/settings` under `graphql`
(`maxDepth`, `maxBreadth`, `maxCost`, `timeout`): an operation over them is refused with one clear error before
anything runs, and one that runs past its time budget is answered with an error instead of waiting."""
import time

import pytest

from conftest import Api, assert_error, create_collection, new_record, unique_name
from own_server_fixtures import api, server, su_token  # noqa: F401  (a server of its own: see there)

pytestmark = pytest.mark.usefixtures("swiftbase_only")

DEFAULTS = {"maxDepth": 8, "maxBreadth": 200, "maxCost": 5000000, "timeout": 10}


@pytest.fixture(scope="module")
def blog(server, api):
    """posts ← comments, 300 posts with a comment each."""
    posts = create_collection(api, {"name": unique_name("gl_posts"), "listRule": "", "viewRule": "",
                                    "fields": [{"name": "title", "type": "text"}, {"name": "n", "type": "number"}]})
    comments = create_collection(api, {
        "name": unique_name("gl_comments"), "listRule": "", "viewRule": "",
        "fields": [{"name": "message", "type": "text"},
                   {"name": "post", "type": "relation", "collectionId": posts["id"], "maxSelect": 1}]})
    requests = []
    for i in range(300):
        requests.append({"method": "POST", "url": f"/api/collections/{posts['name']}/records",
                         "body": {"id": f"p{i:014d}", "title": f"post {i}", "n": i}})
        requests.append({"method": "POST", "url": f"/api/collections/{comments['name']}/records",
                         "body": {"message": f"on {i}", "post": f"p{i:014d}"}})
    batch = api.patch("/api/settings", json={"batch": {"enabled": True, "maxRequests": 1000}})
    assert batch.status_code == 200, batch.text
    r = api.post("/api/batch", json={"requests": requests})
    assert r.status_code == 200, r.text
    return {"posts": posts["name"], "comments": comments["name"]}


@pytest.fixture
def limits(api):
    """Sets `graphql` bounds for one test and puts the defaults back after it."""
    def set_(**bounds):
        r = api.patch("/api/settings", json={"graphql": bounds})
        assert r.status_code == 200, r.text
    yield set_
    set_(**DEFAULTS)


def ask(server, api, query):
    return Api(server.url, api.token).post("/api/graphql", json={"query": query}).json()


def test_depth_breadth_and_cost_come_from_the_settings(server, api, blog, limits):
    p, c = blog["posts"], blog["comments"]
    wide = f"{{ {p}(limit: 1) {{ id title n collectionId collectionName }} }}"
    assert "errors" not in ask(server, api, wide)
    limits(maxBreadth=4, maxDepth=2)
    refused = ask(server, api, wide)
    assert "data" not in refused
    assert refused["errors"][0]["message"] == "A selection set asks for 5 fields; at most 4 are allowed."
    deep = ask(server, api, f"{{ {c}(limit: 1) {{ post {{ title }} }} }}")
    assert deep["errors"][0]["message"] == "The query is nested 3 levels deep; at most 2 are allowed."
    limits(maxDepth=8, maxBreadth=200, maxCost=1500)
    # 5 posts, then their comments in one query of at most 1000, then those comments' posts.
    costly = ask(server, api, f"{{ {p}(limit: 5) {{ {c}_via_post {{ post {{ id }} }} }} }}")
    assert costly["errors"][0]["message"] == (
        "The query may answer up to 2005 records; at most 1500 are allowed. Lower its limits or select fewer relations.")
    assert costly["errors"][0]["extensions"]["code"] == 400
    # Paged per post, the back-relation costs its limit per post: 5 + 5 × 1 + 5.
    paged = ask(server, api, f"{{ {p}(limit: 5, order_by: {{n: asc}}) {{ {c}_via_post(limit: 1) {{ post {{ n }} }} }} }}")
    assert paged == {"data": {p: [{f"{c}_via_post": [{"post": {"n": i}}]} for i in range(5)]}}
    fits = ask(server, api, f"{{ {p}(limit: 1, order_by: {{n: asc}}) {{ {c}_via_post {{ message }} }} }}")
    assert fits == {"data": {p: [{f"{c}_via_post": [{"message": "on 0"}]}]}}


def test_an_operation_past_its_time_budget_is_answered_with_an_error(server, api, blog, limits):
    c = blog["comments"]
    # 40 aliased lists of 300 comments with their posts: much more work than one small list (the aggregate
    # keeps it on the GraphQL package's executor, the slower of the two).
    heavy = ("{ " + " ".join(f"a{i}: {c}(limit: 300) {{ id message post {{ title n }} }}" for i in range(40))
             + f" total: {c}_aggregate {{ aggregate {{ count }} }} }}")
    limits(timeout=120)
    started = time.monotonic()
    assert len(ask(server, api, heavy)["data"]["a39"]) == 300
    took = time.monotonic() - started
    # A budget of a tenth of what the whole operation took (never under the 0.1 s minimum).
    budget = max(0.1, round(took / 10, 1))
    limits(timeout=budget)
    late = ask(server, api, heavy)
    assert "data" not in late and len(late["errors"]) == 1
    assert late["errors"][0]["message"] == f"The operation ran over its time budget of {budget:g} seconds."
    assert late["errors"][0]["extensions"] == {"code": 504, "data": {}}
    quick = ask(server, api, f"{{ {blog['posts']}(limit: 1) {{ id }} }}")
    assert "errors" not in quick  # the server still answers


def test_bounds_are_validated(api, limits):
    r = api.patch("/api/settings", json={"graphql": {"maxDepth": 0, "maxCost": -5, "timeout": 0}})
    data = assert_error(r, 400)["data"]["graphql"]
    assert set(data) == {"maxDepth", "maxCost", "timeout"}
    assert data["maxDepth"]["code"] == "validation_min_greater_equal_than_required"

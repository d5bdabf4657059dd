"""View collections (§3.2): a SELECT saved as a read-only collection whose fields are inferred from the
query — source fields cloned under their alias, `x.id` as a relation, counts and casts as numbers, text
and bools, anything else as json — served by the records API with rules, filters and sorting."""
import pytest

from conftest import assert_error, create_collection, error_codes, field_by_name, unique_name


@pytest.fixture(scope="module")
def source(api):
    authors = create_collection(api, {"name": unique_name("vw_authors"), "listRule": "", "viewRule": "",
                                      "fields": [{"name": "name", "type": "text", "max": 40}]})
    posts = create_collection(api, {"name": unique_name("vw_posts"), "listRule": "", "viewRule": "",
                                    "fields": [{"name": "title", "type": "text", "max": 50},
                                               {"name": "views", "type": "number"},
                                               {"name": "draft", "type": "bool"},
                                               {"name": "author", "type": "relation", "maxSelect": 1,
                                                "collectionId": authors["id"]}]})
    a1 = api.post(f"/api/collections/{authors['name']}/records", json={"name": "ann"}).json()
    a2 = api.post(f"/api/collections/{authors['name']}/records", json={"name": "bob"}).json()
    rows = [("alpha", 10, False, a1), ("beta", 20, True, a1), ("gamma", 30, False, a2)]
    ids = [api.post(f"/api/collections/{posts['name']}/records",
                    json={"title": t, "views": v, "draft": d, "author": a["id"]}).json()["id"]
           for t, v, d, a in rows]
    return {"authors": authors, "posts": posts, "a1": a1, "a2": a2, "post_ids": ids}


def make_view(api, query, **extra):
    return api.post("/api/collections", json={"name": unique_name("vw"), "type": "view", "listRule": "",
                                              "viewRule": "", "viewQuery": query, **extra})


def test_fields_are_inferred_from_the_query(api, source):
    p, a = source["posts"]["name"], source["authors"]["name"]
    resp = make_view(api, f"select p.id, p.title, p.views as hits, p.author, a.id as writer, a.name, "
                          f"count(p.id) as n, cast(p.views as real) as r, cast(p.views as text) as s, "
                          f"cast(p.draft as boolean) as b, (p.views * 2) as doubled "
                          f"from {p} p left join {a} a on a.id = p.author group by p.id")
    assert resp.status_code == 200, resp.text
    view = resp.json()
    fields = {f["name"]: f for f in view["fields"]}
    assert [f["name"] for f in view["fields"]] == ["id", "title", "hits", "author", "writer", "name", "n", "r",
                                                   "s", "b", "doubled"]
    assert fields["id"]["type"] == "text" and fields["id"]["primaryKey"] is True
    assert fields["id"]["system"] is True and fields["id"]["pattern"] == "^[a-z0-9]+$"
    assert fields["title"]["type"] == "text" and fields["title"]["max"] == 50
    assert fields["hits"]["type"] == "number"
    assert fields["author"]["type"] == "relation"
    assert fields["author"]["collectionId"] == source["authors"]["id"]
    assert fields["writer"]["type"] == "relation" and fields["writer"]["maxSelect"] == 1
    assert fields["writer"]["collectionId"] == source["authors"]["id"]
    assert fields["name"]["type"] == "text" and fields["name"]["max"] == 40
    assert fields["n"]["type"] == "number" and fields["n"]["onlyInt"] is True
    assert fields["r"]["type"] == "number" and fields["r"]["onlyInt"] is False
    assert fields["s"]["type"] == "text"
    assert fields["b"]["type"] == "bool"
    assert fields["doubled"]["type"] == "json"
    assert view["createRule"] is None and view["updateRule"] is None and view["deleteRule"] is None


def test_records_are_listed_viewed_filtered_and_sorted(api, guest, source):
    p = source["posts"]["name"]
    view = make_view(api, f"select id, title, views from {p} where draft = false").json()
    body = guest.get(f"/api/collections/{view['name']}/records", params={"sort": "-views"}).json()
    assert body["totalItems"] == 2
    assert [r["title"] for r in body["items"]] == ["gamma", "alpha"]
    assert body["items"][0]["collectionName"] == view["name"]
    assert body["items"][0]["collectionId"] == view["id"]
    assert isinstance(body["items"][0]["views"], (int, float)) and body["items"][0]["views"] == 30
    one = guest.get(f"/api/collections/{view['name']}/records/{source['post_ids'][0]}").json()
    assert one["title"] == "alpha" and one["views"] == 10
    hit = guest.get(f"/api/collections/{view['name']}/records", params={"filter": "views > 15"}).json()
    assert [r["title"] for r in hit["items"]] == ["gamma"]
    # The draft row is not in the view.
    r = guest.get(f"/api/collections/{view['name']}/records/{source['post_ids'][1]}")
    assert r.status_code == 404


def test_view_follows_writes_to_its_source(api, guest, source):
    p = source["posts"]["name"]
    view = make_view(api, f"select id, title from {p}").json()
    rid = api.post(f"/api/collections/{p}/records", json={"title": "fresh"}).json()["id"]
    assert guest.get(f"/api/collections/{view['name']}/records/{rid}").json()["title"] == "fresh"
    api.patch(f"/api/collections/{p}/records/{rid}", json={"title": "changed"})
    assert guest.get(f"/api/collections/{view['name']}/records/{rid}").json()["title"] == "changed"
    api.delete(f"/api/collections/{p}/records/{rid}")
    assert guest.get(f"/api/collections/{view['name']}/records/{rid}").status_code == 404


def test_aggregates_with_a_numeric_id(api, guest, source):
    p = source["posts"]["name"]
    resp = make_view(api, f"select (ROW_NUMBER() OVER()) as id, author, sum(views) as total, count(*) as posts "
                          f"from {p} group by author")
    assert resp.status_code == 200, resp.text
    view = resp.json()
    items = guest.get(f"/api/collections/{view['name']}/records", params={"sort": "id"}).json()["items"]
    assert [i["id"] for i in items] == ["1", "2"]
    by_author = {i["author"]: (i["total"], i["posts"]) for i in items}
    assert by_author == {source["a1"]["id"]: (30, 2), source["a2"]["id"]: (30, 1)}


def test_view_rules_apply(api, guest, source):
    p = source["posts"]["name"]
    view = make_view(api, f"select id, title, views from {p}", listRule="views >= 20", viewRule=None).json()
    listed = guest.get(f"/api/collections/{view['name']}/records").json()
    assert sorted(r["title"] for r in listed["items"]) == ["beta", "gamma"]
    assert guest.get(f"/api/collections/{view['name']}/records/{source['post_ids'][0]}").status_code == 403


def test_records_of_a_view_cannot_be_written(api, source):
    p = source["posts"]["name"]
    view = make_view(api, f"select id, title from {p}").json()
    resp = api.post(f"/api/collections/{view['name']}/records", json={"title": "x"})
    assert resp.status_code == 400


@pytest.mark.parametrize("query", [
    "select title from {p}",
    "select * from {p}",
    "select id, title from {p}; delete from {p}",
    "select id, title from missing_table_xyz",
    "select id, nope_column from {p}",
    "not even sql",
    "select id, views * 2 as doubled from {p}",
])
def test_invalid_queries_are_refused_on_view_query(api, source, query):
    resp = make_view(api, query.format(p=source["posts"]["name"]))
    assert resp.status_code == 400, resp.text
    assert error_codes(resp.json()).get("viewQuery") == "validation_invalid_view_query", resp.json()


def test_updating_the_query_changes_fields_and_rows(api, guest, source):
    p = source["posts"]["name"]
    view = make_view(api, f"select id, title from {p}").json()
    resp = api.patch(f"/api/collections/{view['id']}", json={"viewQuery": f"select id, views from {p}"})
    assert resp.status_code == 200, resp.text
    assert [f["name"] for f in resp.json()["fields"]] == ["id", "views"]
    item = guest.get(f"/api/collections/{view['name']}/records/{source['post_ids'][2]}").json()
    assert item["views"] == 30 and "title" not in item
    renamed = unique_name("vw_renamed")
    assert api.patch(f"/api/collections/{view['id']}", json={"name": renamed}).status_code == 200
    assert guest.get(f"/api/collections/{renamed}/records").json()["totalItems"] == 3
    assert api.delete(f"/api/collections/{view['id']}").status_code == 204
    assert guest.get(f"/api/collections/{renamed}/records").status_code == 404


def dependent_view(api):
    src = create_collection(api, {"name": unique_name("vw_src"), "listRule": "", "viewRule": "",
                                  "fields": [{"name": "title", "type": "text", "max": 40},
                                             {"name": "views", "type": "number"}]})
    api.post(f"/api/collections/{src['name']}/records", json={"title": "a", "views": 3})
    view = make_view(api, f"select id, title, views from {src['name']}").json()
    return src, view


def test_a_field_a_view_reads_cannot_be_removed(api, guest):
    src, view = dependent_view(api)
    resp = api.patch(f"/api/collections/{src['id']}",
                     json={"fields": [f for f in src["fields"] if f["name"] != "views"]})
    assert resp.status_code == 400, resp.text
    assert resp.json()["message"].startswith("Failed to update collection.")
    items = guest.get(f"/api/collections/{view['name']}/records").json()["items"]
    assert items[0]["views"] == 3
    assert [f["name"] for f in api.get(f"/api/collections/{src['id']}").json()["fields"]] == ["id", "title", "views"]


def test_a_collection_a_view_reads_cannot_be_deleted(api, guest):
    src, view = dependent_view(api)
    assert_error(api.delete(f"/api/collections/{src['id']}"), 400, "Failed to delete collection.", {})
    assert guest.get(f"/api/collections/{src['name']}/records").status_code == 200
    assert api.delete(f"/api/collections/{view['id']}").status_code == 204
    assert api.delete(f"/api/collections/{src['id']}").status_code == 204


def test_source_field_changes_reach_the_view_fields(api):
    src, view = dependent_view(api)
    fields = [dict(f, max=60) if f["name"] == "title" else f for f in src["fields"]]
    fields.append({"name": "extra", "type": "bool"})
    assert api.patch(f"/api/collections/{src['id']}", json={"fields": fields}).status_code == 200
    after = api.get(f"/api/collections/{view['id']}").json()
    assert field_by_name(after, "title")["max"] == 60
    assert [f["name"] for f in after["fields"]] == ["id", "title", "views"]


# ------------------------------------------------------------------ dry run (the dashboard's query preview)
DRY = "/api/collections/meta/dry-run-view"


def test_dry_run_shows_fields_and_a_sample(api, source):
    p = source["posts"]["name"]
    resp = api.post(DRY, json={"query": f"select id, title, views from {p} order by views"})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert [(f["name"], f["type"]) for f in body["fields"]] == [("id", "text"), ("title", "text"),
                                                               ("views", "number")]
    assert [r["title"] for r in body["sample"]] == ["alpha", "beta", "gamma"]
    assert body["sample"][0]["collectionName"].startswith("temp_view_")
    one = api.post(DRY, json={"query": "select 1 as id"}).json()
    assert one["sample"][0]["id"] == "1" and one["fields"][0]["name"] == "id"
    # Nothing was saved.
    names = [c["name"] for c in api.get("/api/collections", params={"perPage": 500}).json()["items"]]
    assert not any(n.startswith("temp_view_") or n.startswith("_temp_") for n in names)


def test_dry_run_refuses_bad_queries(api, guest):
    assert guest.post(DRY, json={"query": "select 1 as id"}, auth=False).status_code == 401
    r = api.post(DRY, json={"query": ""})
    assert r.status_code == 400 and error_codes(r.json()) == {"query": "validation_required"}
    r = api.post(DRY, json={"query": "a" * 5001})
    assert r.status_code == 400 and error_codes(r.json()) == {"query": "validation_length_too_long"}
    assert api.post(DRY, json={"query": "select 1 as id" + " " * 4986}).status_code == 200
    for query in ["(select 1 as id union select '' as id)", "(select 1 as id union all select 1 as id)",
                  "CREATE TABLE t1(x INT)", "select title from nowhere_xyz"]:
        r = api.post(DRY, json={"query": query})
        assert r.status_code == 400, (query, r.text)
        assert r.json()["data"] == {} and "Raw error:" in r.json()["message"], (query, r.text)


def test_a_view_whose_ids_repeat_is_refused(api):
    resp = make_view(api, "select 1 as id union all select 1 as id")
    assert resp.status_code == 400
    assert error_codes(resp.json()).get("viewQuery") == "validation_invalid_view_query"


@pytest.mark.parametrize("query, fields_code", [
    ("select title from {p}", "validation_missing_primary_key"),  # the query ran: its columns are the fields
    ("select '' as id, title from {p}", None),  # fields fine, ids empty
    ("not even sql", "validation_required"),  # the query did not run: no fields
])
def test_a_refused_query_reports_the_fields_it_made(api, source, query, fields_code):
    resp = make_view(api, query.format(p=source["posts"]["name"]))
    assert resp.status_code == 400, resp.text
    codes = error_codes(resp.json())
    assert codes.get("viewQuery") == "validation_invalid_view_query", resp.json()
    assert codes.get("fields") == fields_code, resp.json()

"""Record listing: pagination, sort, filter grammar and semantics, `fields`, `expand`
(§1.6, §1.7, §4.3, §4.5, §4.6, §5)."""
import json

import pytest
from pocketbase.errors import ClientResponseError

from conftest import assert_error, create_collection, new_record, unique_name


# ------------------------------------------------------------------ dataset
@pytest.fixture(scope="module")
def ds(api, pb):
    teams = create_collection(api, {"name": unique_name("q_teams"),
                                    "fields": [{"name": "name", "type": "text"}]})
    authors = create_collection(api, {"name": unique_name("q_authors"), "fields": [
        {"name": "name", "type": "text"},
        {"name": "team", "type": "relation", "collectionId": teams["id"]}]})
    posts = create_collection(api, {"name": unique_name("q_posts"), "fields": [
        {"name": "title", "type": "text"},
        {"name": "n", "type": "number"},
        {"name": "flag", "type": "bool"},
        {"name": "tags", "type": "select", "values": ["a", "b", "c", "d"], "maxSelect": 4},
        {"name": "author", "type": "relation", "collectionId": authors["id"]},
        {"name": "authors", "type": "relation", "collectionId": authors["id"],
         "maxSelect": 5},
        {"name": "body", "type": "editor"},
        {"name": "pub", "type": "date"},
        {"name": "meta", "type": "json"},
        {"name": "created", "type": "autodate", "onCreate": True},
        {"name": "updated", "type": "autodate", "onCreate": True, "onUpdate": True}]})
    comments = create_collection(api, {"name": unique_name("q_comments"), "fields": [
        {"name": "text", "type": "text"},
        {"name": "post", "type": "relation", "collectionId": posts["id"]}]})

    def mk(c, **kw):
        return pb.collection(c["name"]).create(kw).id

    t1, t2 = mk(teams, name="red"), mk(teams, name="blue")
    a1 = mk(authors, name="ann", team=t1)
    a2 = mk(authors, name="bob", team=t2)
    a3 = mk(authors, name="cid", team=t1)
    p = {}
    p["alpha"] = mk(posts, title="alpha", n=1, flag=True, tags=["a", "b"], author=a1,
                    authors=[a1, a2], pub="2024-01-01 10:00:00.000Z",
                    body="<p>Hello <b>world</b>, this is a long body text</p>",
                    meta={"k": "v", "arr": [1, 2]})
    p["beta"] = mk(posts, title="beta", n=2, flag=False, tags=["b"], author=a2,
                   authors=[a2], pub="2024-06-01 10:00:00.000Z", meta={"k": "w"})
    p["gamma"] = mk(posts, title="gamma", n=3, flag=False)
    p["Delta"] = mk(posts, title="Delta", n=4, flag=True, tags=["c"], author=a1,
                    authors=[a1, a3], pub="2025-01-01 10:00:00.000Z")
    p[""] = mk(posts, title="", n=0, tags=["a"], author=a3, authors=[a3])
    mk(comments, text="great post", post=p["alpha"])
    mk(comments, text="meh", post=p["alpha"])
    mk(comments, text="great too", post=p["beta"])
    return {"teams": teams, "authors": authors, "posts": posts, "comments": comments,
            "p": p, "a": [a1, a2, a3], "t": [t1, t2]}


def lst(api, ds, coll="posts", **params):
    r = api.get(f"/api/collections/{ds[coll]['name']}/records", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def titles(api, ds, flt, **params):
    items = lst(api, ds, filter=flt, perPage=100, **params)["items"]
    return sorted(i["title"] for i in items)


ALL = sorted(["alpha", "beta", "gamma", "Delta", ""])


# ------------------------------------------------------------------ pagination
def test_list_envelope(api, ds):
    r = api.get(f"/api/collections/{ds['posts']['name']}/records")
    assert r.headers["Content-Type"].startswith("application/json")
    body = lst(api, ds)
    assert set(body) == {"page", "perPage", "totalItems", "totalPages", "items"}
    assert body["page"] == 1 and body["perPage"] == 30
    assert body["totalItems"] == 5 and body["totalPages"] == 1
    # no sort => insertion order
    assert [i["title"] for i in body["items"]] == ["alpha", "beta", "gamma", "Delta", ""]


def test_pagination(api, ds):
    b1 = lst(api, ds, page=1, perPage=2)
    b3 = lst(api, ds, page=3, perPage=2)
    assert (b1["totalItems"], b1["totalPages"], len(b1["items"])) == (5, 3, 2)
    assert b3["page"] == 3 and len(b3["items"]) == 1
    b9 = lst(api, ds, page=9, perPage=2)
    assert b9["items"] == [] and b9["totalItems"] == 5 and b9["page"] == 9


def test_page_and_perpage_defaults(api, ds):
    body = lst(api, ds, page=0, perPage=0)
    assert body["page"] == 1 and body["perPage"] == 30
    body = lst(api, ds, page=-3, perPage=-1)
    assert body["page"] == 1 and body["perPage"] == 30


def test_perpage_clamped_to_1000(api, ds):
    assert lst(api, ds, perPage=5000)["perPage"] == 1000


def test_skip_total(api, ds):
    for v in ("1", "true"):
        body = lst(api, ds, skipTotal=v, perPage=2)
        assert body["totalItems"] == -1 and body["totalPages"] == -1
        assert len(body["items"]) == 2


def test_empty_result(api, ds):
    body = lst(api, ds, filter="n > 100")
    assert body["items"] == [] and body["totalItems"] == 0 and body["totalPages"] == 0


@pytest.mark.parametrize("params", [{"page": "abc"}, {"perPage": "x"}, {"page": "1.5"}])
def test_non_integer_paging_is_400(api, ds, params):
    r = api.get(f"/api/collections/{ds['posts']['name']}/records", params=params)
    assert_error(r, 400)


def test_sdk_get_list_and_full_list(pb, ds):
    svc = pb.collection(ds["posts"]["name"])
    res = svc.get_list(2, 2, {"sort": "n"})
    assert res.page == 2 and res.per_page == 2 and res.total_items == 5
    assert res.total_pages == 3
    assert [r.title for r in res.items] == ["beta", "gamma"]
    full = svc.get_full_list(batch=2, query_params={"sort": "-n"})
    assert [r.n for r in full] == [4, 3, 2, 1, 0]


def test_sdk_get_first_list_item(pb, ds):
    svc = pb.collection(ds["posts"]["name"])
    assert svc.get_first_list_item('title = "beta"').n == 2
    with pytest.raises(ClientResponseError) as ei:
        svc.get_first_list_item('title = "nope"')
    assert ei.value.status == 404


# ------------------------------------------------------------------ sort
@pytest.mark.parametrize("sort,expected", [
    ("n", ["", "alpha", "beta", "gamma", "Delta"]),
    ("-n", ["Delta", "gamma", "beta", "alpha", ""]),
    ("+n", ["", "alpha", "beta", "gamma", "Delta"]),
    ("-flag,n", ["alpha", "Delta", "", "beta", "gamma"]),
    ("flag,-n", ["gamma", "beta", "", "Delta", "alpha"]),
    ("-created,-n", ["", "Delta", "gamma", "beta", "alpha"]),
])
def test_sort(api, ds, sort, expected):
    items = lst(api, ds, sort=sort)["items"]
    if sort.startswith("-created"):
        # created may collide at ms resolution; only check it is a valid ordering
        created = [i["created"] for i in items]
        assert created == sorted(created, reverse=True)
    else:
        assert [i["title"] for i in items] == expected


def test_sort_by_relation_field(api, ds):
    items = lst(api, ds, sort="-author.name,n", filter="author != ''")["items"]
    assert [i["title"] for i in items] == ["", "beta", "alpha", "Delta"]


def test_sort_random_accepted(api, ds):
    items = lst(api, ds, sort="@random")["items"]
    assert sorted(i["title"] for i in items) == ALL


def test_sort_unknown_field_400(api, ds):
    r = api.get(f"/api/collections/{ds['posts']['name']}/records", params={"sort": "nope"})
    assert_error(r, 400, data={})


# ------------------------------------------------------------------ filter
@pytest.mark.parametrize("flt,expected", [
    ("n = 2", ["beta"]),
    ("n != 2", ["", "Delta", "alpha", "gamma"]),
    ("n > 3", ["Delta"]),
    ("n >= 3", ["Delta", "gamma"]),
    ("n < 2", ["", "alpha"]),
    ("n <= 1", ["", "alpha"]),
    ("title = 'beta'", ["beta"]),
    ('title = "beta"', ["beta"]),
    ("title ~ 'ta'", ["Delta", "beta"]),
    ("title ~ 'DEL'", ["Delta"]),
    ("title !~ 'a'", [""]),
    ("title ~ 'a%'", ["alpha"]),
    ("title ~ '%a'", ["Delta", "alpha", "beta", "gamma"]),
    ("flag = true", ["Delta", "alpha"]),
    ("flag = false", ["", "beta", "gamma"]),
    ("flag != true", ["", "beta", "gamma"]),
    ("n > 1 && n < 4", ["beta", "gamma"]),
    ("n = 1 || n = 4", ["Delta", "alpha"]),
    ("(n = 1 || n = 2) && flag = true", ["alpha"]),
    # && binds tighter than ||
    ("flag = true || n = 2 && n = 3", ["Delta", "alpha"]),
    ("n = 2 && n = 3 || flag = true", ["Delta", "alpha"]),
    ("n = 1 // trailing comment", ["alpha"]),
    ("title:lower = 'delta'", ["Delta"]),
    ("title:lower ~ 'del'", ["Delta"]),
    ("id != ''", ALL),
    ("meta.k = 'v'", ["alpha"]),
    ("meta.arr.1 = 2", ["alpha"]),
])
def test_filter_operators(api, ds, flt, expected):
    assert titles(api, ds, flt) == sorted(expected)


@pytest.mark.parametrize("flt,expected", [
    ("title = ''", [""]),
    ("title = null", [""]),
    ("title != ''", ["Delta", "alpha", "beta", "gamma"]),
    ("title != null", ["Delta", "alpha", "beta", "gamma"]),
    ("author = ''", ["gamma"]),
    ("author = null", ["gamma"]),
    ("pub = ''", ["", "gamma"]),
    ("pub != ''", ["Delta", "alpha", "beta"]),
    ("meta = null", ["", "Delta", "gamma"]),
])
def test_filter_null_and_empty(api, ds, flt, expected):
    assert titles(api, ds, flt) == sorted(expected)


@pytest.mark.parametrize("flt,expected", [
    ("tags:length = 0", ["gamma"]),
    ("tags:length > 1", ["alpha"]),
    ("tags:length = 1", ["", "Delta", "beta"]),
    ("authors:length = 2", ["Delta", "alpha"]),
    ("tags:each ?= 'b'", ["alpha", "beta"]),
    ("tags:each = 'a'", [""]),
    # vacuous truth: an empty list satisfies an "every element" != comparison
    ("tags:each != 'c'", ["", "alpha", "beta", "gamma"]),
    ("tags ~ 'c'", ["Delta"]),
    ("tags ?~ 'a'", ["", "alpha"]),
])
def test_filter_multi_value_fields(api, ds, flt, expected):
    assert titles(api, ds, flt) == sorted(expected)


@pytest.mark.parametrize("flt,expected", [
    ("author.name = 'ann'", ["Delta", "alpha"]),
    ("author.name != 'ann'", ["", "beta", "gamma"]),
    ("author.team.name = 'red'", ["", "Delta", "alpha"]),
    ("authors.name ?= 'bob'", ["alpha", "beta"]),
    ("authors.name = 'bob'", ["beta"]),
    ("authors.team.name ?= 'blue'", ["alpha", "beta"]),
    ("authors.name ?~ 'i'", ["", "Delta"]),
    ("comments_via_post.text ?~ 'great'", ["alpha", "beta"]),
    ("comments_via_post.text ~ 'great'", ["beta"]),
    ("comments_via_post.text ?= 'meh'", ["alpha"]),
    # relation paths are LEFT JOINs: a record without related rows compares as NULL,
    # and NULL is "equal" to '' / NULL but "not equal" to any other value
    ("authors.name ?!= 'ann'", ["", "alpha", "beta", "Delta", "gamma"]),
    ("authors.name != 'bob'", ["", "Delta", "gamma"]),
    ("authors.team.name ?> 'r'", ["", "Delta", "alpha"]),
    ("authors.team.name ?< 'c'", ["alpha", "beta"]),
    ("authors.name ?!~ 'o'", ["", "alpha", "Delta"]),
    ("authors.id ?= author", ["", "alpha", "beta", "Delta", "gamma"]),
])
def test_filter_relations(api, ds, flt, expected):
    # back-relations are spelled <referencing collection>_via_<field>
    flt = flt.replace("comments_via_post", ds["comments"]["name"] + "_via_post")
    assert titles(api, ds, flt) == sorted(expected)


@pytest.mark.parametrize("flt,expected", [
    ("created <= @now", ALL),
    ("created > @now", []),
    ("@todayStart <= @now && @yesterday < @now && @tomorrow > @now", ALL),
    ("@monthStart <= @monthEnd && @yearStart <= @yearEnd && @todayStart < @todayEnd", ALL),
    ("@second >= 0 && @minute >= 0 && @hour >= 0 && @day >= 1 && @month >= 1", ALL),
    ("@weekday >= 0 && @year >= 2024", ALL),
    ("pub < @now && pub != ''", ["Delta", "alpha", "beta"]),
    ("pub > '2024-03-01'", ["Delta", "beta"]),
    ("pub >= '2025-01-01 10:00:00.000Z'", ["Delta"]),
    ("created > @yesterday && created < @tomorrow", ALL),
])
def test_filter_dates(api, ds, flt, expected):
    assert titles(api, ds, flt) == sorted(expected)


@pytest.mark.parametrize("flt", [
    "n ===", "nope = 1", "title = 'unterminated", "n = 1 &&", "(n = 1", "title",
    "   ", "a.b.c.d.e.f.g.h = 1", "n = 1 ||| n = 2",
])
def test_bad_filter_400(api, ds, flt):
    r = api.get(f"/api/collections/{ds['posts']['name']}/records", params={"filter": flt})
    assert_error(r, 400, data={})


@pytest.mark.parametrize("flt", [
    "title = \"x' OR 1=1 --\"",
    "title = 'x\\' OR \\'1\\'=\\'1'",
    "title = \"'; DROP TABLE x; --\"",
    "title ~ '%' || n = -1",
])
def test_injection_attempts_harmless(api, ds, flt):
    r = api.get(f"/api/collections/{ds['posts']['name']}/records", params={"filter": flt})
    assert r.status_code in (200, 400), r.text
    if r.status_code == 200:
        # a literal '%' pattern is a LIKE match-anything: only that case may return rows
        if "'%'" not in flt:
            assert r.json()["items"] == []
    assert lst(api, ds)["totalItems"] == 5


def test_sdk_filter_helper_escaping(pb, ds):
    svc = pb.collection(ds["posts"]["name"])
    flt = pb.filter("title = {:t} || n = {:n}", {"t": "x' || 1=1 || title='", "n": 2})
    assert [r.title for r in svc.get_full_list(query_params={"filter": flt})] == ["beta"]


# ------------------------------------------------------------------ string escapes
ESCAPED_TITLES = ["a\\b", "l1\nl2", "t\tb", 'say "hi"', "it's", "a\\", "\\x41"]


@pytest.fixture(scope="module")
def esc(api, pb):
    coll = create_collection(api, {"name": unique_name("q_escapes"),
                                   "fields": [{"name": "title", "type": "text"}]})
    for title in ESCAPED_TITLES:
        pb.collection(coll["name"]).create({"title": title})
    return coll


def esc_titles(api, esc, flt):
    r = api.get(f"/api/collections/{esc['name']}/records", params={"filter": flt, "perPage": 100})
    assert r.status_code == 200, r.text
    return sorted(i["title"] for i in r.json()["items"])


@pytest.mark.parametrize("title", ESCAPED_TITLES)
def test_json_quoted_strings_match_what_they_encode(api, esc, title):
    """The JS SDK's `pb.filter()` writes a string param in JSON's syntax; PocketBase 0.40 reads `\\`, `\"`,
    `\n`, `\t` and `\r` back as what they encode, so every value finds itself."""
    assert esc_titles(api, esc, f"title = {json.dumps(title)}") == [title]


@pytest.mark.parametrize("flt,expected", [
    # an escaped backslash does not escape the quote after it
    (r"title = 'a\\' || title = 'nothing'", ["a\\"]),
    # escapes the language does not know are kept as written
    (r"title = '\x41'", ["\\x41"]),
    # either quote escaped in either kind of string
    ("title = 'it\\'s' || title = 'say \\\"hi\\\"' || title = \"it\\'s\"", ["it's", 'say "hi"']),
    (r"title ~ 'l1\nl2' || title = 't\tb'", ["l1\nl2", "t\tb"]),
    (r"title ~ 'a\\'", ["a\\", "a\\b"]),
])
def test_filter_string_escapes(api, esc, flt, expected):
    assert esc_titles(api, esc, flt) == sorted(expected)


def test_a_backslash_before_the_end_leaves_the_string_open(api, esc):
    r = api.get(f"/api/collections/{esc['name']}/records", params={"filter": r"title = 'a\'"})
    assert_error(r, 400, data={})


# ------------------------------------------------------------------ fields
def test_fields_on_list_items(api, ds):
    body = lst(api, ds, fields="id,title", sort="n")
    assert set(body) == {"page", "perPage", "totalItems", "totalPages", "items"}
    for it in body["items"]:
        assert set(it) == {"id", "title"}


def test_fields_only_envelope_key(api, ds):
    body = lst(api, ds, fields="perPage")
    assert body["perPage"] == 30 and body["totalItems"] == 5
    assert body["items"] == [{}, {}, {}, {}, {}]


def test_fields_on_view(api, ds):
    pid = ds["p"]["alpha"]
    r = api.get(f"/api/collections/{ds['posts']['name']}/records/{pid}",
                params={"fields": "title,n"})
    assert r.json() == {"title": "alpha", "n": 1}


def test_fields_excerpt(api, ds):
    pid = ds["p"]["alpha"]
    r = api.get(f"/api/collections/{ds['posts']['name']}/records/{pid}",
                params={"fields": "body:excerpt(10,true)"})
    assert r.json() == {"body": "Hello worl..."}
    r = api.get(f"/api/collections/{ds['posts']['name']}/records/{pid}",
                params={"fields": "body:excerpt(5)"})
    assert r.json() == {"body": "Hello"}


def test_fields_with_expand(api, ds):
    pid = ds["p"]["alpha"]
    r = api.get(f"/api/collections/{ds['posts']['name']}/records/{pid}",
                params={"expand": "author", "fields": "title,expand.author.name"})
    assert r.json() == {"title": "alpha", "expand": {"author": {"name": "ann"}}}
    r = api.get(f"/api/collections/{ds['posts']['name']}/records/{pid}",
                params={"expand": "author", "fields": "*,expand.author.name"})
    body = r.json()
    assert body["expand"] == {"author": {"name": "ann"}}
    assert body["title"] == "alpha" and body["n"] == 1 and "collectionId" in body


def test_fields_on_create_response(api, ds):
    r = api.post(f"/api/collections/{ds['teams']['name']}/records",
                 json={"name": "green"}, params={"fields": "name"})
    assert r.status_code == 200 and r.json() == {"name": "green"}
    # clean up to keep the dataset stable
    lst_ = api.get(f"/api/collections/{ds['teams']['name']}/records",
                   params={"filter": "name = 'green'"}).json()["items"]
    for it in lst_:
        api.delete(f"/api/collections/{ds['teams']['name']}/records/{it['id']}")


# ------------------------------------------------------------------ expand
def view(api, ds, key, **params):
    r = api.get(f"/api/collections/{ds['posts']['name']}/records/{ds['p'][key]}",
                params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_expand_single(api, ds):
    body = view(api, ds, "alpha", expand="author")
    a = body["expand"]["author"]
    assert isinstance(a, dict)
    assert a["id"] == ds["a"][0] and a["name"] == "ann"
    assert a["collectionName"] == ds["authors"]["name"]
    assert "expand" not in a


def test_expand_multi(api, ds):
    body = view(api, ds, "alpha", expand="authors")
    assert [x["name"] for x in body["expand"]["authors"]] == ["ann", "bob"]


def test_expand_nested(api, ds):
    body = view(api, ds, "alpha", expand="author.team,authors")
    assert body["expand"]["author"]["expand"]["team"]["name"] == "red"
    assert len(body["expand"]["authors"]) == 2


def test_expand_back_relation(api, ds):
    via = ds["comments"]["name"] + "_via_post"
    body = view(api, ds, "alpha", expand=via)
    assert isinstance(body["expand"][via], list)
    texts = sorted(c["text"] for c in body["expand"][via])
    assert texts == ["great post", "meh"]


def test_expand_empty_relation_gives_empty_object(api, ds):
    body = view(api, ds, "gamma", expand="author")
    assert body["expand"] == {}
    body = view(api, ds, "gamma", expand=ds["comments"]["name"] + "_via_post")
    assert body["expand"] == {}


def test_expand_invalid_path_ignored(api, ds):
    # first segment is not a relation -> no "expand" key at all
    for bad in ("nope", "title"):
        body = view(api, ds, "alpha", expand=bad)
        assert "expand" not in body
        assert body["title"] == "alpha"
    # first segment valid (but empty relation), deeper segment unknown -> "expand": {}
    body = view(api, ds, "gamma", expand="author.nope")
    assert body["expand"] == {}


def test_expand_drops_a_path_whole_when_a_segment_fails(api, ds):
    # PocketBase expands each path on its own: a deeper segment that names no relation fails the whole path
    # (no author either) where the relation has records, and a sibling path keeps what it shares.
    body = view(api, ds, "alpha", expand="author.nope")
    assert "expand" not in body
    body = view(api, ds, "alpha", expand="author.team,author.nope")
    assert body["expand"]["author"]["expand"]["team"]["name"] == "red"
    body = view(api, ds, "alpha", expand="author..team")  # an empty segment names no relation
    assert "expand" not in body
    for written in ("author.team.", ".author.team", "author . team"):  # spaces and end dots are dropped
        body = view(api, ds, "alpha", expand=written)
        assert body["expand"]["author"]["expand"]["team"]["name"] == "red", written


def test_expand_deeper_than_six_levels_stops_at_six(api):
    nodes = create_collection(api, {"name": unique_name("q_nodes"), "fields": [{"name": "label", "type": "text"}]})
    fields = nodes["fields"] + [{"name": "parent", "type": "relation", "collectionId": nodes["id"], "maxSelect": 1}]
    assert api.patch(f"/api/collections/{nodes['id']}", json={"fields": fields}).status_code == 200
    parent = None
    for level in range(9):
        parent = new_record(api, nodes, label=f"n{level}", **({"parent": parent["id"]} if parent else {}))
    r = api.get(f"/api/collections/{nodes['name']}/records/{parent['id']}", params={"expand": ".".join(["parent"] * 8)})
    assert r.status_code == 200, r.text
    depth, node = 0, r.json()
    while "parent" in node.get("expand", {}):
        node, depth = node["expand"]["parent"], depth + 1
    assert depth == 6


def test_expand_on_list_and_sdk(pb, ds):
    items = pb.collection(ds["posts"]["name"]).get_full_list(
        query_params={"expand": "author.team", "sort": "n"})
    by_title = {i.title: i for i in items}
    alpha = by_title["alpha"]
    assert alpha.expand["author"].name == "ann"
    assert alpha.expand["author"].expand["team"].name == "red"
    assert by_title["gamma"].expand == {}


def test_expand_on_create_and_update(api, ds):
    name = ds["posts"]["name"]
    r = api.post(f"/api/collections/{name}/records", params={"expand": "author"},
                 json={"title": "tmp", "author": ds["a"][1]})
    assert r.status_code == 200
    body = r.json()
    assert body["expand"]["author"]["name"] == "bob"
    r = api.patch(f"/api/collections/{name}/records/{body['id']}",
                  params={"expand": "authors"}, json={"authors": [ds["a"][2]]})
    assert r.json()["expand"]["authors"][0]["name"] == "cid"
    assert api.delete(f"/api/collections/{name}/records/{body['id']}").status_code == 204

"""Collections API: create/view/list/update/delete/truncate/import/scaffolds, ids, field
option defaults, unique indexes and collection validation errors (§1.4, §3)."""
import zlib

import pytest
from pocketbase.errors import ClientResponseError

from conftest import (SUPERUSERS_ID, assert_error, create_collection, error_codes,
                      field_by_name, unique_name)


def crc(s: str) -> int:
    return zlib.crc32(s.encode())


ID_FIELD = {
    "autogeneratePattern": "[a-z0-9]{15}", "help": "", "hidden": False,
    "id": "text3208210256", "max": 15, "min": 15, "name": "id", "pattern": "^[a-z0-9]+$",
    "presentable": False, "primaryKey": True, "required": True, "system": True,
    "type": "text",
}


def common(name, type_):
    return {"id": f"{type_}{crc(name)}", "name": name, "type": type_, "system": False,
            "hidden": False, "presentable": False}


def expected_fields(target_id):
    """Every field type with the option defaults PocketBase serializes."""
    def f(name, type_, required=True, help_=True, **opts):
        d = common(name, type_)
        if required:
            d["required"] = False
        if help_:
            d["help"] = ""
        d.update(opts)
        return d
    return [
        ID_FIELD,
        f("title", "text", min=0, max=0, pattern="", autogeneratePattern="", primaryKey=False),
        f("count", "number", min=None, max=None, onlyInt=False),
        f("flag", "bool"),
        f("mail", "email", onlyDomains=[], exceptDomains=[]),
        f("site", "url", onlyDomains=[], exceptDomains=[]),
        f("body", "editor", maxSize=0, convertURLs=False),
        f("when", "date", min="", max=""),
        f("created", "autodate", required=False, help_=False, onCreate=True, onUpdate=False),
        f("updated", "autodate", required=False, help_=False, onCreate=True, onUpdate=True),
        f("one", "select", values=["a", "b", "c"], maxSelect=0),
        f("many", "select", values=["a", "b", "c"], maxSelect=3),
        f("data", "json", maxSize=0),
        f("author", "relation", collectionId=target_id, cascadeDelete=False, minSelect=0,
          maxSelect=0),
        f("authors", "relation", collectionId=target_id, cascadeDelete=False, minSelect=0,
          maxSelect=5),
        f("doc", "file", maxSelect=0, maxSize=0, mimeTypes=[], thumbs=[], protected=False),
    ]


def request_fields(target_id):
    return [
        {"name": "title", "type": "text"},
        {"name": "count", "type": "number"},
        {"name": "flag", "type": "bool"},
        {"name": "mail", "type": "email"},
        {"name": "site", "type": "url"},
        {"name": "body", "type": "editor"},
        {"name": "when", "type": "date"},
        {"name": "created", "type": "autodate", "onCreate": True},
        {"name": "updated", "type": "autodate", "onCreate": True, "onUpdate": True},
        {"name": "one", "type": "select", "values": ["a", "b", "c"]},
        {"name": "many", "type": "select", "values": ["a", "b", "c"], "maxSelect": 3},
        {"name": "data", "type": "json"},
        {"name": "author", "type": "relation", "collectionId": target_id},
        {"name": "authors", "type": "relation", "collectionId": target_id, "maxSelect": 5},
        {"name": "doc", "type": "file"},
    ]


@pytest.fixture(scope="module")
def target(api):
    return create_collection(api, {"name": unique_name("coll_target"),
                                   "fields": [{"name": "name", "type": "text"}]})


@pytest.fixture(scope="module")
def everything(api, target):
    name = unique_name("coll_all")
    r = api.post("/api/collections", json={"name": name, "type": "base",
                                           "fields": request_fields(target["id"])})
    assert r.status_code == 200, r.text
    return r.json()


# ------------------------------------------------------------------ create / view / list
def test_create_minimal_base_collection_gets_only_id_field(api):
    name = unique_name("coll_min")
    body = create_collection(api, {"name": name})
    assert body["id"] == f"pbc_{crc('base' + name)}"
    assert body["type"] == "base"
    assert body["system"] is False
    assert body["fields"] == [ID_FIELD]
    assert body["indexes"] == []
    for rule in ("listRule", "viewRule", "createRule", "updateRule", "deleteRule"):
        assert body[rule] is None
    assert set(body) == {"id", "name", "type", "system", "fields", "indexes", "created",
                         "updated", "listRule", "viewRule", "createRule", "updateRule",
                         "deleteRule"}
    assert len(body["created"]) == 24 and body["created"].endswith("Z")


def test_create_every_field_type(everything, target):
    assert everything["id"] == f"pbc_{crc('base' + everything['name'])}"
    assert everything["fields"] == expected_fields(target["id"])


def test_field_ids_are_type_plus_crc32(everything):
    for f in everything["fields"]:
        assert f["id"] == f"{f['type']}{crc(f['name'])}", f


def test_view_by_id_and_name(api, everything):
    by_id = api.get(f"/api/collections/{everything['id']}").json()
    by_name = api.get(f"/api/collections/{everything['name']}").json()
    assert by_id == by_name == everything


def test_view_via_sdk(pb, everything):
    c = pb.collections.get_one(everything["name"])
    assert c.id == everything["id"]
    assert c.name == everything["name"]
    assert c.type == "base"
    assert [f["name"] for f in c.fields][:3] == ["id", "title", "count"]


def test_list_and_filter(pb, api, everything, target):
    lst = pb.collections.get_list(1, 500)
    names = {c.name for c in lst.items}
    assert {everything["name"], target["name"], "_superusers"} <= names
    body = api.get("/api/collections",
                   params={"filter": f"name = '{everything['name']}'"}).json()
    assert body["totalItems"] == 1
    assert body["items"][0] == everything
    full = pb.collections.get_full_list(batch=2)
    assert len(full) == lst.total_items


def test_view_unknown_collection_404(api, pb):
    assert_error(api.get("/api/collections/does_not_exist_x"), 404,
                 "The requested resource wasn't found.", {})
    with pytest.raises(ClientResponseError) as ei:
        pb.collections.get_one("does_not_exist_x")
    assert ei.value.status == 404


def test_sdk_create_and_delete(pb):
    name = unique_name("coll_sdk")
    c = pb.collections.create({"name": name, "type": "base",
                               "fields": [{"name": "title", "type": "text"}],
                               "listRule": ""})
    assert c.name == name and c.list_rule == "" and c.view_rule is None
    assert pb.collections.delete(name) is True
    with pytest.raises(ClientResponseError) as ei:
        pb.collections.get_one(name)
    assert ei.value.status == 404


def test_create_with_rules_and_index(api):
    name = unique_name("coll_rules")
    body = create_collection(api, {
        "name": name, "listRule": "", "viewRule": "title != ''", "createRule": None,
        "fields": [{"name": "title", "type": "text"}, {"name": "slug", "type": "text"}],
        "indexes": [f"CREATE UNIQUE INDEX `idx_slug_{name}` ON `{name}` (`slug`)"]})
    assert body["listRule"] == "" and body["viewRule"] == "title != ''"
    assert body["createRule"] is None
    assert len(body["indexes"]) == 1 and "UNIQUE" in body["indexes"][0]


def test_relation_target_must_be_collection_id(api, target):
    # PocketBase 0.40.6 does not resolve a collection *name* in relation collectionId
    r = api.post("/api/collections", json={"name": unique_name("coll_relname"), "fields": [
        {"name": "r", "type": "relation", "collectionId": target["name"]}]})
    body = assert_error(r, 400, "Failed to create collection.")
    assert body["data"]["fields"]["1"]["collectionId"]["code"] == \
        "validation_field_relation_missing_collection"


# ------------------------------------------------------------------ update
def test_update_add_rename_remove_fields_and_rename_collection(api, pb):
    name = unique_name("coll_upd")
    coll = create_collection(api, {"name": name, "fields": [
        {"name": "title", "type": "text"}, {"name": "n", "type": "number"},
        {"name": "gone", "type": "text"}]})
    rec = pb.collection(name).create({"title": "hello", "n": 7, "gone": "bye"})

    fields = coll["fields"]
    title = field_by_name(coll, "title")
    # add a field
    fields2 = fields + [{"name": "extra", "type": "bool"}]
    r = api.patch(f"/api/collections/{name}", json={"fields": fields2})
    assert r.status_code == 200, r.text
    coll2 = r.json()
    assert field_by_name(coll2, "extra")["id"] == f"bool{crc('extra')}"
    got = api.get(f"/api/collections/{name}/records/{rec.id}").json()
    assert got["title"] == "hello" and got["n"] == 7 and got["extra"] is False

    # rename a field (same id) and remove another one
    fields3 = []
    for f in coll2["fields"]:
        if f["name"] == "gone":
            continue
        if f["name"] == "title":
            f = dict(f, name="headline")
        fields3.append(f)
    r = api.patch(f"/api/collections/{name}", json={"fields": fields3})
    assert r.status_code == 200, r.text
    coll3 = r.json()
    assert field_by_name(coll3, "headline")["id"] == title["id"]
    assert "gone" not in [f["name"] for f in coll3["fields"]]
    got = api.get(f"/api/collections/{name}/records/{rec.id}").json()
    assert got["headline"] == "hello"
    assert "title" not in got and "gone" not in got
    assert got["n"] == 7

    # rename the collection: id stays, data stays, old name is gone
    new_name = unique_name("coll_renamed")
    c4 = pb.collections.update(name, {"name": new_name})
    assert c4.id == coll["id"] and c4.name == new_name
    got = api.get(f"/api/collections/{new_name}/records/{rec.id}").json()
    assert got["headline"] == "hello" and got["collectionName"] == new_name
    assert got["collectionId"] == coll["id"]
    assert api.get(f"/api/collections/{name}").status_code == 404
    assert_error(api.get(f"/api/collections/{name}/records"), 404)


def test_update_rules_only(api):
    name = unique_name("coll_upd_rules")
    coll = create_collection(api, {"name": name})
    r = api.patch(f"/api/collections/{coll['id']}", json={"listRule": "", "viewRule": "id != ''"})
    assert r.status_code == 200
    body = r.json()
    assert body["listRule"] == "" and body["viewRule"] == "id != ''"
    assert body["fields"] == coll["fields"]
    assert body["createRule"] is None


def test_update_invalid_rule(api):
    name = unique_name("coll_badrule")
    create_collection(api, {"name": name})
    r = api.patch(f"/api/collections/{name}", json={"listRule": "nope = 1"})
    body = assert_error(r, 400, "Failed to update collection.")
    assert body["data"]["listRule"]["code"] == "validation_invalid_rule"


def test_update_unknown_collection_404(api):
    assert_error(api.patch("/api/collections/nope_not_here", json={"listRule": ""}), 404)


# ------------------------------------------------------------------ delete / truncate
def test_delete_collection(api):
    name = unique_name("coll_del")
    create_collection(api, {"name": name})
    r = api.delete(f"/api/collections/{name}")
    assert r.status_code == 204 and r.content == b""
    assert_error(api.get(f"/api/collections/{name}"), 404)
    assert_error(api.delete(f"/api/collections/{name}"), 404)


def test_delete_referenced_collection_fails(api):
    tname = unique_name("coll_ref_t")
    t = create_collection(api, {"name": tname})
    sname = unique_name("coll_ref_s")
    create_collection(api, {"name": sname, "fields": [
        {"name": "r", "type": "relation", "collectionId": t["id"]}]})
    assert_error(api.delete(f"/api/collections/{tname}"), 400,
                 f"Failed to delete collection probably due to existing reference in {sname}.",
                 {})
    assert api.delete(f"/api/collections/{sname}").status_code == 204
    assert api.delete(f"/api/collections/{tname}").status_code == 204


def test_delete_system_collection_fails(api):
    assert_error(api.delete("/api/collections/_superusers"), 400,
                 "Failed to delete collection.", {})


def test_truncate(api, pb):
    name = unique_name("coll_trunc")
    create_collection(api, {"name": name, "fields": [{"name": "t", "type": "text"}]})
    for i in range(3):
        pb.collection(name).create({"t": f"x{i}"})
    assert pb.collection(name).get_list().total_items == 3
    r = api.delete(f"/api/collections/{name}/truncate")
    assert r.status_code == 204 and r.content == b""
    assert pb.collection(name).get_list().total_items == 0
    assert_error(api.delete("/api/collections/nope_not_here/truncate"), 404)


# ------------------------------------------------------------------ import / scaffolds
def test_import_creates_and_updates(pb, api):
    a = unique_name("coll_imp_a")
    b = unique_name("coll_imp_b")
    assert pb.collections.import_collections([
        {"name": a, "type": "base", "fields": [{"name": "title", "type": "text"}]},
        {"name": b, "type": "base", "listRule": "",
         "fields": [{"name": "n", "type": "number"}]},
    ]) is True
    ca = api.get(f"/api/collections/{a}").json()
    cb = api.get(f"/api/collections/{b}").json()
    assert ca["id"] == f"pbc_{crc('base' + a)}"
    assert [f["name"] for f in ca["fields"]] == ["id", "title"]
    assert cb["listRule"] == ""
    # re-import an existing collection by id with an extra field: it is updated
    fields = ca["fields"] + [{"name": "more", "type": "text"}]
    r = api.put("/api/collections/import",
                json={"collections": [dict(ca, fields=fields)], "deleteMissing": False})
    assert r.status_code == 204 and r.content == b""
    ca2 = api.get(f"/api/collections/{a}").json()
    assert [f["name"] for f in ca2["fields"]] == ["id", "title", "more"]
    assert api.get(f"/api/collections/{b}").status_code == 200


def test_import_empty_list(api):
    body = assert_error(api.put("/api/collections/import", json={"collections": []}), 400)
    assert body["data"]["collections"]["code"] == "validation_required"


def test_import_invalid_collection(api):
    r = api.put("/api/collections/import", json={"collections": [{"name": "bad name!"}]})
    body = assert_error(r, 400, "Failed to import collections.")
    assert body["data"]["collections"]["code"] == "validation_collections_import_failure"


def test_scaffolds(api):
    r = api.get("/api/collections/meta/scaffolds")
    assert r.status_code == 200
    body = r.json()
    assert set(body) >= {"base", "auth", "view"}
    base = body["base"]
    assert base["type"] == "base" and base["id"] == "" and base["name"] == ""
    assert base["fields"] == [ID_FIELD]
    assert base["indexes"] == []
    auth = body["auth"]
    assert auth["type"] == "auth"
    assert [f["name"] for f in auth["fields"]] == [
        "id", "password", "tokenKey", "email", "emailVisibility", "verified"]
    assert len(auth["indexes"]) == 2
    assert body["view"]["type"] == "view"
    assert "viewQuery" in body["view"]


# ------------------------------------------------------------------ unique index on save
def test_unique_index_violation_on_record_save(api, pb):
    name = unique_name("coll_uniq")
    create_collection(api, {"name": name, "fields": [{"name": "slug", "type": "text"}],
                            "indexes": [f"CREATE UNIQUE INDEX idx_{name}_slug ON {name} (slug)"]})
    first = pb.collection(name).create({"slug": "same"})
    r = api.post(f"/api/collections/{name}/records", json={"slug": "same"})
    body = assert_error(r, 400, "Failed to create record.")
    assert body["data"] == {"slug": {"code": "validation_not_unique",
                                     "message": "Value must be unique."}}
    other = pb.collection(name).create({"slug": "other"})
    r = api.patch(f"/api/collections/{name}/records/{other.id}", json={"slug": "same"})
    body = assert_error(r, 400, "Failed to update record.")
    assert error_codes(body) == {"slug": "validation_not_unique"}
    assert first.id


# ------------------------------------------------------------------ validation errors
@pytest.mark.parametrize("bad_name,code", [
    ("bad name!", "validation_match_invalid"),
    ("", "validation_required"),
    ("x_via_y", "validation_found_via"),
])
def test_bad_collection_name(api, bad_name, code):
    r = api.post("/api/collections", json={"name": bad_name})
    body = assert_error(r, 400, "Failed to create collection.")
    assert error_codes(body) == {"name": code}


def test_duplicate_collection_name_case_insensitive(api):
    name = unique_name("coll_dup")
    create_collection(api, {"name": name})
    for n in (name, name.upper()):
        body = assert_error(api.post("/api/collections", json={"name": n}), 400,
                            "Failed to create collection.")
        assert error_codes(body) == {"name": "validation_collection_name_exists"}


def test_duplicate_field_names_case_insensitive(api):
    r = api.post("/api/collections", json={"name": unique_name("coll_dupf"), "fields": [
        {"name": "x", "type": "text"}, {"name": "X", "type": "number"}]})
    body = assert_error(r, 400, "Failed to create collection.")
    item = body["data"]["fields"]["2"]["name"]
    assert item["code"] == "validation_duplicated_field_name"
    assert item["params"] == {"fieldName": "X"}


def test_exact_duplicate_field_name_replaces_earlier_field(api):
    # PocketBase quirk: a field list entry with exactly the same name replaces the earlier
    # one (FieldsList.Add matches by name) instead of failing.
    r = api.post("/api/collections", json={"name": unique_name("coll_dupx"), "fields": [
        {"name": "x", "type": "text"}, {"name": "x", "type": "number"}]})
    assert r.status_code == 200, r.text
    xs = [f for f in r.json()["fields"] if f["name"] == "x"]
    assert len(xs) == 1 and xs[0]["type"] == "number"


@pytest.mark.parametrize("field,code", [
    ({"name": "bad name", "type": "text"}, "validation_match_invalid"),
    ({"name": "expand", "type": "text"}, "validation_not_in_invalid"),
    ({"name": "collectionId", "type": "text"}, "validation_not_in_invalid"),
])
def test_bad_field_name(api, field, code):
    r = api.post("/api/collections", json={"name": unique_name("coll_badf"),
                                           "fields": [field]})
    body = assert_error(r, 400, "Failed to create collection.")
    assert body["data"]["fields"]["1"]["name"]["code"] == code


def test_select_without_values(api):
    r = api.post("/api/collections", json={"name": unique_name("coll_sel"),
                                           "fields": [{"name": "s", "type": "select"}]})
    body = assert_error(r, 400, "Failed to create collection.")
    assert body["data"]["fields"]["1"]["values"]["code"] == "validation_required"


def test_unknown_field_type_is_formatting_error(api):
    r = api.post("/api/collections", json={"name": unique_name("coll_ft"),
                                           "fields": [{"name": "x", "type": "wat"}]})
    assert_error(r, 400, "Failed to load the submitted data due to invalid formatting.", {})


def test_unknown_collection_type(api):
    r = api.post("/api/collections", json={"name": unique_name("coll_type"), "type": "wat"})
    body = assert_error(r, 400, "Failed to create collection.")
    assert error_codes(body) == {"type": "validation_in_invalid"}


def test_invalid_rule_on_create(api):
    r = api.post("/api/collections", json={"name": unique_name("coll_rule"),
                                           "listRule": "nope = 1"})
    body = assert_error(r, 400, "Failed to create collection.")
    assert error_codes(body) == {"listRule": "validation_invalid_rule"}
    assert "nope" in body["data"]["listRule"]["message"]


def test_malformed_collection_json(api):
    r = api.post("/api/collections", data="{bad",
                 headers={"Content-Type": "application/json"})
    assert_error(r, 400, "Failed to load the collection type data due to invalid formatting.",
                 {})


def test_superusers_collection_view(api):
    body = api.get(f"/api/collections/{SUPERUSERS_ID}").json()
    assert body["name"] == "_superusers" and body["system"] is True and body["type"] == "auth"
    for rule in ("listRule", "viewRule", "createRule", "updateRule", "deleteRule"):
        assert body[rule] is None


def _index_error(resp):
    assert resp.status_code == 400, resp.text
    return {k: v["code"] for k, v in resp.json()["data"]["indexes"].items()}


def test_indexes_are_checked_as_pocketbase_checks_them(api):
    other = create_collection(api, {"name": unique_name("idx_other"), "fields": [{"name": "x", "type": "text"}]})
    taken = f"idx_{other['name']}_x"
    assert api.patch(f"/api/collections/{other['id']}",
                     json={"indexes": [f"CREATE INDEX {taken} ON {other['name']} (x)"]}).status_code == 200
    name = unique_name("idx_t")
    fields = [{"name": "n", "type": "number"}, {"name": "title", "type": "text"}]
    cases = {
        "validation_duplicated_index_definition": [f"CREATE INDEX {name}_a ON {name} (n)",
                                                   f"CREATE INDEX {name}_b ON {name} (n)"],
        "validation_duplicated_index_name": [f"CREATE INDEX {name}_a ON {name} (n)",
                                             f"CREATE INDEX {name.upper()}_A ON {name} (title)"],
        "validation_existing_index_name": [f"CREATE INDEX {taken} ON {name} (n)"],
    }
    for code, indexes in cases.items():
        resp = api.post("/api/collections", json={"name": name, "fields": fields, "indexes": indexes})
        assert _index_error(resp) == {str(len(indexes) - 1): code}, resp.text


def test_a_unique_index_the_rows_refuse_is_an_index_error(api):
    coll = create_collection(api, {"name": unique_name("idx_dup"), "fields": [{"name": "n", "type": "number"}]})
    for _ in range(2):
        assert api.post(f"/api/collections/{coll['name']}/records", json={"n": 1}).status_code == 200
    resp = api.patch(f"/api/collections/{coll['id']}",
                     json={"indexes": [f"CREATE UNIQUE INDEX idx_{coll['name']}_n ON {coll['name']} (n)"]})
    assert _index_error(resp) == {"0": "validation_invalid_index_expression"}
    message = resp.json()["data"]["indexes"]["0"]["message"]
    assert "UNIQUE constraint failed" in message and "Error" not in message, message
    assert api.get(f"/api/collections/{coll['id']}").json()["indexes"] == []  # nothing changed


def test_index_text_is_kept_unless_the_table_name_changes(api):
    name = unique_name("idx_keep")
    given = f"create index idx_{name}_n on {name} (n)"
    coll = create_collection(api, {"name": name, "fields": [{"name": "n", "type": "number"}], "indexes": [given]})
    assert coll["indexes"] == [given]
    updated = api.patch(f"/api/collections/{coll['id']}", json={"listRule": ""}).json()
    assert updated["indexes"] == [given]
    renamed = api.patch(f"/api/collections/{coll['id']}", json={"name": name + "_r"}).json()
    assert renamed["indexes"] == [f"CREATE INDEX `idx_{name}_n` ON `{name}_r` (`n`)"]

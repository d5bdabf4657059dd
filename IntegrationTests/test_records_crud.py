"""Record create/view/update/delete: JSON shape and zero values, casting, validation codes,
autodate, client ids, modifiers (§1.4, §3.4, §4.2, §4.4)."""
import datetime
import re

import pytest
from pocketbase.errors import ClientResponseError

from conftest import assert_error, create_collection, error_codes, sleep_past, unique_name

DT_RE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$")
ID_RE = re.compile(r"^[a-z0-9]{15}$")


@pytest.fixture(scope="module")
def target(api):
    return create_collection(api, {"name": unique_name("rec_target"), "listRule": "",
                                   "viewRule": "",
                                   "fields": [{"name": "name", "type": "text"}]})


@pytest.fixture(scope="module")
def targets(pb, target):
    return [pb.collection(target["name"]).create({"name": f"t{i}"}).id for i in range(4)]


@pytest.fixture(scope="module")
def coll(api, target):
    return create_collection(api, {"name": unique_name("rec_all"), "fields": [
        {"name": "t", "type": "text"},
        {"name": "n", "type": "number"},
        {"name": "b", "type": "bool"},
        {"name": "e", "type": "email"},
        {"name": "u", "type": "url"},
        {"name": "ed", "type": "editor"},
        {"name": "d", "type": "date"},
        {"name": "s1", "type": "select", "values": ["a", "b", "c"]},
        {"name": "sm", "type": "select", "values": ["a", "b", "c", "d"], "maxSelect": 4},
        {"name": "j", "type": "json"},
        {"name": "r1", "type": "relation", "collectionId": target["id"]},
        {"name": "rm", "type": "relation", "collectionId": target["id"], "maxSelect": 10},
        {"name": "f1", "type": "file"},
        {"name": "fm", "type": "file", "maxSelect": 3},
        {"name": "created", "type": "autodate", "onCreate": True},
        {"name": "updated", "type": "autodate", "onCreate": True, "onUpdate": True},
    ]})


@pytest.fixture(scope="module")
def vcoll(api, target):
    """Collection with constraints for validation tests."""
    return create_collection(api, {"name": unique_name("rec_val"), "fields": [
        {"name": "title", "type": "text", "required": True, "min": 2, "max": 10,
         "pattern": "^[a-z ]+$"},
        {"name": "n", "type": "number", "min": 1, "max": 100, "onlyInt": True},
        {"name": "e", "type": "email"},
        {"name": "u", "type": "url"},
        {"name": "s", "type": "select", "values": ["a", "b"]},
        {"name": "sm", "type": "select", "values": ["a", "b", "c"], "maxSelect": 2},
        {"name": "r", "type": "relation", "collectionId": target["id"]},
        {"name": "rm", "type": "relation", "collectionId": target["id"], "maxSelect": 3},
        {"name": "req_n", "type": "number"},
        {"name": "j", "type": "json"},
    ]})


def url(c, rid=None):
    base = f"/api/collections/{c['name']}/records"
    return base if rid is None else f"{base}/{rid}"


# ------------------------------------------------------------------ shape / zero values
def test_zero_values_of_every_field_type(api, coll):
    r = api.post(url(coll), json={})
    assert r.status_code == 200, r.text
    rec = r.json()
    assert ID_RE.match(rec["id"])
    assert DT_RE.match(rec["created"]) and DT_RE.match(rec["updated"])
    assert rec["created"] == rec["updated"]
    expected = {"collectionId": coll["id"], "collectionName": coll["name"], "id": rec["id"],
                "created": rec["created"], "updated": rec["updated"],
                "t": "", "n": 0, "b": False, "e": "", "u": "", "ed": "", "d": "",
                "s1": "", "sm": [], "j": None, "r1": "", "rm": [], "f1": "", "fm": []}
    assert rec == expected
    assert "expand" not in rec
    # view returns the same JSON
    assert api.get(url(coll, rec["id"])).json() == rec


def test_sdk_crud_roundtrip(pb, coll, targets):
    svc = pb.collection(coll["name"])
    rec = svc.create({"t": "hello", "n": 3, "b": True, "e": "a@example.com",
                      "u": "https://example.com/x", "ed": "<p>hi</p>",
                      "d": "2024-01-02 03:04:05.000Z", "s1": "b", "sm": ["a", "c"],
                      "j": {"k": [1, 2]}, "r1": targets[0], "rm": targets[:2]})
    assert rec.collection_id == coll["id"] and rec.collection_name == coll["name"]
    assert rec.t == "hello" and rec.n == 3 and rec.b is True
    assert rec.sm == ["a", "c"] and rec.j == {"k": [1, 2]}
    assert rec.rm == targets[:2]
    assert rec.d == "2024-01-02 03:04:05.000Z"
    got = svc.get_one(rec.id)
    assert got.id == rec.id and got.t == "hello" and got.r1 == targets[0]
    upd = svc.update(rec.id, {"t": "changed", "b": False})
    assert upd.t == "changed" and upd.b is False and upd.n == 3
    assert svc.delete(rec.id) is True
    with pytest.raises(ClientResponseError) as ei:
        svc.get_one(rec.id)
    assert ei.value.status == 404
    assert ei.value.data["message"] == "The requested resource wasn't found."


def test_update_changes_updated_not_created(api, coll):
    rec = api.post(url(coll), json={"t": "x"}).json()
    # timestamps have millisecond resolution: update in a later millisecond than the create's
    created_at = datetime.datetime.strptime(rec["updated"], "%Y-%m-%d %H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()
    sleep_past(created_at + 0.002)
    upd = api.patch(url(coll, rec["id"]), json={"t": "y"}).json()
    assert upd["created"] == rec["created"]
    assert upd["updated"] > rec["updated"]


def test_delete_returns_204_empty(api, coll):
    rec = api.post(url(coll), json={}).json()
    r = api.delete(url(coll, rec["id"]))
    assert r.status_code == 204 and r.content == b""
    assert_error(api.get(url(coll, rec["id"])), 404, "The requested resource wasn't found.", {})
    assert_error(api.delete(url(coll, rec["id"])), 404)
    assert_error(api.patch(url(coll, rec["id"]), json={"t": "x"}), 404)


# ------------------------------------------------------------------ casting
@pytest.mark.parametrize("field,value,expected", [
    ("n", "12.5", 12.5),
    ("n", "abc", 0),
    ("n", True, 1),
    ("n", -3, -3),
    ("b", "true", True),
    ("b", 1, True),
    ("b", "false", False),
    ("t", 5, "5"),
    ("t", 1.5, "1.5"),
    ("s1", ["a", "b"], "b"),
    ("sm", "b", ["b"]),
    ("sm", ["a", "a", "b"], ["a", "b"]),
    ("j", '{"a":1}', {"a": 1}),
    ("j", [1, "x", None], [1, "x", None]),
    ("j", 5, 5),
    ("j", "plain text", "plain text"),
    ("d", "2025-02-03T04:05:06Z", "2025-02-03 04:05:06.000Z"),
    ("d", "2025-02-03 04:05:06.789Z", "2025-02-03 04:05:06.789Z"),
])
def test_casting(api, coll, field, value, expected):
    r = api.post(url(coll), json={field: value})
    assert r.status_code == 200, r.text
    assert r.json()[field] == expected


def test_relation_casting(api, coll, targets):
    rec = api.post(url(coll), json={"rm": targets[1], "r1": [targets[0], targets[2]]}).json()
    assert rec["rm"] == [targets[1]]
    assert rec["r1"] == targets[2]


def test_unknown_keys_and_system_keys_ignored(api, coll):
    r = api.post(url(coll), json={"t": "x", "bogus": 1, "collectionName": "zzz",
                                  "collectionId": "zzz", "expand": {"a": 1}})
    assert r.status_code == 200, r.text
    rec = r.json()
    assert "bogus" not in rec and "expand" not in rec
    assert rec["collectionName"] == coll["name"] and rec["collectionId"] == coll["id"]


def test_autodate_ignores_client_values(api, coll):
    r = api.post(url(coll), json={"created": "2000-01-01 00:00:00.000Z",
                                  "updated": "2000-01-01 00:00:00.000Z"})
    rec = r.json()
    assert not rec["created"].startswith("2000") and not rec["updated"].startswith("2000")
    upd = api.patch(url(coll, rec["id"]), json={"created": "2000-01-01 00:00:00.000Z"}).json()
    assert upd["created"] == rec["created"]


# ------------------------------------------------------------------ ids
def test_client_supplied_id(api, coll):
    rid = "myclientid12345"
    r = api.post(url(coll), json={"id": rid, "t": "x"})
    assert r.status_code == 200, r.text
    assert r.json()["id"] == rid
    body = assert_error(api.post(url(coll), json={"id": rid}), 400, "Failed to create record.")
    assert body["data"] == {"id": {"code": "validation_not_unique",
                                   "message": "Value must be unique."}}


@pytest.mark.parametrize("rid,code", [
    ("MYCLIENTID12345", "validation_invalid_format"),
    ("abc", "validation_min_text_constraint"),
    ("a" * 16, "validation_max_text_constraint"),
    ("abc-def-ghi-jkl", "validation_invalid_format"),
])
def test_client_supplied_bad_id(api, coll, rid, code):
    body = assert_error(api.post(url(coll), json={"id": rid}), 400, "Failed to create record.")
    assert error_codes(body) == {"id": code}


def test_pk_change_rejected(api, coll):
    rec = api.post(url(coll), json={}).json()
    body = assert_error(api.patch(url(coll, rec["id"]), json={"id": "otherid12345678"}), 400,
                        "Failed to update record.")
    assert body["data"] == {"id": {"code": "validation_pk_change",
                                   "message": "The record primary key cannot be changed."}}
    # sending the same id is fine
    assert api.patch(url(coll, rec["id"]), json={"id": rec["id"]}).status_code == 200


# ------------------------------------------------------------------ validation
def test_required(api, vcoll):
    body = assert_error(api.post(url(vcoll), json={}), 400, "Failed to create record.")
    assert body["data"] == {"title": {"code": "validation_required",
                                      "message": "Cannot be blank."}}


def test_many_validation_errors_at_once(api, vcoll):
    r = api.post(url(vcoll), json={"title": "a", "n": 0.5, "e": "nope", "u": "nope",
                                   "s": "z", "sm": ["a", "b", "c"], "r": "missingid123456"})
    body = assert_error(r, 400, "Failed to create record.")
    assert error_codes(body) == {
        "title": "validation_min_text_constraint",
        "n": "validation_only_int_constraint",
        "e": "validation_is_email",
        "u": "validation_invalid_url",
        "s": "validation_invalid_value",
        "sm": "validation_too_many_values",
        "r": "validation_missing_rel_records",
    }
    d = body["data"]
    assert d["title"]["params"] == {"min": 2}
    assert d["s"]["params"] == {"value": "z"}
    assert d["sm"]["params"] == {"maxSelect": 2}
    assert d["r"]["message"] == "Failed to find all relation records with the provided ids."


def test_max_constraints(api, vcoll):
    r = api.post(url(vcoll), json={"title": "abcdefghijkl", "n": 1000, "sm": ["z"]})
    body = assert_error(r, 400)
    assert error_codes(body) == {"title": "validation_max_text_constraint",
                                 "n": "validation_max_number_constraint",
                                 "sm": "validation_invalid_value"}
    assert body["data"]["title"]["params"] == {"max": 10}
    assert body["data"]["n"]["params"] == {"max": 100}


def test_min_number_and_pattern(api, vcoll):
    body = assert_error(api.post(url(vcoll), json={"title": "ABC", "n": -5}), 400)
    assert error_codes(body) == {"n": "validation_min_number_constraint",
                                 "title": "validation_invalid_format"}
    assert body["data"]["n"]["params"] == {"min": 1}


def test_zero_number_skips_min(api, vcoll):
    # 0 is the zero value: min is not checked for non-required fields
    r = api.post(url(vcoll), json={"title": "ok", "n": 0})
    assert r.status_code == 200, r.text


def test_multi_relation_missing_ids(api, vcoll, targets):
    r = api.post(url(vcoll), json={"title": "ok", "rm": [targets[0], "missingid123456"]})
    body = assert_error(r, 400)
    assert error_codes(body) == {"rm": "validation_missing_rel_records"}


def test_wrong_types_cast_to_blank(api, vcoll):
    for v in (["x", "y"], {"x": 1}):
        body = assert_error(api.post(url(vcoll), json={"title": v}), 400)
        assert error_codes(body) == {"title": "validation_required"}


def test_update_validation(api, vcoll):
    rec = api.post(url(vcoll), json={"title": "fine"}).json()
    body = assert_error(api.patch(url(vcoll, rec["id"]), json={"title": ""}), 400,
                        "Failed to update record.")
    assert error_codes(body) == {"title": "validation_required"}


def test_sdk_validation_error(pb, vcoll):
    with pytest.raises(ClientResponseError) as ei:
        pb.collection(vcoll["name"]).create({"title": "x"})
    assert ei.value.status == 400
    assert ei.value.data["data"]["title"]["code"] == "validation_min_text_constraint"


# ------------------------------------------------------------------ modifiers
def test_number_modifiers(api, coll):
    rec = api.post(url(coll), json={"n": 5}).json()
    r = api.patch(url(coll, rec["id"]), json={"n+": 10})
    assert r.json()["n"] == 15
    r = api.patch(url(coll, rec["id"]), json={"n-": 2.5})
    assert r.json()["n"] == 12.5


def test_select_modifiers(api, coll):
    rec = api.post(url(coll), json={"sm": ["a", "b"]}).json()
    r = api.patch(url(coll, rec["id"]), json={"sm+": "c"})
    assert r.json()["sm"] == ["a", "b", "c"]
    r = api.patch(url(coll, rec["id"]), json={"+sm": "d"})
    assert r.json()["sm"] == ["d", "a", "b", "c"]
    r = api.patch(url(coll, rec["id"]), json={"sm-": ["a", "c"]})
    assert r.json()["sm"] == ["d", "b"]
    r = api.patch(url(coll, rec["id"]), json={"sm+": ["b"]})
    assert r.json()["sm"] == ["d", "b"]


def test_combined_modifiers(api, coll):
    rec = api.post(url(coll), json={"n": 5, "sm": ["a", "b"]}).json()
    r = api.patch(url(coll, rec["id"]), json={"n+": 10, "sm+": "c", "sm-": ["a"]})
    assert r.status_code == 200, r.text
    assert r.json()["n"] == 15 and r.json()["sm"] == ["b", "c"]


def test_relation_modifiers(api, coll, targets):
    rec = api.post(url(coll), json={"rm": [targets[0]]}).json()
    r = api.patch(url(coll, rec["id"]), json={"rm+": [targets[1], targets[2]]})
    assert r.json()["rm"] == [targets[0], targets[1], targets[2]]
    r = api.patch(url(coll, rec["id"]), json={"+rm": targets[3]})
    assert r.json()["rm"] == [targets[3], targets[0], targets[1], targets[2]]
    r = api.patch(url(coll, rec["id"]), json={"rm-": targets[0]})
    assert r.json()["rm"] == [targets[3], targets[1], targets[2]]


def test_modifiers_via_sdk(pb, coll):
    svc = pb.collection(coll["name"])
    rec = svc.create({"n": 1, "sm": ["a"]})
    upd = svc.update(rec.id, {"n+": 2, "sm+": ["b"]})
    assert upd.n == 3 and upd.sm == ["a", "b"]
    upd = svc.update(rec.id, {"n-": 5, "sm-": "a"})
    assert upd.n == -2 and upd.sm == ["b"]

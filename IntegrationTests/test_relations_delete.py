"""Record deletion and relations: cascadeDelete, blocking required relations, removal of
dangling ids from referencing records (§4.7)."""
import pytest

from conftest import assert_error, create_collection, unique_name


@pytest.fixture()
def parents(api):
    return create_collection(api, {"name": unique_name("del_parent"),
                                   "fields": [{"name": "name", "type": "text"}]})


def rec_url(c, rid=None):
    base = f"/api/collections/{c['name']}/records"
    return base if rid is None else f"{base}/{rid}"


def mk(api, c, **body):
    r = api.post(rec_url(c), json=body)
    assert r.status_code == 200, r.text
    return r.json()["id"]


def test_cascade_delete_single(api, parents):
    kids = create_collection(api, {"name": unique_name("del_kids"), "fields": [
        {"name": "p", "type": "relation", "collectionId": parents["id"],
         "cascadeDelete": True}]})
    p1, p2 = mk(api, parents, name="p1"), mk(api, parents, name="p2")
    k1, k2 = mk(api, kids, p=p1), mk(api, kids, p=p2)
    assert api.delete(rec_url(parents, p1)).status_code == 204
    assert api.get(rec_url(kids, k1)).status_code == 404
    assert api.get(rec_url(kids, k2)).json()["p"] == p2


def test_cascade_delete_multi_only_when_emptied(api, parents):
    kids = create_collection(api, {"name": unique_name("del_kidsm"), "fields": [
        {"name": "ps", "type": "relation", "collectionId": parents["id"],
         "cascadeDelete": True, "maxSelect": 5}]})
    p1, p2 = mk(api, parents, name="p1"), mk(api, parents, name="p2")
    both = mk(api, kids, ps=[p1, p2])
    only1 = mk(api, kids, ps=[p1])
    assert api.delete(rec_url(parents, p1)).status_code == 204
    assert api.get(rec_url(kids, only1)).status_code == 404
    assert api.get(rec_url(kids, both)).json()["ps"] == [p2]


def test_required_relation_blocks_delete(api, parents):
    kids = create_collection(api, {"name": unique_name("del_req"), "fields": [
        {"name": "p", "type": "relation", "collectionId": parents["id"], "required": True}]})
    p1 = mk(api, parents, name="p1")
    k1 = mk(api, kids, p=p1)
    assert_error(api.delete(rec_url(parents, p1)), 400,
                 "Failed to delete record. Make sure that the record is not part of a "
                 "required relation reference.", {})
    assert api.get(rec_url(parents, p1)).status_code == 200
    assert api.get(rec_url(kids, k1)).json()["p"] == p1


def test_ids_removed_from_referencing_records(api, parents):
    refs = create_collection(api, {"name": unique_name("del_refs"), "fields": [
        {"name": "one", "type": "relation", "collectionId": parents["id"]},
        {"name": "many", "type": "relation", "collectionId": parents["id"], "maxSelect": 5}]})
    p1, p2, p3 = (mk(api, parents, name=n) for n in ("p1", "p2", "p3"))
    r1 = mk(api, refs, one=p1, many=[p1, p2, p3])
    r2 = mk(api, refs, one=p2, many=[p1])
    assert api.delete(rec_url(parents, p1)).status_code == 204
    got1 = api.get(rec_url(refs, r1)).json()
    got2 = api.get(rec_url(refs, r2)).json()
    assert got1["one"] == "" and got1["many"] == [p2, p3]
    assert got2["one"] == p2 and got2["many"] == []


def test_sdk_delete_and_404(pb, api, parents):
    svc = pb.collection(parents["name"])
    rid = svc.create({"name": "x"}).id
    assert svc.delete(rid) is True
    assert_error(api.delete(rec_url(parents, rid)), 404,
                 "The requested resource wasn't found.", {})

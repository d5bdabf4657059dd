"""Collection API rules at their simplest: "" = public, null = superusers only (§4.1)."""
import pytest
from pocketbase.errors import ClientResponseError

from conftest import assert_error, create_collection, unique_name

SU_ONLY = "Only superusers can perform this action."


@pytest.fixture(scope="module")
def public(api):
    return create_collection(api, {"name": unique_name("rules_pub"), "listRule": "",
                                   "viewRule": "", "createRule": "", "updateRule": "",
                                   "deleteRule": "",
                                   "fields": [{"name": "t", "type": "text"}]})


@pytest.fixture(scope="module")
def locked(api):
    return create_collection(api, {"name": unique_name("rules_lock"),
                                   "fields": [{"name": "t", "type": "text"}]})


@pytest.fixture(scope="module")
def locked_rec(api, locked):
    return api.post(f"/api/collections/{locked['name']}/records", json={"t": "secret"}).json()


def test_public_collection_usable_by_guest_sdk(pb_guest, public):
    svc = pb_guest.collection(public["name"])
    rec = svc.create({"t": "hello"})
    assert rec.t == "hello"
    assert svc.get_one(rec.id).t == "hello"
    assert rec.id in [r.id for r in svc.get_full_list()]
    assert svc.update(rec.id, {"t": "bye"}).t == "bye"
    assert svc.delete(rec.id) is True


def test_public_collection_raw(guest, public):
    base = f"/api/collections/{public['name']}/records"
    r = guest.post(base, json={"t": "raw"})
    assert r.status_code == 200
    rid = r.json()["id"]
    assert guest.get(base).status_code == 200
    assert guest.get(f"{base}/{rid}").json()["t"] == "raw"
    assert guest.delete(f"{base}/{rid}").status_code == 204


@pytest.mark.parametrize("method,suffix,body", [
    ("GET", "", None), ("POST", "", {"t": "x"}), ("GET", "/{id}", None),
    ("PATCH", "/{id}", {"t": "x"}), ("DELETE", "/{id}", None),
])
def test_null_rule_forbids_guest(guest, locked, locked_rec, method, suffix, body):
    path = f"/api/collections/{locked['name']}/records" + suffix.format(id=locked_rec["id"])
    assert_error(guest.request(method, path, json=body), 403, SU_ONLY, {})


def test_null_rule_forbids_guest_sdk(pb_guest, locked, locked_rec):
    with pytest.raises(ClientResponseError) as ei:
        pb_guest.collection(locked["name"]).get_list()
    assert ei.value.status == 403
    assert ei.value.data["message"] == SU_ONLY


def test_null_rule_with_invalid_token_is_guest(guest, locked):
    r = guest.get(f"/api/collections/{locked['name']}/records",
                  headers={"Authorization": "garbage.token.value"})
    assert_error(r, 403, SU_ONLY, {})


def test_superuser_bypasses_null_rules(api, locked, locked_rec):
    r = api.get(f"/api/collections/{locked['name']}/records/{locked_rec['id']}")
    assert r.status_code == 200 and r.json()["t"] == "secret"


def test_mixed_rules(api, guest):
    c = create_collection(api, {"name": unique_name("rules_mix"), "listRule": "",
                                "viewRule": None, "createRule": "",
                                "fields": [{"name": "t", "type": "text"}]})
    base = f"/api/collections/{c['name']}/records"
    rid = guest.post(base, json={"t": "x"}).json()["id"]
    assert guest.get(base).json()["totalItems"] >= 1
    assert_error(guest.get(f"{base}/{rid}"), 403, SU_ONLY, {})
    assert_error(guest.patch(f"{base}/{rid}", json={"t": "y"}), 403, SU_ONLY, {})
    assert_error(guest.delete(f"{base}/{rid}"), 403, SU_ONLY, {})


def test_guest_filter_cannot_use_request(guest, public):
    r = guest.get(f"/api/collections/{public['name']}/records",
                  params={"filter": "@request.auth.id = ''"})
    assert_error(r, 403, "Only superusers can filter by @request.", {})

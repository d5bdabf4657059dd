"""Small differences from PocketBase 0.40.6 found by a broad SDK run (issue 20): each case passes against
PocketBase first."""
from conftest import create_collection, unique_name


def test_a_superuser_created_through_the_records_api_is_verified(api):
    email = unique_name("su") + "@example.com"
    r = api.post("/api/collections/_superusers/records",
                 json={"email": email, "password": "pass-12345678", "passwordConfirm": "pass-12345678"})
    assert r.status_code == 200, r.text
    assert r.json()["verified"] is True
    # Even when asked otherwise: superusers are always verified.
    email = unique_name("su") + "@example.com"
    r = api.post("/api/collections/_superusers/records",
                 json={"email": email, "password": "pass-12345678", "passwordConfirm": "pass-12345678", "verified": False})
    assert r.status_code == 200, r.text
    assert r.json()["verified"] is True
    r = api.patch(f"/api/collections/_superusers/records/{r.json()['id']}", json={"verified": False})
    assert r.status_code == 200, r.text
    assert r.json()["verified"] is True


def test_a_new_auth_collection_keeps_the_order_of_the_fields_it_was_given(api):
    coll = create_collection(api, {"name": unique_name("ordered"), "type": "auth", "fields": [
        {"name": "nickname", "type": "text"}, {"name": "email", "type": "email", "required": True},
        {"name": "age", "type": "number"}]})
    names = [f["name"] for f in coll["fields"]]
    assert names.index("nickname") < names.index("email") < names.index("age")
    got = [f["name"] for f in api.get(f"/api/collections/{coll['id']}").json()["fields"]]
    assert got == names


def test_missing_system_fields_are_added_id_first_the_rest_after_the_given_ones(api):
    coll = create_collection(api, {"name": unique_name("plainauth"), "type": "auth", "fields": [
        {"name": "nickname", "type": "text"}, {"name": "age", "type": "number"}]})
    assert [f["name"] for f in coll["fields"]] == [
        "id", "nickname", "age", "password", "tokenKey", "email", "emailVisibility", "verified"]
    email = next(f for f in coll["fields"] if f["name"] == "email")
    assert email["system"] is True and email["required"] is True


def test_a_system_field_given_by_name_is_made_a_system_field_in_its_place(api):
    coll = create_collection(api, {"name": unique_name("given"), "type": "auth", "fields": [
        {"name": "verified", "type": "bool"}, {"name": "title", "type": "text"},
        {"name": "tokenKey", "type": "number"}]})
    fields = {f["name"]: f for f in coll["fields"]}
    names = [f["name"] for f in coll["fields"]]
    assert names[:4] == ["id", "verified", "title", "tokenKey"]
    assert fields["verified"]["system"] is True
    # Given with another type, it is replaced by the system field where it stood.
    assert fields["tokenKey"]["type"] == "text" and fields["tokenKey"]["hidden"] is True

"""PocketBase's `_externalAuths` and `_authOrigins` system collections, and the login alert (`authAlert`):
a login from a new origin (address + user agent) of a record that has logged in before mails its owner.
Passes on PocketBase 0.40.6 and Swiftbase."""
import pytest
import requests

from conftest import Api, create_collection, unique_name

PASSWORD = "pass-12345678"
OWNER_RULE = "@request.auth.id != '' && recordRef = @request.auth.id && collectionRef = @request.auth.collectionId"


@pytest.fixture(scope="module")
def members(api, mailbox):
    return create_collection(api, {"name": unique_name("origins"), "type": "auth", "createRule": "", "fields": []})


def sign_up(api, coll):
    email = unique_name("m") + "@example.com"
    r = api.post(f"/api/collections/{coll['name']}/records",
                 json={"email": email, "password": PASSWORD, "passwordConfirm": PASSWORD})
    assert r.status_code == 200, r.text
    return r.json(), email


def login(base, coll, email, agent):
    r = requests.post(f"{base}/api/collections/{coll['name']}/auth-with-password",
                      json={"identity": email, "password": PASSWORD}, headers={"User-Agent": agent}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()["token"]


@pytest.mark.parametrize("name,fields", [
    ("_externalAuths", ["id", "collectionRef", "recordRef", "provider", "providerId", "created", "updated"]),
    ("_authOrigins", ["id", "collectionRef", "recordRef", "fingerprint", "created", "updated"]),
])
def test_the_system_collections_exist_as_pocketbase_defines_them(api, name, fields):
    coll = api.get(f"/api/collections/{name}").json()
    assert coll["system"] is True and coll["type"] == "base"
    assert [f["name"] for f in coll["fields"]] == fields
    assert coll["listRule"] == OWNER_RULE and coll["viewRule"] == OWNER_RULE and coll["deleteRule"] == OWNER_RULE
    assert coll["createRule"] is None and coll["updateRule"] is None
    assert all(f["system"] for f in coll["fields"])


def test_a_record_lists_its_own_external_auths_and_origins_only(api, members):
    user, email = sign_up(api, members)
    token = login(api.base, members, email, "agent-one")
    me = Api(api.base, token)
    # What the SDKs' listExternalAuths(id) asks.
    r = me.get(f"/api/collections/_externalAuths/records?filter=recordRef%3D'{user['id']}'")
    assert r.status_code == 200, r.text
    assert r.json()["items"] == []
    origins = me.get("/api/collections/_authOrigins/records").json()["items"]
    assert len(origins) == 1 and origins[0]["recordRef"] == user["id"] and origins[0]["collectionRef"] == members["id"]
    other, other_email = sign_up(api, members)
    login(api.base, members, other_email, "agent-one")
    assert len(me.get("/api/collections/_authOrigins/records").json()["items"]) == 1
    # The owner may forget an origin; nobody may create one.
    assert me.delete(f"/api/collections/_authOrigins/records/{origins[0]['id']}").status_code == 204
    r = me.post("/api/collections/_authOrigins/records",
                json={"collectionRef": members["id"], "recordRef": user["id"], "fingerprint": "x"})
    assert r.status_code == 403


def test_a_login_from_a_new_origin_mails_the_owner_but_not_the_first_or_a_known_one(api, members, mailbox):
    user, email = sign_up(api, members)
    login(api.base, members, email, "first-browser")      # the first login: no alert
    login(api.base, members, email, "first-browser")      # the same origin: no alert
    login(api.base, members, email, "second-browser/2.0")  # a new origin: alert
    mail = mailbox.wait_for(email)
    assert "second-browser/2.0" in mail.text
    assert mailbox.count(email) == 1
    token = login(api.base, members, email, "second-browser/2.0")
    origins = Api(api.base, token).get("/api/collections/_authOrigins/records").json()["items"]
    assert len(origins) == 2


def test_at_most_five_origins_are_kept(api, members):
    user, email = sign_up(api, members)
    for i in range(7):
        token = login(api.base, members, email, f"browser-{i}")
    origins = Api(api.base, token).get("/api/collections/_authOrigins/records").json()["items"]
    assert len(origins) == 5


def test_origins_go_with_a_password_change_and_with_the_record(api, members):
    user, email = sign_up(api, members)
    login(api.base, members, email, "browser-a")
    login(api.base, members, email, "browser-b")

    def origins():
        r = api.get(f"/api/collections/_authOrigins/records?filter=recordRef%3D'{user['id']}'")
        assert r.status_code == 200, r.text
        return r.json()["items"]

    assert len(origins()) == 2
    new_password = "another-pass-123"
    r = api.patch(f"/api/collections/{members['name']}/records/{user['id']}",
                  json={"password": new_password, "passwordConfirm": new_password})
    assert r.status_code == 200, r.text
    assert origins() == []
    r = requests.post(f"{api.base}/api/collections/{members['name']}/auth-with-password",
                      json={"identity": email, "password": new_password}, headers={"User-Agent": "browser-c"}, timeout=10)
    assert r.status_code == 200
    assert len(origins()) == 1
    assert api.delete(f"/api/collections/{members['name']}/records/{user['id']}").status_code == 204
    assert origins() == []

"""Auth collections end to end: sign-up, password login, refresh, auth-methods, impersonation and
authRule (§3.2, §6.2–6.4), through the SDK and raw HTTP, and the token attacks a server must refuse."""
import base64
import hashlib
import hmac
import json
import time
import uuid

import pytest
import requests
from pocketbase import PocketBase
from pocketbase.errors import ClientResponseError

from conftest import assert_error, create_collection, jwt_header, jwt_payload, poll, unique_name

PASSWORD = "Secret-pass-1234"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(header: dict, payload: dict, key: bytes | None) -> str:
    head = b64url(json.dumps(header, separators=(",", ":")).encode())
    body = b64url(json.dumps(payload, separators=(",", ":")).encode())
    signing_input = f"{head}.{body}".encode()
    sig = b"" if key is None else hmac.new(key, signing_input, hashlib.sha256).digest()
    return f"{head}.{body}.{b64url(sig)}"


@pytest.fixture(scope="module")
def members(api):
    """An auth collection made through the API, with owner-only rules on its records."""
    return create_collection(api, {
        "name": unique_name("members"), "type": "auth",
        "listRule": "id = @request.auth.id", "viewRule": "id = @request.auth.id",
        "createRule": "", "updateRule": "id = @request.auth.id", "deleteRule": "id = @request.auth.id",
        "fields": [{"name": "nick", "type": "text"}],
    })


def sign_up(guest, coll, email=None, **extra):
    email = email or f"{uuid.uuid4().hex[:10]}@example.com"
    r = guest.post(f"/api/collections/{coll['name']}/records", auth=False,
                   json={"email": email, "password": PASSWORD, "passwordConfirm": PASSWORD, **extra})
    assert r.status_code == 200, r.text
    return r.json(), email


def login(guest, coll, email, password=PASSWORD):
    r = guest.post(f"/api/collections/{coll['name']}/auth-with-password", auth=False,
                   json={"identity": email, "password": password})
    assert r.status_code == 200, r.text
    return r.json()


def whoami(guest, coll, rec_id, token):
    """Status of viewing one's own record with `token`: 200 when the token is honoured, 404 as a guest."""
    return guest.get(f"/api/collections/{coll['name']}/records/{rec_id}", auth=False,
                     headers={"Authorization": token}).status_code


# --------------------------------------------------------------------------- flows
def test_sdk_sign_up_login_refresh_on_default_users(server):
    pb = PocketBase(server.url, timeout=30)
    email = f"{uuid.uuid4().hex[:10]}@example.com"
    created = pb.collection("users").create(
        {"email": email, "password": PASSWORD, "passwordConfirm": PASSWORD, "name": "Ann"})
    assert getattr(created, "email", "") == ""  # hidden from guests unless emailVisibility
    auth = pb.collection("users").auth_with_password(email, PASSWORD)
    assert auth.record.id == created.id and auth.record.email == email
    assert pb.auth_store.token == auth.token
    claims = jwt_payload(auth.token)
    assert claims["type"] == "auth" and claims["collectionId"] == "_pb_users_auth_"
    assert claims["refreshable"] is True and isinstance(claims["exp"], int)
    assert jwt_header(auth.token)["alg"] == "HS256"
    # the owner rule of `users` lets the record see itself
    assert pb.collection("users").get_one(created.id).name == "Ann"
    refreshed = pb.collection("users").auth_refresh()
    assert refreshed.record.id == created.id and refreshed.token


def test_sdk_list_auth_methods(server, pb):
    methods = PocketBase(server.url, timeout=30).collection("users").list_auth_methods()
    assert methods.email_password is True
    assert methods.username_password is False
    assert methods.auth_providers == []


def test_auth_methods_shape(guest, members):
    r = guest.get(f"/api/collections/{members['name']}/auth-methods")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["password"] == {"enabled": True, "identityFields": ["email"]}
    assert body["oauth2"] == {"enabled": False, "providers": []}
    assert body["mfa"] == {"enabled": False, "duration": 0}
    assert body["otp"] == {"enabled": False, "duration": 0}
    assert body["emailPassword"] is True and body["usernamePassword"] is False


def test_auth_endpoints_on_base_collection(api, guest, members):
    base = create_collection(api, {"name": unique_name("not_auth"), "fields": []})
    for method, path in [("GET", "auth-methods"), ("POST", "auth-with-password")]:
        r = guest.request(method, f"/api/collections/{base['name']}/{path}", json={})
        assert_error(r, 404, "Missing or invalid auth collection context.", {})
    # refresh checks the token first: a guest is 401, a token of another collection 403 naming its own
    r = guest.post(f"/api/collections/{base['name']}/auth-refresh")
    assert_error(r, 401, "The request requires valid record authorization token.", {})
    _, email = sign_up(guest, members)
    token = login(guest, members, email)["token"]
    r = guest.post(f"/api/collections/{base['name']}/auth-refresh", headers={"Authorization": token})
    assert_error(r, 403, f"The request requires auth record from {members['name']} collection.", {})


@pytest.mark.parametrize("method,path", [
    ("GET", "auth-methods"), ("POST", "auth-with-password"), ("POST", "auth-refresh"),
    ("POST", "request-otp"), ("POST", "auth-with-otp"), ("POST", "request-verification"),
    ("POST", "confirm-password-reset"), ("POST", "request-email-change")])
def test_auth_endpoints_on_unknown_collection(guest, method, path):
    r = guest.request(method, f"/api/collections/no_such_coll_q/{path}", json={})
    assert_error(r, 404, "Missing or invalid collection context.", {})


def test_sign_up_validation(guest, members):
    url = f"/api/collections/{members['name']}/records"
    r = guest.post(url, json={"email": "x@example.com", "password": PASSWORD, "passwordConfirm": "other"})
    body = assert_error(r, 400, "Failed to create record.")
    assert body["data"]["passwordConfirm"]["code"] == "validation_values_mismatch"
    for missing in ({}, {"passwordConfirm": ""}):
        r = guest.post(url, json={"email": "x@example.com", "password": PASSWORD, **missing})
        body = assert_error(r, 400, "Failed to create record.")
        assert body["data"]["passwordConfirm"]["code"] == "validation_required", body
    # The password pair is checked first and alone, as PocketBase's form does: no field errors beside it.
    body = assert_error(guest.post(url, json={}), 400, "Failed to create record.")
    assert {k: v["code"] for k, v in body["data"].items()} == {
        "password": "validation_required", "passwordConfirm": "validation_required"}
    r = guest.post(url, json={"email": "nope", "password": "short", "passwordConfirm": "short"})
    body = assert_error(r, 400, "Failed to create record.")
    assert body["data"]["email"]["code"] == "validation_is_email"
    assert body["data"]["password"]["code"] == "validation_min_text_constraint"


def test_duplicate_email_is_not_unique(guest, members):
    _, email = sign_up(guest, members)
    r = guest.post(f"/api/collections/{members['name']}/records",
                   json={"email": email, "password": PASSWORD, "passwordConfirm": PASSWORD})
    body = assert_error(r, 400, "Failed to create record.")
    assert body["data"]["email"]["code"] == "validation_not_unique"


def test_login_failures_reveal_nothing(guest, members):
    _, email = sign_up(guest, members)
    url = f"/api/collections/{members['name']}/auth-with-password"
    wrong_pw = guest.post(url, json={"identity": email, "password": "wrong-password"})
    no_user = guest.post(url, json={"identity": "ghost@example.com", "password": PASSWORD})
    for r in (wrong_pw, no_user):
        assert_error(r, 400, "Failed to authenticate.", {})
    body = assert_error(guest.post(url, json={}), 400, "An error occurred while validating the submitted data.")
    assert set(body["data"]) == {"identity", "password"}


def test_login_case_follows_the_unique_index_collation(api, guest, members):
    """The default email index has no collation: the identity must match exactly. An index declared
    COLLATE NOCASE makes the login case-insensitive."""
    rec, email = sign_up(guest, members)
    r = guest.post(f"/api/collections/{members['name']}/auth-with-password",
                   json={"identity": email.upper(), "password": PASSWORD})
    assert_error(r, 400, "Failed to authenticate.", {})
    coll = create_collection(api, {
        "name": unique_name("nocase"), "type": "auth", "createRule": "",
        "passwordAuth": {"enabled": True, "identityFields": ["email", "handle"]},
        "fields": [{"name": "handle", "type": "text"}],
        "indexes": ["CREATE UNIQUE INDEX idx_handle_nc ON x (handle COLLATE NOCASE)"]})
    rec, email = sign_up(guest, coll, handle="MixedCase")
    assert login(guest, coll, "mixedcase")["record"]["id"] == rec["id"]
    assert login(guest, coll, email)["record"]["id"] == rec["id"]


def test_auth_record_json_hides_secrets(api, guest, members):
    rec, email = sign_up(guest, members)
    auth = login(guest, members, email)
    for body in (auth["record"], api.get(f"/api/collections/{members['name']}/records/{rec['id']}").json()):
        assert "password" not in body and "tokenKey" not in body
    assert auth["record"]["email"] == email


def test_refresh_requires_a_token_of_that_collection(guest, members):
    url = f"/api/collections/{members['name']}/auth-refresh"
    assert_error(guest.post(url), 401, "The request requires valid record authorization token.", {})
    _, email = sign_up(guest, members)
    other_token = login(guest, members, email)["token"]
    r = guest.post("/api/collections/users/auth-refresh", headers={"Authorization": other_token})
    assert_error(r, 403, f"The request requires auth record from {members['name']} collection.", {})
    r = guest.post(url, headers={"Authorization": other_token})
    assert r.status_code == 200 and jwt_payload(r.json()["token"])["refreshable"] is True


def test_impersonate(api, guest, members):
    rec, email = sign_up(guest, members)
    url = f"/api/collections/{members['name']}/impersonate/{rec['id']}"
    r = api.post(url, json={"duration": 100})
    assert r.status_code == 200, r.text
    token = r.json()["token"]
    claims = jwt_payload(token)
    assert claims["refreshable"] is False and claims["id"] == rec["id"]
    assert 90 <= claims["exp"] - time.time() <= 110
    assert r.json()["record"]["email"] == email
    assert whoami(guest, members, rec["id"], token) == 200
    # an impersonation token is not renewed by refresh
    refreshed = guest.post(f"/api/collections/{members['name']}/auth-refresh", headers={"Authorization": token})
    assert refreshed.status_code == 200 and refreshed.json()["token"] == token
    # only superusers impersonate
    user_token = login(guest, members, email)["token"]
    assert_error(guest.post(url, headers={"Authorization": user_token}), 403,
                 "The authorized record is not allowed to perform this action.", {})
    assert_error(guest.post(url), 401, "The request requires valid record authorization token.", {})
    assert_error(api.post(f"/api/collections/{members['name']}/impersonate/missing12345678"), 404)


def test_auth_rule_gates_login(api, guest):
    coll = create_collection(api, {"name": unique_name("gated"), "type": "auth", "createRule": "",
                                   "authRule": "nick = 'vip'",
                                   "fields": [{"name": "nick", "type": "text"}]})
    _, plain = sign_up(guest, coll, nick="plain")
    _, vip = sign_up(guest, coll, nick="vip")
    r = guest.post(f"/api/collections/{coll['name']}/auth-with-password",
                   json={"identity": plain, "password": PASSWORD})
    assert_error(r, 403, "The request doesn't satisfy the collection requirements to authenticate.", {})
    assert login(guest, coll, vip)["token"]


def test_null_auth_rule_blocks_everyone(api, guest):
    coll = create_collection(api, {"name": unique_name("closed"), "type": "auth", "createRule": "",
                                   "authRule": None, "fields": []})
    _, email = sign_up(guest, coll)
    r = guest.post(f"/api/collections/{coll['name']}/auth-with-password",
                   json={"identity": email, "password": PASSWORD})
    assert_error(r, 403, "The request doesn't satisfy the collection requirements to authenticate.", {})


# --------------------------------------------------------------------------- attacks
@pytest.fixture()
def victim(guest, members):
    rec, email = sign_up(guest, members)
    return rec, email, login(guest, members, email)["token"]


def test_valid_token_is_honoured(guest, members, victim):
    rec, _, token = victim
    assert whoami(guest, members, rec["id"], token) == 200
    assert whoami(guest, members, rec["id"], "Bearer " + token) == 200


def test_forged_signature_is_a_guest(guest, members, victim):
    rec, _, token = victim
    head, body, sig = token.split(".")
    flipped = sig[:-2] + ("AA" if sig[-2:] != "AA" else "BB")
    assert whoami(guest, members, rec["id"], f"{head}.{body}.{flipped}") == 404
    # a token signed with a guessed key
    claims = jwt_payload(token)
    assert whoami(guest, members, rec["id"], make_jwt(jwt_header(token), claims, b"guessed-secret")) == 404


def test_alg_none_is_a_guest(guest, members, victim):
    rec, _, token = victim
    claims = jwt_payload(token)
    for alg in ("none", "None", "NONE"):
        assert whoami(guest, members, rec["id"], make_jwt({"alg": alg, "typ": "JWT"}, claims, None)) == 404


def test_payload_swap_is_a_guest(guest, members, victim):
    """Another user's id pasted into a valid token's payload keeps the old signature: refused."""
    _, _, token = victim
    other, _ = sign_up(guest, members)
    head, _, sig = token.split(".")
    claims = jwt_payload(token)
    claims["id"] = other["id"]
    forged = f"{head}.{b64url(json.dumps(claims, separators=(',', ':')).encode())}.{sig}"
    assert whoami(guest, members, other["id"], forged) == 404


def test_expired_token_is_a_guest(api, guest, members, victim):
    rec, _, _ = victim
    short = api.post(f"/api/collections/{members['name']}/impersonate/{rec['id']}", json={"duration": 1})
    token = short.json()["token"]
    assert whoami(guest, members, rec["id"], token) == 200
    # the token lives 1 s (`exp`, whole seconds): poll until it is refused
    poll(lambda: whoami(guest, members, rec["id"], token), lambda status: status == 404,
         timeout=jwt_payload(token)["exp"] - time.time() + 5, interval=0.1,
         what="the expired token to make a guest (404)")
    assert_error(guest.post(f"/api/collections/{members['name']}/auth-refresh",
                            headers={"Authorization": token}), 401)


def test_token_after_password_change_is_a_guest(guest, members, victim):
    rec, email, token = victim
    new_password = "Another-pass-5678"
    r = guest.patch(f"/api/collections/{members['name']}/records/{rec['id']}",
                    headers={"Authorization": token},
                    json={"oldPassword": PASSWORD, "password": new_password, "passwordConfirm": new_password})
    assert r.status_code == 200, r.text
    assert whoami(guest, members, rec["id"], token) == 404
    fresh = login(guest, members, email, new_password)["token"]
    assert whoami(guest, members, rec["id"], fresh) == 200


def test_token_of_deleted_user_is_a_guest(api, guest, members, victim):
    rec, _, token = victim
    assert api.delete(f"/api/collections/{members['name']}/records/{rec['id']}").status_code == 204
    r = guest.post(f"/api/collections/{members['name']}/auth-refresh", headers={"Authorization": token})
    assert_error(r, 401, "The request requires valid record authorization token.", {})


def test_superuser_token_claims_cannot_be_borrowed(guest, members, victim, su_token):
    """A user token relabelled as a superuser token (collectionId swapped) is refused."""
    rec, _, token = victim
    head, _, sig = token.split(".")
    claims = jwt_payload(token)
    claims["collectionId"] = "pbc_3142635823"
    forged = f"{head}.{b64url(json.dumps(claims, separators=(',', ':')).encode())}.{sig}"
    r = guest.get("/api/collections", headers={"Authorization": forged})
    assert_error(r, 401)


def test_another_users_record_is_hidden(guest, members, victim):
    _, _, token = victim
    other, _ = sign_up(guest, members)
    base = f"/api/collections/{members['name']}/records"
    h = {"Authorization": token}
    assert_error(guest.get(f"{base}/{other['id']}", headers=h), 404)
    assert_error(guest.patch(f"{base}/{other['id']}", headers=h, json={"nick": "pwned"}), 404)
    assert_error(guest.delete(f"{base}/{other['id']}", headers=h), 404)
    listed = guest.get(base, headers=h).json()
    assert [i["id"] for i in listed["items"]] != [] and other["id"] not in [i["id"] for i in listed["items"]]


@pytest.mark.parametrize("escape", [
    "id != ''", "1 = 1", "id != '' || 1 = 1", "(id = 'x') || (id != 'x')", "id ~ '%'",
    "id = '' || id != ''",
])
def test_filters_cannot_escape_the_list_rule(guest, members, victim, escape):
    rec, _, token = victim
    sign_up(guest, members)
    r = guest.get(f"/api/collections/{members['name']}/records", headers={"Authorization": token},
                  params={"filter": escape})
    assert r.status_code == 200, r.text
    assert [i["id"] for i in r.json()["items"]] in ([rec["id"]], [])


def test_guest_cannot_filter_by_request_auth(guest, members):
    r = guest.get(f"/api/collections/{members['name']}/records", params={"filter": "@request.auth.id = ''"})
    assert_error(r, 403, "Only superusers can filter by @request.", {})


def test_sql_in_identity_is_just_text(guest, members):
    for identity in ("' OR 1=1 --", "\" OR \"\"=\"", "x@example.com' --"):
        r = guest.post(f"/api/collections/{members['name']}/auth-with-password",
                       json={"identity": identity, "password": "whatever"})
        assert_error(r, 400, "Failed to authenticate.", {})

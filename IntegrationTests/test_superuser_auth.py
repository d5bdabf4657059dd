"""Superuser auth-with-password / auth-refresh and superuser-only access (§3.1, §6)."""
import time

from pocketbase import PocketBase
from pocketbase.errors import ClientResponseError
import pytest

from conftest import (SU_EMAIL, SU_PASSWORD, SUPERUSERS_ID, assert_error, jwt_header,
                      jwt_payload)


def test_sdk_auth_with_password(server):
    pb = PocketBase(server.url, timeout=30)
    res = pb.collection("_superusers").auth_with_password(SU_EMAIL, SU_PASSWORD)
    assert res.token and pb.auth_store.token == res.token
    assert res.record.email == SU_EMAIL
    assert res.record.collection_id == SUPERUSERS_ID
    assert res.record.collection_name == "_superusers"
    assert res.is_valid
    # the token works for superuser-only endpoints
    lst = pb.collections.get_list(1, 50)
    assert lst.total_items >= 1


def test_raw_auth_response_shape(guest):
    r = guest.post("/api/collections/_superusers/auth-with-password",
                   json={"identity": SU_EMAIL, "password": SU_PASSWORD})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"token", "record"}
    rec = body["record"]
    assert rec["email"] == SU_EMAIL
    assert rec["collectionId"] == SUPERUSERS_ID
    assert rec["collectionName"] == "_superusers"
    assert rec["verified"] is True
    assert "password" not in rec and "tokenKey" not in rec
    assert set(rec) >= {"id", "email", "emailVisibility", "verified", "created", "updated"}


def test_token_shape(guest):
    body = guest.post("/api/collections/_superusers/auth-with-password",
                      json={"identity": SU_EMAIL, "password": SU_PASSWORD}).json()
    token = body["token"]
    assert len(token.split(".")) == 3
    assert jwt_header(token) == {"alg": "HS256", "typ": "JWT"}
    claims = jwt_payload(token)
    assert claims["type"] == "auth"
    assert claims["collectionId"] == SUPERUSERS_ID
    assert claims["id"] == body["record"]["id"]
    assert claims["refreshable"] is True
    assert isinstance(claims["exp"], int)
    # superuser token duration is 1 day
    assert abs(claims["exp"] - (time.time() + 86400)) < 120


def test_wrong_password(guest):
    r = guest.post("/api/collections/_superusers/auth-with-password",
                   json={"identity": SU_EMAIL, "password": "wrong-password"})
    assert_error(r, 400, "Failed to authenticate.", {})


def test_unknown_identity(guest):
    r = guest.post("/api/collections/_superusers/auth-with-password",
                   json={"identity": "nobody@example.com", "password": SU_PASSWORD})
    assert_error(r, 400, "Failed to authenticate.", {})


def test_wrong_password_via_sdk(server):
    pb = PocketBase(server.url, timeout=30)
    with pytest.raises(ClientResponseError) as ei:
        pb.collection("_superusers").auth_with_password(SU_EMAIL, "nope-nope")
    assert ei.value.status == 400
    assert ei.value.data["message"] == "Failed to authenticate."
    assert pb.auth_store.token in (None, "")


def test_empty_credentials_validation(guest):
    r = guest.post("/api/collections/_superusers/auth-with-password", json={})
    body = assert_error(r, 400)
    assert body["data"]["identity"]["code"] == "validation_required"
    assert body["data"]["password"]["code"] == "validation_required"


def test_auth_refresh(server):
    pb = PocketBase(server.url, timeout=30)
    first = pb.collection("_superusers").auth_with_password(SU_EMAIL, SU_PASSWORD)
    res = pb.collection("_superusers").auth_refresh()
    assert res.token
    assert res.record.id == first.record.id
    assert res.record.email == SU_EMAIL
    claims = jwt_payload(res.token)
    assert claims["type"] == "auth" and claims["refreshable"] is True
    assert claims["collectionId"] == SUPERUSERS_ID
    # refreshed token works
    assert pb.collections.get_one("_superusers").name == "_superusers"


def test_auth_refresh_raw(api, guest):
    r = api.post("/api/collections/_superusers/auth-refresh")
    assert r.status_code == 200
    assert set(r.json()) == {"token", "record"}
    assert_error(guest.post("/api/collections/_superusers/auth-refresh"), 401,
                 "The request requires valid record authorization token.", {})


def test_collections_api_requires_token(guest):
    assert_error(guest.get("/api/collections"), 401)
    assert_error(guest.post("/api/collections", json={"name": "x_no_auth"}), 401)
    assert_error(guest.get("/api/collections/_superusers"), 401)


def test_invalid_token_is_treated_as_guest(guest):
    # a garbage token is ignored (guest), so superuser endpoints answer 401, never 500
    bad = {"Authorization": "not.a.jwt"}
    assert_error(guest.get("/api/collections", headers=bad), 401)
    assert guest.get("/api/health", headers=bad).status_code == 200


def test_bearer_prefix_accepted(guest, su_token):
    r = guest.get("/api/collections", headers={"Authorization": "Bearer " + su_token})
    assert r.status_code == 200


def test_list_collections_includes_superusers(pb, api):
    names = {c.name for c in pb.collections.get_full_list()}
    assert "_superusers" in names
    body = api.get("/api/collections", params={"perPage": 500}).json()
    assert set(body) == {"page", "perPage", "totalItems", "totalPages", "items"}
    su = [c for c in body["items"] if c["name"] == "_superusers"]
    assert len(su) == 1
    assert su[0]["id"] == SUPERUSERS_ID
    assert su[0]["type"] == "auth" and su[0]["system"] is True

"""`POST /api/settings/apple/generate-client-secret` (the dashboard's "Generate secret" for the Apple OAuth2
provider; the JS SDK's `pb.settings.generateAppleClientSecret`): Sign in with Apple's client secret, an ES256
JWT signed with the developer's key. Passes on PocketBase 0.40.6 and Swiftbase.

PocketBase (forms/apple_client_secret_create.go): `clientId` required; `teamId` and `keyId` required and exactly
10 characters; `privateKey` required and PEM-armoured (`-----BEGIN PRIVATE KEY----…-----END PRIVATE KEY-----`);
`duration` required, 1 to 15,777,000 seconds → 400 "Invalid client secret data." with the field errors; a key
that does not parse → 400 "Failed to generate client secret. Raw error: …"; superusers only."""
import base64
import json
import time

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from conftest import assert_error, error_codes

PATH = "/api/settings/apple/generate-client-secret"
TEAM, KEY_ID, CLIENT = "ABCDE12345", "KEY0123456", "com.example.app.web"


def b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture(scope="module")
def key():
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    return private.public_key(), pem


def body(pem: str, **overrides) -> dict:
    return {"clientId": CLIENT, "teamId": TEAM, "keyId": KEY_ID, "privateKey": pem, "duration": 3600, **overrides}


def test_the_secret_is_an_es256_jwt_signed_with_the_key(api, key):
    public, pem = key
    before = int(time.time())
    r = api.post(PATH, json=body(pem))
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"secret"}
    head, payload, signature = r.json()["secret"].split(".")
    header = json.loads(b64url(head))
    assert header["alg"] == "ES256" and header["kid"] == KEY_ID, header
    claims = json.loads(b64url(payload))
    assert claims["iss"] == TEAM and claims["sub"] == CLIENT, claims
    audience = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    assert audience == ["https://appleid.apple.com"], claims
    assert before - 5 <= claims["iat"] <= time.time() + 5 and claims["exp"] - claims["iat"] == 3600, claims
    raw = b64url(signature)
    assert len(raw) == 64  # JOSE's r || s, not DER
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public.verify(der, f"{head}.{payload}".encode(), ec.ECDSA(hashes.SHA256()))
    other = ec.generate_private_key(ec.SECP256R1()).public_key()
    with pytest.raises(InvalidSignature):
        other.verify(der, f"{head}.{payload}".encode(), ec.ECDSA(hashes.SHA256()))


def test_each_bad_field_is_named(api, key):
    _, pem = key
    r = api.post(PATH, json={})
    body_ = assert_error(r, 400, "Invalid client secret data.")
    assert error_codes(body_) == {f: "validation_required" for f in ("clientId", "teamId", "keyId", "privateKey", "duration")}
    r = api.post(PATH, json=body(pem, teamId="SHORT", keyId="TOO-LONG-KEY-ID", privateKey="not a pem", duration=15_777_001))
    body_ = assert_error(r, 400, "Invalid client secret data.")
    assert error_codes(body_) == {"teamId": "validation_length_invalid", "keyId": "validation_length_invalid",
                                  "privateKey": "validation_match_invalid",
                                  "duration": "validation_max_less_equal_than_required"}, body_
    r = api.post(PATH, json=body(pem, duration=-1))
    assert error_codes(assert_error(r, 400, "Invalid client secret data.")) == {
        "duration": "validation_min_greater_equal_than_required"}


def test_a_key_that_does_not_parse_is_a_400(api):
    broken = "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----"
    r = api.post(PATH, json=body(broken))
    body_ = assert_error(r, 400)
    assert body_["message"].startswith("Failed to generate client secret."), body_


def test_superusers_only(guest, key):
    _, pem = key
    assert_error(guest.post(PATH, json=body(pem)), 401)

"""OAuth2 sign-in as PocketBase 0.40.6 has it, end to end against a small OpenID Connect provider the tests
start on loopback (oidc_provider.py): the collection's `oauth2` options, `auth-methods`, the code flow with
PKCE, the all-in-one flow through the realtime `@oauth2` topic and `/api/oauth2-redirect`, account linking
into `_externalAuths`, `mappedFields`, new user vs existing email, and the refusals (bad state, replayed code,
wrong issuer, bad signature, expired id_token). Passes on PocketBase 0.40.6 and Swiftbase."""
import base64
import hashlib
import json
import urllib.parse

import pytest
import requests
from pocketbase import PocketBase

from conftest import Api, assert_error, create_collection, superuser_token, unique_name, wait_until
from oidc_provider import CLIENT_ID, OIDCProvider
from test_realtime import SSEStream

PROVIDER_ORDER = [
    "apple", "google", "microsoft", "yandex", "facebook", "instagram2", "github", "gitlab", "bitbucket", "gitee",
    "gitea", "discord", "twitter", "kakao", "vk", "linear", "notion", "monday", "lark", "box", "spotify", "trakt",
    "twitch", "patreon", "strava", "wakatime", "livechat", "mailcow", "planningcenter", "oidc", "oidc2", "oidc3",
]


@pytest.fixture(scope="module")
def oidc():
    provider = OIDCProvider()
    yield provider
    provider.close()


@pytest.fixture(autouse=True)
def _fresh_provider(oidc):
    oidc.reset()
    yield


def oauth2_options(oidc, **extra):
    return {
        "enabled": True,
        "mappedFields": {"id": "", "name": "name", "username": "nick", "avatarURL": "avatar"},
        "providers": [oidc.provider_config("oidc"), oidc.provider_config("oidc2", userinfo=True)],
        **extra,
    }


@pytest.fixture(scope="module")
def members(api, oidc):
    return create_collection(api, {
        "name": unique_name("oauth"), "type": "auth", "createRule": "", "fields": [
            {"name": "name", "type": "text"}, {"name": "nick", "type": "text"},
            {"name": "avatar", "type": "file", "maxSelect": 1, "maxSize": 1000000},
        ],
        "oauth2": oauth2_options(oidc),
    })


def new_user(oidc, **claims):
    sub = unique_name("sub")
    oidc.user = {"sub": sub, "email": sub + "@example.com", "email_verified": True, "name": "Name " + sub,
                 "preferred_username": "nick" + sub[-6:], **claims}
    return oidc.user


def methods(base, coll):
    r = requests.get(f"{base}/api/collections/{coll['name']}/auth-methods", timeout=10)
    assert r.status_code == 200, r.text
    return {p["name"]: p for p in r.json()["oauth2"]["providers"]}


def consent(auth_url: str, redirect: str, state: str | None = None) -> dict:
    """What the user's browser does at the provider: follow authURL (+ the redirect), get sent back."""
    url = auth_url + urllib.parse.quote(redirect, safe="")
    if state is not None:
        parts = urllib.parse.urlsplit(url)
        query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
        query["state"] = [state]
        url = urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query, doseq=True)))
    r = requests.get(url, allow_redirects=False, timeout=10)
    assert r.status_code == 302, r.text
    location = r.headers["Location"]
    assert location.startswith(redirect)
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))


def sign_in(base, coll, provider, *, redirect="http://127.0.0.1:9/cb", headers=None, **body):
    info = methods(base, coll)[provider]
    back = consent(info["authURL"], redirect)
    assert back["state"] == info["state"]
    payload = {"provider": provider, "code": back["code"], "codeVerifier": info["codeVerifier"],
               "redirectURL": redirect, **body}
    r = requests.post(f"{base}/api/collections/{coll['name']}/auth-with-oauth2", json=payload, headers=headers,
                      timeout=30)
    return r, back["code"], payload


def ok(r) -> dict:
    assert r.status_code == 200, r.text
    return r.json()


def links(base, token) -> list:
    r = Api(base, token).get("/api/collections/_externalAuths/records")
    assert r.status_code == 200, r.text
    return r.json()["items"]


# MARK: - Provider list and options


def test_the_provider_list_names_pocketbase_providers_in_its_order(api, guest):
    r = api.get("/api/collections/meta/oauth2-providers")
    assert r.status_code == 200, r.text
    items = r.json()
    assert [p["name"] for p in items] == PROVIDER_ORDER
    assert all(set(p) == {"name", "displayName", "logo"} and isinstance(p["logo"], str) for p in items)
    names = {p["name"]: p["displayName"] for p in items}
    assert names["github"] == "GitHub" and names["oidc2"] == "OIDC" and names["vk"] == "ВКонтакте"
    assert names["twitter"] == "X/Twitter" and names["gitea"] == "Gitea/Forgejo"
    assert guest.get("/api/collections/meta/oauth2-providers").status_code == 401


# Each provider's default authorization link (state and challenge replaced), as PocketBase 0.40.6 builds it.
DEFAULT_AUTH_URLS = {
    "apple": ("https://appleid.apple.com/auth/authorize",
        "client_id=cid&code_challenge=CH&code_challenge_method=S256&response_mode=form_post&response_type=code&scope=name+email&state=STATE&redirect_uri="),
    "google": ("https://accounts.google.com/o/oauth2/v2/auth",
        "client_id=cid&code_challenge=CH&code_challenge_method=S256&response_type=code&scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fuserinfo.profile+https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fuserinfo.email&state=STATE&redirect_uri="),
    "microsoft": ("https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
        "client_id=cid&code_challenge=CH&code_challenge_method=S256&response_type=code&scope=User.Read&state=STATE&redirect_uri="),
    "yandex": ("https://oauth.yandex.com/authorize",
        "client_id=cid&code_challenge=CH&code_challenge_method=S256&response_type=code&scope=login%3Aemail+login%3Aavatar+login%3Ainfo&state=STATE&redirect_uri="),
    "facebook": ("https://www.facebook.com/v3.2/dialog/oauth",
        "client_id=cid&code_challenge=CH&code_challenge_method=S256&response_type=code&scope=email&state=STATE&redirect_uri="),
    "instagram2": ("https://www.instagram.com/oauth/authorize",
        "client_id=cid&code_challenge=CH&code_challenge_method=S256&response_type=code&scope=instagram_business_basic&state=STATE&redirect_uri="),
    "github": ("https://github.com/login/oauth/authorize",
        "client_id=cid&code_challenge=CH&code_challenge_method=S256&response_type=code&scope=read%3Auser+user%3Aemail&state=STATE&redirect_uri="),
    "gitlab": ("https://gitlab.com/oauth/authorize",
        "client_id=cid&code_challenge=CH&code_challenge_method=S256&response_type=code&scope=read_user&state=STATE&redirect_uri="),
    "bitbucket": ("https://bitbucket.org/site/oauth2/authorize",
        "client_id=cid&response_type=code&scope=account&state=STATE&redirect_uri="),
    "gitee": ("https://gitee.com/oauth/authorize",
        "client_id=cid&code_challenge=CH&code_challenge_method=S256&response_type=code&scope=user_info+emails&state=STATE&redirect_uri="),
    "gitea": ("https://gitea.com/login/oauth/authorize",
        "client_id=cid&code_challenge=CH&code_challenge_method=S256&response_type=code&scope=read%3Auser+user%3Aemail&state=STATE&redirect_uri="),
    "discord": ("https://discord.com/api/oauth2/authorize",
        "client_id=cid&code_challenge=CH&code_challenge_method=S256&response_type=code&scope=identify+email&state=STATE&redirect_uri="),
    "twitter": ("https://x.com/i/oauth2/authorize",
        "client_id=cid&code_challenge=CH&code_challenge_method=S256&response_type=code&scope=users.read+users.email+tweet.read&state=STATE&redirect_uri="),
    "kakao": ("https://kauth.kakao.com/oauth/authorize",
        "client_id=cid&code_challenge=CH&code_challenge_method=S256&response_type=code&scope=account_email+profile_nickname+profile_image&state=STATE&redirect_uri="),
    "vk": ("https://oauth.vk.com/authorize",
        "client_id=cid&response_type=code&scope=email&state=STATE&redirect_uri="),
    "linear": ("https://linear.app/oauth/authorize",
        "client_id=cid&response_type=code&scope=read&state=STATE&redirect_uri="),
    "notion": ("https://api.notion.com/v1/oauth/authorize",
        "client_id=cid&code_challenge=CH&code_challenge_method=S256&response_type=code&state=STATE&redirect_uri="),
    "monday": ("https://auth.monday.com/oauth2/authorize",
        "client_id=cid&code_challenge=CH&code_challenge_method=S256&response_type=code&scope=me%3Aread&state=STATE&redirect_uri="),
    "lark": ("https://accounts.feishu.cn/open-apis/authen/v1/authorize",
        "client_id=cid&code_challenge=CH&code_challenge_method=S256&response_type=code&state=STATE&redirect_uri="),
    "box": ("https://account.box.com/api/oauth2/authorize",
        "client_id=cid&code_challenge=CH&code_challenge_method=S256&response_type=code&scope=root_readonly&state=STATE&redirect_uri="),
    "spotify": ("https://accounts.spotify.com/authorize",
        "client_id=cid&code_challenge=CH&code_challenge_method=S256&response_type=code&scope=user-read-private&state=STATE&redirect_uri="),
    "trakt": ("https://trakt.tv/oauth/authorize",
        "client_id=cid&code_challenge=CH&code_challenge_method=S256&response_type=code&state=STATE&redirect_uri="),
    "twitch": ("https://id.twitch.tv/oauth2/authorize",
        "client_id=cid&code_challenge=CH&code_challenge_method=S256&response_type=code&scope=user%3Aread%3Aemail&state=STATE&redirect_uri="),
    "patreon": ("https://www.patreon.com/oauth2/authorize",
        "client_id=cid&code_challenge=CH&code_challenge_method=S256&response_type=code&scope=identity+identity%5Bemail%5D&state=STATE&redirect_uri="),
    "strava": ("https://www.strava.com/oauth/authorize",
        "client_id=cid&code_challenge=CH&code_challenge_method=S256&response_type=code&scope=profile%3Aread_all&state=STATE&redirect_uri="),
    "wakatime": ("https://wakatime.com/oauth/authorize",
        "client_id=cid&code_challenge=CH&code_challenge_method=S256&response_type=code&scope=email&state=STATE&redirect_uri="),
    "livechat": ("https://accounts.livechat.com/",
        "client_id=cid&code_challenge=CH&code_challenge_method=S256&response_type=code&state=STATE&redirect_uri="),
    "mailcow": ("",
        "client_id=cid&code_challenge=CH&code_challenge_method=S256&response_type=code&scope=profile&state=STATE&redirect_uri="),
    "planningcenter": ("https://api.planningcenteronline.com/oauth/authorize",
        "client_id=cid&code_challenge=CH&code_challenge_method=S256&response_type=code&scope=people&state=STATE&redirect_uri="),
    "oidc": ("",
        "client_id=cid&code_challenge=CH&code_challenge_method=S256&response_type=code&scope=openid+email+profile&state=STATE&redirect_uri="),
    "oidc2": ("",
        "client_id=cid&code_challenge=CH&code_challenge_method=S256&response_type=code&scope=openid+email+profile&state=STATE&redirect_uri="),
    "oidc3": ("",
        "client_id=cid&code_challenge=CH&code_challenge_method=S256&response_type=code&scope=openid+email+profile&state=STATE&redirect_uri="),
}


def test_every_provider_builds_its_default_authorization_url(api, base_url):
    providers = [{"name": n, "clientId": "cid", "clientSecret": "sec"} for n in PROVIDER_ORDER]
    coll = create_collection(api, {"name": unique_name("all"), "type": "auth",
                                    "oauth2": {"enabled": True, "providers": providers}})
    found = {}
    for p in ok(requests.get(f"{base_url}/api/collections/{coll['name']}/auth-methods", timeout=10))["oauth2"]["providers"]:
        url = p["authURL"].replace(p["state"], "STATE")
        if p["codeChallenge"]:
            url = url.replace(p["codeChallenge"], "CH")
        base, _, query = url.partition("?")
        found[p["name"]] = (base, query)
    assert found == DEFAULT_AUTH_URLS


def test_options_are_validated_and_secrets_never_shown(api, members, oidc):
    coll = api.get(f"/api/collections/{members['id']}").json()
    providers = coll["oauth2"]["providers"]
    assert [p["name"] for p in providers] == ["oidc", "oidc2"]
    assert all("clientSecret" not in p for p in providers)
    assert providers[0]["clientId"] == CLIENT_ID and providers[0]["pkce"] is None
    assert coll["oauth2"]["mappedFields"] == {"id": "", "name": "name", "username": "nick", "avatarURL": "avatar"}

    bad = [
        {"name": "nope", "clientId": "a", "clientSecret": "b"},
        {"name": "oidc3", "clientId": "", "clientSecret": "", "authURL": "not a url"},
    ]
    r = api.patch(f"/api/collections/{members['id']}", json={"oauth2": {"enabled": True, "providers": bad}})
    assert r.status_code == 400, r.text
    errors = r.json()["data"]["oauth2"]["providers"]
    assert errors["0"]["name"]["code"] == "validation_missing_provider"
    assert errors["1"]["clientId"]["code"] == "validation_required"
    assert errors["1"]["clientSecret"]["code"] == "validation_required"
    assert errors["1"]["authURL"]["code"] == "validation_is_url"

    twice = [oidc.provider_config("oidc3"), oidc.provider_config("oidc3")]
    r = api.patch(f"/api/collections/{members['id']}", json={"oauth2": {"enabled": True, "providers": twice}})
    assert r.status_code == 400, r.text
    assert r.json()["data"]["oauth2"]["providers"]["1"]["name"]["code"] == "validation_duplicated_provider"

    # A provider sent back without its secret (as a client that was never shown it does) keeps it.
    resent = api.patch(f"/api/collections/{members['id']}", json={"oauth2": {"providers": providers}})
    assert resent.status_code == 200, resent.text
    new_user(oidc)
    ok(sign_in(api.base, members, "oidc")[0])

    # Disabled options are not validated.
    name = unique_name("off")
    off = create_collection(api, {"name": name, "type": "auth", "oauth2": {"enabled": False, "providers": bad}})
    assert [p["name"] for p in off["oauth2"]["providers"]] == ["nope", "oidc3"]


def test_auth_methods_build_the_authorization_url_as_pocketbase(members, base_url, oidc):
    r = requests.get(f"{base_url}/api/collections/{members['name']}/auth-methods", timeout=10)
    body = ok(r)
    assert body["oauth2"]["enabled"] is True
    info = {p["name"]: p for p in body["oauth2"]["providers"]}["oidc"]
    assert set(info) == {"name", "displayName", "logo", "state", "authURL", "authUrl", "codeVerifier",
                         "codeChallenge", "codeChallengeMethod"}
    assert info["displayName"] == "OIDC" and len(info["state"]) == 30 and len(info["codeVerifier"]) == 43
    challenge = base64.urlsafe_b64encode(hashlib.sha256(info["codeVerifier"].encode()).digest()).rstrip(b"=")
    assert info["codeChallenge"] == challenge.decode() and info["codeChallengeMethod"] == "S256"
    query = urllib.parse.urlencode(sorted({
        "client_id": CLIENT_ID, "code_challenge": info["codeChallenge"], "code_challenge_method": "S256",
        "response_type": "code", "scope": "openid email profile", "state": info["state"]}.items()))
    assert info["authURL"] == f"{oidc.url}/authorize?{query}&redirect_uri="
    assert info["authUrl"] == info["authURL"]
    legacy = {p["name"]: p for p in body["authProviders"]}["oidc"]
    assert legacy["logo"] == "" and legacy["authURL"] == info["authURL"]


def test_a_provider_without_pkce_gets_no_challenge(api, base_url, oidc):
    coll = create_collection(api, {"name": unique_name("nopkce"), "type": "auth", "createRule": "", "oauth2": {
        "enabled": True, "providers": [oidc.provider_config("oidc", pkce=False, displayName="Corp SSO")]}})
    info = methods(base_url, coll)["oidc"]
    assert info["displayName"] == "Corp SSO"
    assert info["codeVerifier"] == info["codeChallenge"] == info["codeChallengeMethod"] == ""
    assert "code_challenge" not in info["authURL"]
    new_user(oidc)
    r, _, _ = sign_in(base_url, coll, "oidc", codeVerifier="")
    ok(r)
    assert "code_verifier" not in oidc.token_requests[-1]


# MARK: - Code flow


def test_code_flow_with_pkce_creates_then_logs_in_the_user(members, base_url, oidc):
    user = new_user(oidc, picture=oidc.url + "/avatar.png")
    r, _, payload = sign_in(base_url, members, "oidc")
    body = ok(r)
    assert set(body) == {"token", "record", "meta"}
    assert oidc.token_requests[-1]["code_verifier"] == payload["codeVerifier"]
    assert oidc.token_requests[-1]["redirect_uri"] == payload["redirectURL"]
    meta = body["meta"]
    assert meta["isNew"] is True and meta["id"] == user["sub"] and meta["email"] == user["email"]
    assert meta["name"] == user["name"] and meta["username"] == user["preferred_username"]
    assert meta["avatarURL"] == meta["avatarUrl"] == user["picture"]
    assert meta["accessToken"] and meta["refreshToken"] == "r-" + meta["accessToken"] and meta["expiry"]
    assert meta["rawUser"]["sub"] == user["sub"] and meta["rawUser"]["aud"] == CLIENT_ID
    record = body["record"]
    assert record["email"] == user["email"] and record["verified"] is True
    assert record["name"] == user["name"] and record["nick"] == user["preferred_username"]
    # The avatar URL is on loopback: the download is refused (as for any private address) and the field stays empty.
    assert record["avatar"] == ""
    linked = links(base_url, body["token"])
    assert [(x["provider"], x["providerId"], x["recordRef"]) for x in linked] == [("oidc", user["sub"], record["id"])]

    again = ok(sign_in(base_url, members, "oidc")[0])
    assert again["meta"]["isNew"] is False and again["record"]["id"] == record["id"]
    assert len(links(base_url, again["token"])) == 1


def test_userinfo_provider_and_create_data(members, base_url, oidc):
    user = new_user(oidc)
    body = ok(sign_in(base_url, members, "oidc2", createData={"nick": "chosen", "name": "Given"})[0])
    assert body["record"]["nick"] == "chosen" and body["record"]["name"] == "Given"
    assert body["meta"]["rawUser"] == user  # from /userinfo: no id_token claims
    assert links(base_url, body["token"])[0]["provider"] == "oidc2"


def test_a_mapped_username_is_skipped_when_the_field_refuses_it(api, base_url, oidc):
    name = unique_name("handles")
    coll = create_collection(api, {
        "name": name, "type": "auth", "createRule": "",
        "fields": [{"name": "handle", "type": "text", "pattern": "^[a-z0-9]+$"}],
        "indexes": [f"CREATE UNIQUE INDEX idx_{name}_handle ON {name} (handle)"],
        "oauth2": {"enabled": True, "mappedFields": {"username": "handle"},
                   "providers": [oidc.provider_config("oidc")]},
    })
    new_user(oidc, preferred_username="taken1")
    assert ok(sign_in(base_url, coll, "oidc")[0])["record"]["handle"] == "taken1"
    new_user(oidc, preferred_username="Not Valid")
    assert ok(sign_in(base_url, coll, "oidc")[0])["record"]["handle"] == ""
    # PocketBase 0.40.6 means to skip a username already taken too, but its check finds nothing and the sign-up
    # fails on the unique index (observed); Swiftbase answers the same.
    new_user(oidc, preferred_username="taken1")
    assert_error(sign_in(base_url, coll, "oidc")[0], 400, "Failed to create record.",
                 {"handle": {"code": "validation_not_unique", "message": "Value must be unique."}})


def test_the_sdk_signs_in_as_a_user_would(members, base_url, oidc):
    user = new_user(oidc)
    client = PocketBase(base_url)
    info = methods(base_url, members)["oidc"]
    redirect = "http://127.0.0.1:9/sdk"
    back = consent(info["authURL"], redirect)
    result = client.collection(members["name"]).auth_with_oauth2("oidc", back["code"], info["codeVerifier"], redirect)
    assert result.record.email == user["email"] and client.auth_store.token == result.token
    assert result.meta["isNew"] is True


# MARK: - Existing accounts and linking


def test_an_unverified_account_with_the_email_is_taken_over_safely(api, members, base_url, oidc):
    user = new_user(oidc)
    precreated = api.post(f"/api/collections/{members['name']}/records", json={
        "email": user["email"], "password": "pass-12345678", "passwordConfirm": "pass-12345678"}).json()
    assert precreated["verified"] is False
    body = ok(sign_in(base_url, members, "oidc")[0])
    assert body["meta"]["isNew"] is False and body["record"]["id"] == precreated["id"]
    assert body["record"]["verified"] is True
    # The pre-set password was replaced: whoever created the account cannot log in with it.
    r = requests.post(f"{base_url}/api/collections/{members['name']}/auth-with-password",
                      json={"identity": user["email"], "password": "pass-12345678"}, timeout=10)
    assert r.status_code == 400


def test_a_verified_account_keeps_its_password(api, members, base_url, oidc):
    user = new_user(oidc)
    api.post(f"/api/collections/{members['name']}/records", json={
        "email": user["email"], "password": "pass-12345678", "passwordConfirm": "pass-12345678", "verified": True})
    body = ok(sign_in(base_url, members, "oidc")[0])
    assert body["meta"]["isNew"] is False
    r = requests.post(f"{base_url}/api/collections/{members['name']}/auth-with-password",
                      json={"identity": user["email"], "password": "pass-12345678"}, timeout=10)
    assert r.status_code == 200, r.text


def test_an_unverified_provider_email_is_not_used(members, base_url, oidc):
    user = new_user(oidc, email_verified=False)
    # The collection's email field is required, so the sign-up fails as the create would …
    r, _, _ = sign_in(base_url, members, "oidc")
    assert_error(r, 400, "Failed to create record.", {"email": {"code": "validation_required",
                                                                "message": "Cannot be blank."}})
    # … unless the app supplies one; an email that differs from the provider's (none) is not verified.
    body = ok(sign_in(base_url, members, "oidc", createData={"email": "own-" + user["email"]})[0])
    assert body["meta"]["email"] == "" and body["record"]["email"] == "own-" + user["email"]
    assert body["meta"]["isNew"] is True and body["record"]["verified"] is False


def test_a_logged_in_user_links_another_provider_account_and_unlinks_it(members, base_url, oidc):
    new_user(oidc)
    first = ok(sign_in(base_url, members, "oidc")[0])
    other = new_user(oidc)  # another identity (and email) at the second provider
    r, _, _ = sign_in(base_url, members, "oidc2", headers={"Authorization": first["token"]})
    linked = ok(r)
    assert linked["record"]["id"] == first["record"]["id"] and linked["meta"]["isNew"] is False
    rows = links(base_url, first["token"])
    assert sorted((x["provider"], x["providerId"]) for x in rows)[1] == ("oidc2", other["sub"])
    # Unlinked through the records API of `_externalAuths` (what the SDKs' unlinkExternalAuth does) …
    mine = Api(base_url, first["token"])
    target = next(x for x in rows if x["provider"] == "oidc2")
    assert mine.delete(f"/api/collections/_externalAuths/records/{target['id']}").status_code == 204
    assert [x["provider"] for x in links(base_url, first["token"])] == ["oidc"]
    # … so that identity, with its own unused email, now signs up as a new user.
    again = ok(sign_in(base_url, members, "oidc2")[0])
    assert again["meta"]["isNew"] is True and again["record"]["id"] != first["record"]["id"]


# MARK: - Refusals


def test_bad_requests(api, members, base_url, oidc):
    url = f"{base_url}/api/collections/{members['name']}/auth-with-oauth2"
    r = requests.post(url, json={"provider": "github", "code": ""}, timeout=10)
    assert_error(r, 400, "An error occurred while loading the submitted data.")
    assert r.json()["data"]["provider"]["code"] == "validation_invalid_provider"
    assert r.json()["data"]["code"]["code"] == "validation_required"
    plain = create_collection(api, {"name": unique_name("plain"), "type": "auth"})
    r = requests.post(f"{base_url}/api/collections/{plain['name']}/auth-with-oauth2",
                      json={"provider": "oidc", "code": "x"}, timeout=10)
    assert_error(r, 403, "The collection is not configured to allow OAuth2 authentication.")


def test_a_replayed_code_is_refused(members, base_url, oidc):
    new_user(oidc)
    r, code, payload = sign_in(base_url, members, "oidc")
    ok(r)
    again = requests.post(f"{base_url}/api/collections/{members['name']}/auth-with-oauth2", json=payload, timeout=30)
    assert_error(again, 400, "Failed to fetch OAuth2 token.")


def test_a_wrong_code_verifier_is_refused(members, base_url, oidc):
    new_user(oidc)
    r, _, _ = sign_in(base_url, members, "oidc", codeVerifier="x" * 43)
    assert_error(r, 400, "Failed to fetch OAuth2 token.")


@pytest.mark.parametrize("flaw", ["wrong_issuer", "bad_signature", "expired"])
def test_a_flawed_id_token_is_refused(members, base_url, oidc, flaw):
    user = new_user(oidc)
    setattr(oidc, flaw, True)
    r, _, _ = sign_in(base_url, members, "oidc")
    assert_error(r, 400, "Failed to fetch OAuth2 user.")
    # Nothing was created for the refused identity.
    setattr(oidc, flaw, False)
    body = ok(sign_in(base_url, members, "oidc")[0])
    assert body["meta"]["isNew"] is True and body["meta"]["id"] == user["sub"]


# MARK: - All-in-one flow (realtime `@oauth2` + /api/oauth2-redirect)


def subscribe_oauth2(base_url) -> SSEStream:
    stream = SSEStream(base_url)
    r = requests.post(f"{base_url}/api/realtime", json={"clientId": stream.client_id, "subscriptions": ["@oauth2"]},
                      timeout=10)
    assert r.status_code == 204, r.text
    return stream


def test_the_all_in_one_flow_delivers_the_code_over_realtime(members, base_url, oidc):
    user = new_user(oidc)
    stream = subscribe_oauth2(base_url)
    try:
        info = methods(base_url, members)["oidc"]
        redirect = base_url + "/api/oauth2-redirect"
        back = consent(info["authURL"], redirect, state=stream.client_id)
        r = requests.get(redirect, params=back, allow_redirects=False, timeout=10)
        assert r.status_code == 307 and r.headers["Location"] == "../_/#/auth/oauth2-redirect-success"
        event = stream.next()
        assert event.event == "@oauth2"
        assert json.loads(event.data) == {"state": stream.client_id, "code": back["code"]}
        # The subscription is used up: a second redirect for the same client fails.
        r = requests.get(redirect, params=back, allow_redirects=False, timeout=10)
        assert r.headers["Location"] == "../_/#/auth/oauth2-redirect-failure"
    finally:
        stream.close()
    body = ok(requests.post(f"{base_url}/api/collections/{members['name']}/auth-with-oauth2", json={
        "provider": "oidc", "code": back["code"], "codeVerifier": info["codeVerifier"], "redirectURL": redirect},
        timeout=30))
    assert body["record"]["email"] == user["email"]


def test_the_redirect_reports_provider_errors_and_refuses_bad_state(base_url, oidc):
    redirect = base_url + "/api/oauth2-redirect"
    for params in ({}, {"state": "not-a-client", "code": "c"}):
        r = requests.get(redirect, params=params, allow_redirects=False, timeout=10)
        assert r.status_code == 307 and r.headers["Location"] == "../_/#/auth/oauth2-redirect-failure"
    r = requests.post(redirect, data={"state": "not-a-client", "code": "c"}, allow_redirects=False, timeout=10)
    assert r.status_code == 303 and r.headers["Location"] == "../_/#/auth/oauth2-redirect-failure"
    stream = subscribe_oauth2(base_url)
    try:
        # A client with no @oauth2 subscription is not told anything.
        other = SSEStream(base_url)
        try:
            r = requests.get(redirect, params={"state": other.client_id, "code": "c"}, allow_redirects=False,
                             timeout=10)
            assert r.headers["Location"] == "../_/#/auth/oauth2-redirect-failure"
            other.assert_silent(0.3)
        finally:
            other.close()
        r = requests.post(redirect, data={"state": stream.client_id, "error": "access_denied"},
                          allow_redirects=False, timeout=10)
        assert r.status_code == 303 and r.headers["Location"] == "../_/#/auth/oauth2-redirect-failure"
        event = stream.next()
        assert json.loads(event.data) == {"state": stream.client_id, "code": "", "error": "access_denied"}
    finally:
        stream.close()


def test_the_redirect_is_kept_out_of_the_request_logs(api, base_url):
    """Its URL carries the provider's code: PocketBase does not log a redirect that answered."""
    requests.get(base_url + "/api/oauth2-redirect", params={"state": "nobody", "code": "secret-code"},
                 allow_redirects=False, timeout=10)
    marker = unique_name("after-redirect")
    assert requests.get(f"{base_url}/api/{marker}", timeout=10).status_code == 404

    def logged(fragment):
        r = api.get("/api/logs", params={"filter": f"data.url ~ '{fragment}'", "perPage": 5})
        assert r.status_code == 200, r.text
        return r.json()["items"]

    wait_until(lambda: logged(marker), what="the marker request in the logs")
    assert logged("secret-code") == []


def test_superusers_cannot_enable_oauth2(api, base_url, oidc):
    r = api.patch("/api/collections/_superusers",
                  json={"oauth2": {"enabled": True, "providers": [oidc.provider_config("oidc")]}})
    assert r.status_code == 200, r.text
    assert r.json()["oauth2"]["enabled"] is False and r.json()["oauth2"]["providers"] == []
    assert methods(base_url, {"name": "_superusers"}) == {}
    r = requests.post(f"{base_url}/api/collections/_superusers/auth-with-oauth2",
                      json={"provider": "oidc", "code": "x"}, timeout=10)
    assert_error(r, 403, "The collection is not configured to allow OAuth2 authentication.")


def test_oauth2_counts_as_one_factor_of_mfa(api, base_url, oidc):
    coll = create_collection(api, {"name": unique_name("mfa"), "type": "auth", "createRule": "",
                                   "mfa": {"enabled": True},
                                   "oauth2": {"enabled": True, "providers": [oidc.provider_config("oidc")]}})
    user = new_user(oidc)
    api.post(f"/api/collections/{coll['name']}/records", json={
        "email": user["email"], "password": "pass-12345678", "passwordConfirm": "pass-12345678", "verified": True})
    r, _, _ = sign_in(base_url, coll, "oidc")
    assert r.status_code == 401 and set(r.json()) == {"mfaId"}, r.text
    second = requests.post(f"{base_url}/api/collections/{coll['name']}/auth-with-password", json={
        "identity": user["email"], "password": "pass-12345678", "mfaId": r.json()["mfaId"]}, timeout=10)
    assert second.status_code == 200, second.text
    assert second.json()["record"]["email"] == user["email"]


def test_client_secrets_survive_a_restart(fresh_server, oidc):
    api = Api(fresh_server.url, superuser_token(fresh_server.url))
    coll = create_collection(api, {"name": unique_name("kept"), "type": "auth", "createRule": "",
                                   "oauth2": {"enabled": True, "providers": [oidc.provider_config("oidc")]}})
    fresh_server.kill_and_restart()
    new_user(oidc)
    ok(sign_in(fresh_server.url, coll, "oidc")[0])

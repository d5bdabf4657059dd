"""`settings.superuserIPs`, PocketBase's superuser IP whitelist, as PocketBase 0.40.6 enforces it: once set, a
request with a superuser's credential from any other address answers 403 whatever the route, a superuser login
from outside is refused once the password proved right, a superuser's file token counts for nothing and backups
cannot be downloaded; guests and other identities are untouched. The client address is the trusted proxy's:
the module configures `X-Real-IP`, so each request says where it comes from (own server)."""
import pytest
import requests

from conftest import SU_EMAIL, SU_PASSWORD, assert_error, create_collection, unique_name

FORBIDDEN = "You are not allowed to perform this request."
INSIDE = {"X-Real-IP": "10.0.0.5"}
OUTSIDE = {"X-Real-IP": "10.0.1.5"}


@pytest.fixture(scope="module")
def ctx(own_server):
    url = own_server.url
    token = requests.post(url + "/api/collections/_superusers/auth-with-password",
                          json={"identity": SU_EMAIL, "password": SU_PASSWORD}, timeout=30).json()["token"]
    su = {"Authorization": token}
    r = requests.patch(url + "/api/settings", headers=su, json={"trustedProxy": {"headers": ["X-Real-IP"]}},
                       timeout=30)
    assert r.status_code == 200, r.text
    yield {"url": url, "su": su}
    requests.patch(url + "/api/settings", headers={**su, **INSIDE}, json={"superuserIPs": []}, timeout=30)


@pytest.fixture()
def whitelist(ctx):
    """Sets superuserIPs to 10.0.0.0/24 and 2001:db8::1 for one test, cleared after it from inside."""
    r = requests.patch(ctx["url"] + "/api/settings", headers={**ctx["su"], **INSIDE},
                       json={"superuserIPs": ["10.0.0.0/24", "2001:db8::1"]}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.json()["superuserIPs"] == ["10.0.0.0/24", "2001:db8::1"]
    yield
    r = requests.patch(ctx["url"] + "/api/settings", headers={**ctx["su"], **INSIDE}, json={"superuserIPs": []},
                       timeout=30)
    assert r.status_code == 200, r.text


def get(ctx, path, headers):
    return requests.get(ctx["url"] + path, headers=headers, timeout=30)


def login(ctx, headers, password=SU_PASSWORD):
    return requests.post(ctx["url"] + "/api/collections/_superusers/auth-with-password",
                         json={"identity": SU_EMAIL, "password": password}, headers=headers, timeout=30)


def test_empty_by_default_and_anyone_may_act(ctx):
    r = get(ctx, "/api/settings", {**ctx["su"], **OUTSIDE})
    assert r.status_code == 200 and r.json()["superuserIPs"] == []


def test_superuser_requests_from_outside_are_refused_on_every_route(ctx, whitelist):
    for path in ("/api/settings", "/api/collections", "/api/health", "/api/logs", "/api/no-such-route"):
        assert_error(get(ctx, path, {**ctx["su"], **OUTSIDE}), 403, FORBIDDEN, {})
    # Without the proxy header the peer (127.0.0.1) is the client: outside too.
    assert_error(get(ctx, "/api/settings", ctx["su"]), 403, FORBIDDEN, {})
    for client in ("10.0.0.9", "10.0.0.250", "2001:db8::1", "2001:0db8:0:0:0:0:0:1"):
        r = get(ctx, "/api/settings", {**ctx["su"], "X-Real-IP": client})
        assert r.status_code == 200, (client, r.text)
    assert_error(get(ctx, "/api/settings", {**ctx["su"], "X-Real-IP": "2001:db8::2"}), 403, FORBIDDEN, {})
    r = requests.post(ctx["url"] + "/api/collections/_superusers/auth-refresh", headers={**ctx["su"], **OUTSIDE},
                      timeout=30)
    assert_error(r, 403, FORBIDDEN, {})


def test_guests_and_broken_tokens_are_not_affected(ctx, whitelist):
    r = get(ctx, "/api/health", OUTSIDE)
    assert r.status_code == 200, r.text
    r = get(ctx, "/api/collections/_superusers/auth-methods", {"Authorization": "not-a-token", **OUTSIDE})
    assert r.status_code == 200, r.text


def test_superuser_login_from_outside_is_refused_after_the_password(ctx, whitelist):
    assert_error(login(ctx, OUTSIDE, password="wrong-password-1"), 400, "Failed to authenticate.", {})
    assert_error(login(ctx, OUTSIDE), 403, FORBIDDEN, {})
    r = login(ctx, INSIDE)
    assert r.status_code == 200, r.text
    assert r.json()["record"]["email"] == SU_EMAIL


def test_records_of_other_collections_still_log_in_from_anywhere(ctx, whitelist):
    coll = create_collection(_Api(ctx, INSIDE), {"name": unique_name("ips_members"), "type": "auth",
                                                "fields": [], "createRule": "", "listRule": ""})
    email = unique_name("m") + "@example.com"
    r = requests.post(ctx["url"] + f"/api/collections/{coll['name']}/records", headers=OUTSIDE, timeout=30,
                      json={"email": email, "password": "pass-12345678", "passwordConfirm": "pass-12345678"})
    assert r.status_code == 200, r.text
    r = requests.post(ctx["url"] + f"/api/collections/{coll['name']}/auth-with-password", headers=OUTSIDE,
                      json={"identity": email, "password": "pass-12345678"}, timeout=30)
    assert r.status_code == 200, r.text
    member = {"Authorization": r.json()["token"], **OUTSIDE}
    r = requests.get(ctx["url"] + f"/api/collections/{coll['name']}/records", headers=member, timeout=30)
    assert r.status_code == 200, r.text


def test_a_superuser_file_token_from_outside_counts_for_nothing(ctx, whitelist):
    coll = create_collection(_Api(ctx, INSIDE), {"name": unique_name("ips_files"), "fields": [
        {"name": "doc", "type": "file", "protected": True, "maxSelect": 1, "maxSize": 1000}]})
    r = requests.post(ctx["url"] + f"/api/collections/{coll['name']}/records", headers={**ctx["su"], **INSIDE},
                      files={"doc": ("note.txt", b"secret", "text/plain")}, timeout=30)
    assert r.status_code == 200, r.text
    rec = r.json()
    r = requests.post(ctx["url"] + "/api/files/token", headers={**ctx["su"], **INSIDE}, timeout=30)
    assert r.status_code == 200, r.text
    file_token = r.json()["token"]
    path = f"/api/files/{coll['name']}/{rec['id']}/{rec['doc']}?token={file_token}"
    r = get(ctx, path, INSIDE)
    assert r.status_code == 200 and r.content == b"secret", r.text
    assert get(ctx, path, OUTSIDE).status_code == 404
    # Backups: the same token downloads nothing from outside.
    r = requests.post(ctx["url"] + "/api/backups", headers={**ctx["su"], **INSIDE}, json={"name": "ips_test.zip"},
                      timeout=60)
    assert r.status_code == 204, r.text
    assert_error(get(ctx, f"/api/backups/ips_test.zip?token={file_token}", OUTSIDE), 403,
                 "Insufficient permissions to access the resource.", {})
    r = get(ctx, f"/api/backups/ips_test.zip?token={file_token}", INSIDE)
    assert r.status_code == 200 and r.content[:2] == b"PK", r.status_code
    r = requests.delete(ctx["url"] + "/api/backups/ips_test.zip", headers={**ctx["su"], **INSIDE}, timeout=30)
    assert r.status_code == 204, r.text


def test_the_list_is_validated(ctx):
    r = requests.patch(ctx["url"] + "/api/settings", headers={**ctx["su"], **INSIDE},
                       json={"superuserIPs": ["10.0.0.0/24", "nope", ""]}, timeout=30)
    body = assert_error(r, 400)
    assert set(body["data"]["superuserIPs"]) == {"1", "2"}, body
    assert get(ctx, "/api/settings", {**ctx["su"], **OUTSIDE}).json()["superuserIPs"] == []


class _Api:
    """Just enough of conftest's Api for `create_collection`, as a superuser from `headers`."""

    def __init__(self, ctx, headers):
        self.ctx = ctx
        self.headers = headers

    def post(self, path, **kw):
        return requests.post(self.ctx["url"] + path, headers={**self.ctx["su"], **self.headers}, timeout=30, **kw)

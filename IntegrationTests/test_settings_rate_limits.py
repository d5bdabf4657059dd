"""Settings API (`GET`/`PATCH /api/settings`, §10) and the rate limiter it configures (§1.9).

Everything runs on a private server (`own_server`): settings and rate limits are global.
Rate-limit tests enable their rules with `PATCH /api/settings` and turn the limiter off again on
teardown. PocketBase's limiter (apis/middlewares_rate_limit.go) in short:
  - the first matching rule wins; the labels tried, in order, are `<collection>:<tag>` (each tag of
    the route), `*:<tag>`, `"METHOD /path"`, `"/path"`; for each label an exact match comes first,
    then the first prefix rule (label ending in `/`) *in list order* that `label + "/"` starts with;
    rules whose audience does not fit the request are skipped;
  - counters are fixed windows of `duration` seconds per client IP, one counter per rule
    (`label + audience`) on plain routes, one per collection + route + audience on the tagged
    collection routes; every request that reaches the limiter counts, whatever its outcome;
  - superusers and `excludedIPs` are exempt; every save of the settings resets all counters.
Timing: windows are >= 2 s (`duration` 3) and bursts are a handful of requests, so a burst never
straddles a reset; the one recovery test polls until a request is allowed again (a refused request
changes no counter, so the first one allowed opens the next window).
"""
import time
import uuid
from types import SimpleNamespace

import pytest

from conftest import Api, _server_kind, assert_error, create_collection, poll, superuser_token, unique_name

PASSWORD = "Secret-pass-1234"
SAVE_FAILED = "An error occurred while saving the new settings."
LOAD_FAILED = "An error occurred while loading the submitted data."
TOO_MANY = {"data": {}, "message": "Too Many Requests.", "status": 429}
REQUIRED = {"code": "validation_required", "message": "Cannot be blank."}
BAD_LABEL = {"code": "validation_match_invalid", "message": "Must be in a valid format."}

DEFAULT_RULES = [
    {"label": "*:auth", "audience": "", "duration": 3, "maxRequests": 2},
    {"label": "*:create", "audience": "", "duration": 5, "maxRequests": 20},
    {"label": "/api/batch", "audience": "", "duration": 1, "maxRequests": 3},
    {"label": "/api/", "audience": "", "duration": 10, "maxRequests": 300},
]

# GET /api/settings of a fresh PocketBase 0.40.6 (no secrets: smtp.password / s3.secret are absent)
DEFAULT_SETTINGS = {
    "superuserIPs": [],
    "smtp": {"enabled": False, "port": 587, "host": "smtp.example.com", "username": "",
             "authMethod": "", "tls": False, "localName": ""},
    "backups": {"cron": "", "cronMaxKeep": 3,
                "s3": {"enabled": False, "bucket": "", "region": "", "endpoint": "",
                       "accessKey": "", "forcePathStyle": False}},
    "s3": {"enabled": False, "bucket": "", "region": "", "endpoint": "", "accessKey": "",
           "forcePathStyle": False},
    "meta": {"accentColor": "#1055c9", "appName": "Acme", "appURL": "http://localhost:8090",
             "senderName": "Support", "senderAddress": "support@example.com",
             "hideControls": False},
    "rateLimits": {"rules": DEFAULT_RULES, "excludedIPs": [], "enabled": False},
    "trustedProxy": {"headers": [], "useLeftmostIP": False},
    "batch": {"enabled": False, "maxRequests": 50, "timeout": 3, "maxBodySize": 0},
    "logs": {"maxDataSize": 0, "maxDays": 5, "minLevel": 0, "logIP": True, "logAuthId": False},
}


# --------------------------------------------------------------------------- fixtures & helpers
@pytest.fixture(scope="module")
def ctx(own_server):
    """Superuser/guest/user clients on the private server; `initial` is GET /api/settings taken
    before anything else touched the server."""
    su = Api(own_server.url, superuser_token(own_server.url))
    initial = su.get("/api/settings")
    assert initial.status_code == 200, initial.text
    guest = Api(own_server.url, None)
    members = create_collection(su, {
        "name": unique_name("rl_members"), "type": "auth",
        "listRule": "", "viewRule": "", "createRule": "", "updateRule": "", "deleteRule": "",
        "fields": []})
    email = f"{uuid.uuid4().hex[:10]}@example.com"
    r = guest.post(f"/api/collections/{members['name']}/records",
                   json={"email": email, "password": PASSWORD, "passwordConfirm": PASSWORD})
    assert r.status_code == 200, r.text
    r = guest.post(f"/api/collections/{members['name']}/auth-with-password",
                   json={"identity": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    user = Api(own_server.url, r.json()["token"])
    return SimpleNamespace(url=own_server.url, su=su, guest=guest, user=user, members=members,
                           initial=initial.json())


def rule(label, max_requests, duration=3, audience=""):
    return {"label": label, "maxRequests": max_requests, "duration": duration, "audience": audience}


@pytest.fixture()
def limit(ctx):
    """limit(*rules, excludedIPs=[]): enable the limiter with exactly these rules (and excluded IPs).
    Turns the limiter off again after the test."""
    def enable(*rules, excludedIPs=()):
        r = ctx.su.patch("/api/settings", json={"rateLimits": {
            "enabled": True, "rules": list(rules), "excludedIPs": list(excludedIPs)}})
        assert r.status_code == 200, r.text
        return r.json()
    yield enable
    r = ctx.su.patch("/api/settings", json={"rateLimits": {"enabled": False}})
    assert r.status_code == 200, r.text


def statuses(send, n):
    return [send().status_code for _ in range(n)]


def assert_limited(resp):
    """PocketBase's 429 (it sends no Retry-After/X-RateLimit-* headers; only status/body are checked)."""
    assert resp.status_code == 429, f"{resp.status_code} {resp.text[:500]}"
    assert resp.headers.get("Content-Type", "").startswith("application/json"), resp.headers
    assert resp.json() == TOO_MANY


def fresh_path():
    """A route nobody serves (GET → 404); the limiter still sees it, so it is a fresh label."""
    return f"/api/rl_{uuid.uuid4().hex[:12]}"


def base_collection(ctx, **extra):
    return create_collection(ctx.su, {
        "name": unique_name("rl_base"), "type": "base",
        "listRule": "", "viewRule": "", "createRule": "", "updateRule": "", "deleteRule": "",
        "fields": [{"name": "title", "type": "text"}], **extra})


def auth_collection(ctx):
    return create_collection(ctx.su, {
        "name": unique_name("rl_auth"), "type": "auth",
        "listRule": "", "viewRule": "", "createRule": "", "updateRule": "", "deleteRule": "",
        "fields": []})


def settings_patch_error(ctx, body):
    r = ctx.su.patch("/api/settings", json=body)
    return assert_error(r, 400, SAVE_FAILED)["data"]


# =========================================================================== GET /api/settings
def test_settings_require_superuser(ctx):
    for method in ("GET", "PATCH"):
        r = ctx.guest.request(method, "/api/settings", json={"meta": {"appName": "Guest"}})
        assert_error(r, 401, "The request requires valid record authorization token.", {})
        r = ctx.user.request(method, "/api/settings", json={"meta": {"appName": "User"}})
        assert_error(r, 403, "The authorized record is not allowed to perform this action.", {})
    assert ctx.su.get("/api/settings").json()["meta"]["appName"] != "Guest"


# Settings Swiftbase adds beside PocketBase's (its own modules' knobs), with their defaults.
SWIFTBASE_SETTINGS = {"changes": {"maxAgeDays": 7}, "webhooks": {
    "retrySchedule": [5, 300, 1800, 7200, 18000, 36000, 36000], "disableAfterFailures": 20, "allowPrivateTargets": False,
    "timeout": 10}, "functions": {"allowPrivateHosts": False},
    "graphql": {"introspection": True, "maxDepth": 8, "maxBreadth": 200, "maxCost": 5000000, "timeout": 10},
    "mqtt": {"allowAnonymous": False, "authCollection": "", "maxKeepAlive": 0, "acl": [], "ingest": []}}


def test_default_settings(ctx, request):
    got = ctx.initial
    extras = SWIFTBASE_SETTINGS if _server_kind(request.config) == "swiftbase" else {}
    assert set(got) == set(DEFAULT_SETTINGS) | set(extras)
    for key, want in extras.items():
        assert got[key] == want, key
    for key, want in DEFAULT_SETTINGS.items():
        assert got[key] == want, key
    assert "password" not in got["smtp"] and "secret" not in got["s3"]
    assert "secret" not in got["backups"]["s3"]


def test_secrets_are_never_returned(ctx):
    r = ctx.su.patch("/api/settings", json={
        "smtp": {"password": "smtp-secret-pass", "username": "mailer"},
        "s3": {"secret": "s3-secret-key", "accessKey": "AKIA"},
        "backups": {"s3": {"secret": "backup-secret-key"}}})
    assert r.status_code == 200, r.text
    for body in (r.json(), ctx.su.get("/api/settings").json()):
        assert body["smtp"]["username"] == "mailer" and body["s3"]["accessKey"] == "AKIA"
        assert set(body["smtp"]) == set(DEFAULT_SETTINGS["smtp"])        # no "password" key
        assert set(body["s3"]) == set(DEFAULT_SETTINGS["s3"])            # no "secret" key
        assert set(body["backups"]["s3"]) == set(DEFAULT_SETTINGS["backups"]["s3"])
        for secret in ("smtp-secret-pass", "s3-secret-key", "backup-secret-key"):
            assert secret not in str(body)


# =========================================================================== PATCH /api/settings
def test_patch_merges_partially_and_returns_full_settings(ctx):
    before = ctx.su.get("/api/settings").json()
    r = ctx.su.patch("/api/settings", json={"meta": {"appName": "Swiftbase IT"}})
    assert r.status_code == 200, r.text
    after = r.json()
    assert after == ctx.su.get("/api/settings").json()
    assert after["meta"] == {**before["meta"], "appName": "Swiftbase IT"}
    assert {k: v for k, v in after.items() if k != "meta"} == \
        {k: v for k, v in before.items() if k != "meta"}
    # nested objects merge key by key too
    r = ctx.su.patch("/api/settings", json={"smtp": {"port": 2525}})
    assert r.status_code == 200, r.text
    assert r.json()["smtp"] == {**before["smtp"], "port": 2525}
    assert r.json()["meta"]["appName"] == "Swiftbase IT"
    # unknown keys are ignored
    r = ctx.su.patch("/api/settings", json={"bogus": 1, "meta": {"bogus": 2}})
    assert r.status_code == 200, r.text
    assert "bogus" not in r.json() and "bogus" not in r.json()["meta"]
    restore = ctx.su.patch("/api/settings", json={"meta": {"appName": before["meta"]["appName"]},
                                                  "smtp": {"port": before["smtp"]["port"]}})
    assert restore.status_code == 200, restore.text


def test_patch_rules_replace_the_whole_list(ctx):
    before = ctx.su.get("/api/settings").json()["rateLimits"]
    # array elements start from zero values: nothing is inherited from the rule at the same index
    data = settings_patch_error(ctx, {"rateLimits": {"rules": [{"label": "/api/x", "maxRequests": 2}]}})
    assert data == {"rateLimits": {"rules": {"0": {"duration": REQUIRED}}}}
    r = ctx.su.patch("/api/settings", json={"rateLimits": {"rules": [
        {"label": "/api/x", "maxRequests": 2, "duration": 3}]}})
    assert r.status_code == 200, r.text
    assert r.json()["rateLimits"] == {
        "rules": [{"label": "/api/x", "audience": "", "duration": 3, "maxRequests": 2}],
        "excludedIPs": before["excludedIPs"], "enabled": before["enabled"]}
    r = ctx.su.patch("/api/settings", json={"rateLimits": {"rules": before["rules"]}})
    assert r.status_code == 200 and r.json()["rateLimits"] == before, r.text


@pytest.mark.parametrize("body,data", [
    pytest.param({"rateLimits": {"rules": [
        {"label": "bad label!", "duration": 0, "maxRequests": 0, "audience": "@everyone"}]}},
        {"rateLimits": {"rules": {"0": {
            "label": BAD_LABEL,
            "duration": REQUIRED,
            "maxRequests": REQUIRED,
            "audience": {"code": "validation_in_invalid", "message": "Must be a valid value."}}}}},
        id="rule-everything-invalid"),
    pytest.param({"rateLimits": {"rules": [
        {"label": "/api/ok", "duration": 3, "maxRequests": 3},
        {"label": "/api/ok2", "duration": -1, "maxRequests": -5}]}},
        {"rateLimits": {"rules": {"1": {
            "duration": {"code": "validation_min_greater_equal_than_required",
                         "message": "Must be no less than 1.", "params": {"threshold": 1}},
            "maxRequests": {"code": "validation_min_greater_equal_than_required",
                            "message": "Must be no less than 1.", "params": {"threshold": 1}}}}}},
        id="rule-negative-second-index"),
    pytest.param({"rateLimits": {"rules": [{"label": "", "duration": 1, "maxRequests": 1}]}},
                 {"rateLimits": {"rules": {"0": {"label": REQUIRED}}}}, id="rule-empty-label"),
    pytest.param({"rateLimits": {"enabled": True, "rules": []}},
                 {"rateLimits": {"rules": REQUIRED}}, id="enabled-without-rules"),
    pytest.param({"rateLimits": {"excludedIPs": ["nope", "10.0.0.0/8", ""]}},
                 {"rateLimits": {"excludedIPs": {
                     "0": {"code": "validation_invlaid_ip_or_subnet",  # sic, PocketBase's spelling
                           "message": "Invalid IP or CIDR subnet."},
                     "2": REQUIRED}}}, id="excluded-ips"),
    pytest.param({"superuserIPs": ["nope"]},
                 {"superuserIPs": {"0": {"code": "validation_invlaid_ip_or_subnet",
                                         "message": "Invalid IP or CIDR subnet."}}},
                 id="superuser-ips"),
    pytest.param({"meta": {"appName": ""}}, {"meta": {"appName": REQUIRED}}, id="app-name-empty"),
    pytest.param({"meta": {"appName": "x" * 256}},
                 {"meta": {"appName": {"code": "validation_length_out_of_range",
                                       "message": "The length must be between 1 and 255.",
                                       "params": {"max": 255, "min": 1}}}}, id="app-name-long"),
    pytest.param({"meta": {"appURL": "not a url"}},
                 {"meta": {"appURL": {"code": "validation_is_url", "message": "Must be a valid URL."}}},
                 id="app-url"),
    pytest.param({"meta": {"appName": "", "appURL": "x", "senderName": "", "senderAddress": "bad",
                           "accentColor": "red"}},
                 {"meta": {
                     "appName": REQUIRED, "senderName": REQUIRED,
                     "appURL": {"code": "validation_is_url", "message": "Must be a valid URL."},
                     "senderAddress": {"code": "validation_is_email",
                                       "message": "Must be a valid email address."},
                     "accentColor": {"code": "validation_length_invalid",
                                     "message": "The length must be exactly 7.",
                                     "params": {"max": 7, "min": 7}}}}, id="meta-all"),
    pytest.param({"smtp": {"enabled": True, "host": ""}}, {"smtp": {"host": REQUIRED}},
                 id="smtp-enabled-without-host"),
    pytest.param({"smtp": {"enabled": True, "host": "", "port": 0}},
                 {"smtp": {"host": REQUIRED, "port": REQUIRED}}, id="smtp-enabled-without-host-port"),
    pytest.param({"smtp": {"host": "not a host!"}},
                 {"smtp": {"host": {"code": "validation_is_host",
                                    "message": "Must be a valid IP address or DNS name."}}},
                 id="smtp-bad-host"),
    pytest.param({"s3": {"enabled": True, "bucket": "", "region": "", "endpoint": "", "accessKey": "",
                         "secret": ""}},
                 {"s3": {k: REQUIRED for k in ("accessKey", "bucket", "endpoint", "region", "secret")}},
                 id="s3-enabled-empty"),
    pytest.param({"batch": {"enabled": True, "maxRequests": 0, "timeout": 0}},
                 {"batch": {"maxRequests": REQUIRED, "timeout": REQUIRED}}, id="batch"),
    pytest.param({"logs": {"maxDays": -1}},
                 {"logs": {"maxDays": {"code": "validation_min_greater_equal_than_required",
                                       "message": "Must be no less than 0.",
                                       "params": {"threshold": 0}}}}, id="logs"),
    pytest.param({"backups": {"cron": "bad"}},
                 {"backups": {"cron": {"code": "validation_invalid_cron",
                                       "message": "Invalid cron expression - must be a valid macro "
                                                  "or to have exactly 5 space separated segments."}}},
                 id="backups-cron"),
])
def test_patch_validation_errors(ctx, body, data):
    assert settings_patch_error(ctx, body) == data


def test_failed_patch_changes_nothing(ctx):
    before = ctx.su.get("/api/settings").json()
    settings_patch_error(ctx, {"meta": {"appName": "Changed", "appURL": "not a url"},
                               "smtp": {"port": 1234}})
    assert ctx.su.get("/api/settings").json() == before


def test_rule_label_format(ctx):
    valid = ["test_a", "users:create", "*:create", "1:2", "/", "/api", "/api/x-y_z/",
             "POST /api/collections/", "GET /api/x-y_z/", "get /api/x"]
    invalid = ["*", "*:*", "a:b:c", "a b", "GET api/x", "PATCH   /api", "/api/{x}", "/api/x?y",
               "/api/x.y"]
    for label in valid:
        r = ctx.su.patch("/api/settings",
                         json={"rateLimits": {"rules": [rule(label, 1)]}})
        assert r.status_code == 200, (label, r.text)
        assert r.json()["rateLimits"]["rules"] == [rule(label, 1)]
    for label in invalid:
        data = settings_patch_error(ctx, {"rateLimits": {"rules": [rule(label, 1)]}})
        assert data == {"rateLimits": {"rules": {"0": {"label": BAD_LABEL}}}}, label


def test_rule_conflicts(ctx):
    def conflict(index, label):
        return {"rateLimits": {"rules": {str(index): {"label": {
            "code": "validation_conflicting_rate_limit_rule",
            "message": f"Rate limit rule configuration with label {label} already exists or "
                       f"conflicts with another rule.",
            "params": {"label": label}}}}}}

    # same label + audience; and "" (everyone) overlaps with "@guest" / "@auth" of the same label
    for rules, index, label in [
        ([rule("a", 1), rule("a", 2)], 1, "a"),
        ([rule("a", 1), rule("a", 2, audience="@guest")], 1, "a"),
        ([rule("a", 1, audience="@auth"), rule("a", 2)], 1, "a"),
        ([rule("ab", 1), rule("abc", 1), rule("ab", 1)], 2, "ab"),
    ]:
        data = settings_patch_error(ctx, {"rateLimits": {"rules": rules}})
        assert data == conflict(index, label), rules
    # "@guest" next to "@auth" is fine, and so are labels that are prefixes of each other
    for rules in ([rule("a", 1, audience="@guest"), rule("a", 2, audience="@auth")],
                  [rule("/api/", 1), rule("/api/x", 1)], [rule("ab", 1), rule("a", 1)]):
        r = ctx.su.patch("/api/settings", json={"rateLimits": {"rules": rules}})
        assert r.status_code == 200, r.text
        assert r.json()["rateLimits"]["rules"] == rules


def test_patch_malformed_body(ctx):
    before = ctx.su.get("/api/settings").json()
    for raw in ("{bad", "[]", '{"meta": {"appName": 123}}', '{"rateLimits": {"enabled": "yes"}}'):
        r = ctx.su.patch("/api/settings", data=raw, headers={"Content-Type": "application/json"})
        assert_error(r, 400, LOAD_FAILED, {})
    # an empty body changes nothing and answers the settings
    r = ctx.su.patch("/api/settings", data="", headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    assert r.json() == before == ctx.su.get("/api/settings").json()


# =========================================================================== rate limiting
def test_exact_path_limit_and_recovery(ctx, limit):
    limit(rule("/api/health", 2, duration=2))
    t0 = time.time()
    assert statuses(lambda: ctx.guest.get("/api/health"), 2) == [200, 200]
    assert_limited(ctx.guest.get("/api/health"))
    assert_limited(ctx.guest.get("/api/health?any=query"))  # the label is the path only
    # the window ends 2 whole seconds after it opened: poll until a request is allowed again, the
    # first of the next window (refused requests change no counter)
    first = poll(lambda: ctx.guest.get("/api/health"), lambda r: r.status_code != 429,
                 timeout=t0 + 5 - time.time(), interval=0.1, what="the rate limit to be lifted")
    assert time.time() - t0 > 1  # a window of 2 whole seconds lasts more than 1 s
    assert [first.status_code] + statuses(lambda: ctx.guest.get("/api/health"), 1) == [200, 200]
    assert_limited(ctx.guest.get("/api/health"))


def test_method_label_limits_only_that_method(ctx, limit):
    coll = base_collection(ctx)
    url = f"/api/collections/{coll['name']}/records"
    limit(rule(f"POST {url}", 2))
    assert statuses(lambda: ctx.guest.post(url, json={"title": "t"}), 2) == [200, 200]
    assert_limited(ctx.guest.post(url, json={"title": "t"}))
    assert statuses(lambda: ctx.guest.get(url), 4) == [200] * 4


def test_method_label_is_case_sensitive(ctx, limit):
    path = fresh_path()
    limit(rule(f"get {path}", 1))  # accepted, but never equal to "GET /..."
    assert statuses(lambda: ctx.guest.get(path), 3) == [404] * 3


def test_method_prefix_label(ctx, limit):
    path = fresh_path()
    limit(rule(f"POST {path}/", 2))
    assert statuses(lambda: ctx.guest.post(path + "/sub"), 2) == [404, 404]
    assert_limited(ctx.guest.post(path + "/sub"))
    assert statuses(lambda: ctx.guest.get(path + "/sub"), 3) == [404] * 3


def test_path_prefix_label_covers_sub_paths(ctx, limit):
    coll, other = base_collection(ctx), base_collection(ctx)
    prefix = f"/api/collections/{coll['name']}/"
    limit(rule(prefix, 2))
    lst = lambda: ctx.guest.get(prefix + "records")
    assert statuses(lst, 2) == [200, 200]
    assert_limited(lst())
    view = lambda: ctx.guest.get(prefix + "records/nonexistent1234")
    assert statuses(view, 2) == [404, 404]
    assert_limited(view())
    # `label + "/"` is compared, so the prefix also covers the path without the trailing slash
    coll_view = lambda: ctx.guest.get(f"/api/collections/{coll['name']}")
    assert statuses(coll_view, 2) == [401, 401]
    assert_limited(coll_view())
    # a sibling whose name merely starts the same is not covered
    assert statuses(lambda: ctx.guest.get(f"/api/collections/{other['name']}/records"), 3) == [200] * 3


def test_prefix_counter_is_shared_on_plain_routes(ctx, limit):
    path = fresh_path()
    limit(rule(path + "/", 3))
    # plain routes: one counter per rule, so different paths under the prefix add up
    assert [ctx.guest.get(f"{path}/{i}").status_code for i in range(3)] == [404, 404, 404]
    assert_limited(ctx.guest.get(f"{path}/other"))


def test_collection_routes_count_per_route(ctx, limit):
    coll = base_collection(ctx)
    base = f"/api/collections/{coll['name']}/records"
    limit(rule(f"/api/collections/{coll['name']}/", 2))
    # collection routes: one counter per collection + route, even when one prefix rule matches both
    assert statuses(lambda: ctx.guest.get(base), 2) == [200, 200]
    assert statuses(lambda: ctx.guest.get(base + "/nonexistent1234"), 2) == [404, 404]
    assert_limited(ctx.guest.get(base))
    assert_limited(ctx.guest.get(base + "/nonexistent1234"))


def test_collection_create_tag(ctx, limit):
    coll = base_collection(ctx)
    url = f"/api/collections/{coll['name']}/records"
    limit(rule(f"{coll['name']}:create", 2))
    assert statuses(lambda: ctx.guest.post(url, json={"title": "t"}), 2) == [200, 200]
    assert_limited(ctx.guest.post(url, json={"title": "t"}))
    assert statuses(lambda: ctx.guest.get(url), 3) == [200] * 3


def test_wildcard_list_tag_counts_per_collection(ctx, limit):
    a, b = base_collection(ctx), base_collection(ctx)
    limit(rule("*:list", 2))
    for coll in (a, b):
        url = f"/api/collections/{coll['name']}/records"
        assert statuses(lambda: ctx.guest.get(url), 2) == [200, 200], coll["name"]
        assert_limited(ctx.guest.get(url))
    # the list tag does not cover view
    view = f"/api/collections/{a['name']}/records/nonexistent1234"
    assert statuses(lambda: ctx.guest.get(view), 3) == [404] * 3


def test_auth_tag_covers_password_and_otp_logins(ctx, limit):
    coll = auth_collection(ctx)
    base = f"/api/collections/{coll['name']}"
    limit(rule("*:auth", 2))
    pw = lambda: ctx.guest.post(base + "/auth-with-password",
                                json={"identity": "ghost@example.com", "password": "wrong-pass"})
    assert statuses(pw, 2) == [400, 400]
    assert_limited(pw())
    # auth-with-otp carries the tag too, with its own counter (OTP is disabled → 403 before)
    otp = lambda: ctx.guest.post(base + "/auth-with-otp", json={"otpId": "x", "password": "y"})
    first = statuses(otp, 2)
    assert 429 not in first, first
    assert_limited(otp())
    # auth-methods has only the listAuthMethods tag
    assert statuses(lambda: ctx.guest.get(base + "/auth-methods"), 3) == [200] * 3


# (tag, method, sub-path of /api/collections/<auth collection>, json body); PocketBase also tags
# `authWithOAuth2` (+ `auth`) on auth-with-oauth2 and `file` on GET /api/files/{collection}/…
TAGGED_ROUTES = [
    ("view", "GET", "/records/nonexistent1234", None),
    ("update", "PATCH", "/records/nonexistent1234", {}),
    ("delete", "DELETE", "/records/nonexistent1234", None),
    ("listAuthMethods", "GET", "/auth-methods", None),
    ("authWithPassword", "POST", "/auth-with-password", {"identity": "g@example.com", "password": "x"}),
    ("authRefresh", "POST", "/auth-refresh", None),
    ("requestOTP", "POST", "/request-otp", {"email": "ghost@example.com"}),
    ("authWithOTP", "POST", "/auth-with-otp", {"otpId": "x", "password": "y"}),
    ("requestPasswordReset", "POST", "/request-password-reset", {"email": "ghost@example.com"}),
    ("confirmPasswordReset", "POST", "/confirm-password-reset",
     {"token": "x", "password": "y", "passwordConfirm": "y"}),
    ("requestVerification", "POST", "/request-verification", {"email": "ghost@example.com"}),
    ("confirmVerification", "POST", "/confirm-verification", {"token": "x"}),
    ("requestEmailChange", "POST", "/request-email-change", {"newEmail": "n@example.com"}),
    ("confirmEmailChange", "POST", "/confirm-email-change", {"token": "x", "password": "y"}),
]


@pytest.mark.parametrize("tag,method,sub,body", TAGGED_ROUTES, ids=[t[0] for t in TAGGED_ROUTES])
def test_collection_route_tags(ctx, limit, tag, method, sub, body):
    coll = auth_collection(ctx)
    url = f"/api/collections/{coll['name']}{sub}"
    send = lambda: ctx.guest.request(method, url, json=body)
    limit(rule(f"{coll['name']}:{tag}", 2))
    first = statuses(send, 2)  # whatever the outcome (even 401/403/404), the request counts
    assert 429 not in first, first
    assert_limited(send())


def test_guest_audience(ctx, limit):
    coll = base_collection(ctx)
    url = f"/api/collections/{coll['name']}/records"
    limit(rule(url, 2, audience="@guest"))
    assert statuses(lambda: ctx.guest.get(url), 2) == [200, 200]
    assert_limited(ctx.guest.get(url))
    assert statuses(lambda: ctx.user.get(url), 4) == [200] * 4


def test_auth_audience(ctx, limit):
    coll = base_collection(ctx)
    url = f"/api/collections/{coll['name']}/records"
    limit(rule(url, 2, audience="@auth"))
    assert statuses(lambda: ctx.user.get(url), 2) == [200, 200]
    assert_limited(ctx.user.get(url))
    assert statuses(lambda: ctx.guest.get(url), 4) == [200] * 4


def test_same_label_split_by_audience(ctx, limit):
    path = fresh_path()
    limit(rule(path, 2, audience="@guest"), rule(path, 100, audience="@auth"))
    assert statuses(lambda: ctx.guest.get(path), 2) == [404, 404]
    assert_limited(ctx.guest.get(path))
    assert statuses(lambda: ctx.user.get(path), 4) == [404] * 4


def test_rule_of_other_audience_is_skipped(ctx, limit):
    path = fresh_path()
    limit(rule(path + "/a", 100, audience="@auth"), rule(path + "/", 2))
    # the guest skips the exact @auth rule and falls through to the prefix rule
    assert statuses(lambda: ctx.guest.get(path + "/a"), 2) == [404, 404]
    assert_limited(ctx.guest.get(path + "/a"))
    assert statuses(lambda: ctx.user.get(path + "/a"), 4) == [404] * 4


def test_counter_is_per_client_ip_not_per_auth(ctx, limit):
    path = fresh_path()
    limit(rule(path, 2))
    # audience "": guests and users from the same IP share one counter
    assert statuses(lambda: ctx.guest.get(path), 2) == [404, 404]
    assert_limited(ctx.user.get(path))


@pytest.mark.parametrize("case", ["method>path", "exact>prefix", "method-prefix>path",
                                  "first-prefix-wins", "first-prefix-wins-reversed"])
def test_precedence_on_plain_routes(ctx, limit, case):
    p = fresh_path()
    path, rules, limited = {
        # exact "METHOD /path" beats exact "/path", whatever the list order
        "method>path": (p, [rule(p, 2), rule(f"GET {p}", 100)], False),
        # an exact path beats a prefix rule
        "exact>prefix": (p + "/a", [rule(p + "/", 2), rule(p + "/a", 100)], False),
        # a "METHOD /prefix/" rule beats an exact "/path"
        "method-prefix>path": (p + "/a", [rule(p + "/a", 100), rule(f"GET {p}/", 2)], True),
        # among prefix rules the first in list order wins, not the longest
        "first-prefix-wins": (p + "/a/b", [rule(p + "/", 100), rule(p + "/a/", 2)], False),
        "first-prefix-wins-reversed": (p + "/a/b", [rule(p + "/a/", 2), rule(p + "/", 100)], True),
    }[case]
    limit(*rules)
    got = statuses(lambda: ctx.guest.get(path), 3)
    assert got == ([404, 404, 429] if limited else [404, 404, 404]), (rules, got)


@pytest.mark.parametrize("case", ["coll-tag>wildcard-tag", "wildcard-tag>method-path",
                                  "tag>path", "coll-tag>wildcard-tag-reversed"])
def test_precedence_on_collection_routes(ctx, limit, case):
    coll = base_collection(ctx)
    url = f"/api/collections/{coll['name']}/records"
    rules, limited = {
        "coll-tag>wildcard-tag": ([rule("*:list", 2), rule(f"{coll['name']}:list", 100)], False),
        "coll-tag>wildcard-tag-reversed": ([rule(f"{coll['name']}:list", 2), rule("*:list", 100)], True),
        "wildcard-tag>method-path": ([rule(f"GET {url}", 2), rule("*:list", 100)], False),
        "tag>path": ([rule(f"{coll['name']}:list", 100), rule(url, 2), rule("/api/", 2)], False),
    }[case]
    limit(*rules)
    got = statuses(lambda: ctx.guest.get(url), 3)
    assert got == ([200, 200, 429] if limited else [200, 200, 200]), (rules, got)


def test_precedence_between_tags_of_one_route(ctx, limit):
    coll = auth_collection(ctx)
    # auth-with-password tries <coll>:authWithPassword, <coll>:auth, *:authWithPassword, *:auth
    limit(rule("*:authWithPassword", 2), rule(f"{coll['name']}:auth", 100))
    send = lambda: ctx.guest.post(f"/api/collections/{coll['name']}/auth-with-password",
                                  json={"identity": "ghost@example.com", "password": "wrong-pass"})
    assert statuses(send, 3) == [400, 400, 400]


def test_superusers_are_exempt(ctx, limit):
    coll = base_collection(ctx)
    url = f"/api/collections/{coll['name']}/records"
    limit(rule("*:list", 1), rule("*:create", 1), rule("/api/", 1))
    assert statuses(lambda: ctx.su.get(url), 4) == [200] * 4
    assert statuses(lambda: ctx.su.post(url, json={"title": "t"}), 4) == [200] * 4
    assert statuses(lambda: ctx.su.get("/api/health"), 4) == [200] * 4
    assert ctx.guest.get(url).status_code == 200
    assert_limited(ctx.guest.get(url))


def test_excluded_ips_are_exempt(ctx, limit):
    path = fresh_path()
    body = limit(rule(path, 1), excludedIPs=["10.0.0.0/8", "127.0.0.1"])
    assert body["rateLimits"]["excludedIPs"] == ["10.0.0.0/8", "127.0.0.1"]
    assert statuses(lambda: ctx.guest.get(path), 4) == [404] * 4


def test_failed_requests_count(ctx, limit):
    coll, auth = base_collection(ctx), auth_collection(ctx)
    path = fresh_path()
    limit(rule(path, 2), rule(f"{coll['name']}:view", 2), rule(f"{auth['name']}:auth", 2),
          rule("/api/collections/", 2))
    # unknown route → 404, missing record → 404, wrong password → 400, superuser-only → 401
    assert statuses(lambda: ctx.guest.get(path), 2) == [404, 404]
    assert_limited(ctx.guest.get(path))
    view = lambda: ctx.guest.get(f"/api/collections/{coll['name']}/records/nonexistent1234")
    assert statuses(view, 2) == [404, 404]
    assert_limited(view())
    login = lambda: ctx.guest.post(f"/api/collections/{auth['name']}/auth-with-password",
                                   json={"identity": "ghost@example.com", "password": "wrong-pass"})
    assert statuses(login, 2) == [400, 400]
    assert_limited(login())
    listing = lambda: ctx.guest.get("/api/collections")
    assert statuses(listing, 2) == [401, 401]
    assert_limited(listing())


def test_unknown_collection_is_not_counted(ctx, limit):
    limit(rule("/api/", 1))
    # the collection lookup fails (404) before the limiter of the collection routes runs
    for sub in ("/records", "/records/x1234", "/auth-methods"):
        r = [ctx.guest.get(f"/api/collections/no_such_rl_coll{sub}") for _ in range(3)]
        assert [x.status_code for x in r] == [404] * 3, sub


def test_saving_settings_resets_counters(ctx, limit):
    path = fresh_path()
    limit(rule(path, 2))
    assert statuses(lambda: ctx.guest.get(path), 2) == [404, 404]
    assert_limited(ctx.guest.get(path))
    r = ctx.su.patch("/api/settings", json={})  # any successful save reloads the settings
    assert r.status_code == 200, r.text
    assert statuses(lambda: ctx.guest.get(path), 2) == [404, 404]
    assert_limited(ctx.guest.get(path))


def test_disabling_lifts_limits_immediately(ctx, limit):
    path = fresh_path()
    body = limit(rule(path, 1))
    assert body["rateLimits"]["enabled"] is True
    assert ctx.guest.get(path).status_code == 404
    assert_limited(ctx.guest.get(path))
    r = ctx.su.patch("/api/settings", json={"rateLimits": {"enabled": False}})
    assert r.status_code == 200, r.text
    assert r.json()["rateLimits"]["enabled"] is False
    assert r.json()["rateLimits"]["rules"] == [rule(path, 1)]  # the rules are kept
    assert statuses(lambda: ctx.guest.get(path), 4) == [404] * 4


def test_collection_rename_updates_rule_labels(ctx, limit):
    coll = base_collection(ctx)
    name = coll["name"]
    limit(rule(f"{name}:list", 2), rule(f"{name}x:list", 2), rule("*:create", 5))
    r = ctx.su.patch(f"/api/collections/{name}", json={"name": name + "_r"})
    assert r.status_code == 200, r.text
    rules = ctx.su.get("/api/settings").json()["rateLimits"]["rules"]
    assert rules == [rule(f"{name}_r:list", 2), rule(f"{name}x:list", 2), rule("*:create", 5)]
    url = f"/api/collections/{name}_r/records"
    assert statuses(lambda: ctx.guest.get(url), 2) == [200, 200]
    assert_limited(ctx.guest.get(url))

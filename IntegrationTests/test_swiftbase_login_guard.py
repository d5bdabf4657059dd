"""Swiftbase beyond PocketBase: password guessing is refused by default. Failed logins are counted per
account and per client IP; past the limit (10 per account in 10 minutes) every attempt, even with the
right password, answers 429 with Retry-After, while other accounts are unaffected."""
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conftest import assert_error, create_collection, superuser_token, unique_name, Api

PASSWORD = "Secret-pass-1234"
ACCOUNT_LIMIT = 10

pytestmark = pytest.mark.usefixtures("swiftbase_only")


@pytest.fixture(scope="module")
def su(own_server):
    return Api(own_server.url, superuser_token(own_server.url))


@pytest.fixture(scope="module")
def people(su):
    return create_collection(su, {"name": unique_name("guard"), "type": "auth", "createRule": "", "fields": []})


def sign_up(su, coll):
    email = f"{uuid.uuid4().hex[:10]}@example.com"
    r = su.post(f"/api/collections/{coll['name']}/records", auth=False,
                json={"email": email, "password": PASSWORD, "passwordConfirm": PASSWORD})
    assert r.status_code == 200, r.text
    return email


def attempt(su, coll, email, password):
    return su.post(f"/api/collections/{coll['name']}/auth-with-password", auth=False,
                   json={"identity": email, "password": password})


def test_brute_force_is_refused_with_retry_after(su, people):
    victim = sign_up(su, people)
    for i in range(ACCOUNT_LIMIT):
        assert_error(attempt(su, people, victim, f"guess-{i}"), 400, "Failed to authenticate.", {})
    blocked = attempt(su, people, victim, "guess-final")
    assert_error(blocked, 429, "Too many failed login attempts, please try again later.", {})
    assert 1 <= int(blocked.headers["Retry-After"]) <= 600
    # the right password does not get through while the account is locked
    assert attempt(su, people, victim, PASSWORD).status_code == 429
    # unknown accounts are guessed against just the same (no enumeration through the guard)
    ghost = "ghost-" + victim
    for i in range(ACCOUNT_LIMIT):
        assert attempt(su, people, ghost, f"g{i}").status_code == 400
    assert attempt(su, people, ghost, "g").status_code == 429


def test_other_accounts_are_unaffected_and_success_resets(su, people):
    other = sign_up(su, people)
    for i in range(ACCOUNT_LIMIT - 1):
        assert attempt(su, people, other, f"nope-{i}").status_code == 400
    assert attempt(su, people, other, PASSWORD).status_code == 200
    # the success cleared the count: a fresh run of failures starts from zero
    for i in range(ACCOUNT_LIMIT - 1):
        assert attempt(su, people, other, f"again-{i}").status_code == 400
    assert attempt(su, people, other, PASSWORD).status_code == 200


def test_a_concurrent_burst_is_cut_at_the_limit(su, people):
    """Sixty guesses at once, the right password last: an attempt counts from the moment it starts, so at
    most ten are evaluated while the first ones are still hashing; the rest, the right one among them, are
    refused at once. Meanwhile another account logs in as usual."""
    victim = sign_up(su, people)
    bystander = sign_up(su, people)
    url = f"{su.base}/api/collections/{people['name']}/auth-with-password"
    answered = []
    lock = threading.Lock()

    def guess(password):
        started = time.monotonic()
        r = requests.post(url, json={"identity": victim, "password": password}, timeout=60)
        with lock:
            answered.append(time.monotonic() - started)
        return r

    gate = threading.Barrier(59)

    def wrong(i):
        gate.wait()
        return guess(f"burst-{i}")

    with ThreadPoolExecutor(max_workers=61) as pool:
        wrongs = [pool.submit(wrong, i) for i in range(59)]
        deadline = time.monotonic() + 60
        while len(answered) < 40:  # the refusals come back first; the evaluated ones may still be hashing
            assert time.monotonic() < deadline, f"only {len(answered)} of 59 guesses answered within 60 s"
            time.sleep(0.005)
        right = pool.submit(guess, PASSWORD)
        other_started = time.monotonic()
        other = requests.post(url, json={"identity": bystander, "password": PASSWORD}, timeout=60)
        other_took = time.monotonic() - other_started
        statuses = [f.result().status_code for f in wrongs]
        right = right.result()
    assert statuses.count(400) <= ACCOUNT_LIMIT, statuses
    assert statuses.count(400) + statuses.count(429) == 59, statuses
    assert_error(right, 429, "Too many failed login attempts, please try again later.", {})
    assert 1 <= int(right.headers["Retry-After"]) <= 600
    assert other.status_code == 200 and other_took < 10, (other.status_code, other_took)
    assert max(answered) < 30, sorted(answered)[-5:]
    # the account stays locked for the window (10 minutes, too long to wait here), right password or not
    assert attempt(su, people, victim, PASSWORD).status_code == 429


def test_rate_limited_answers_say_when_to_retry(su):
    """PocketBase's 429 carries no hint; Swiftbase adds Retry-After (seconds left in the window)."""
    path = f"/api/rl_{uuid.uuid4().hex[:10]}"
    r = su.patch("/api/settings", json={"rateLimits": {"enabled": True, "rules": [
        {"label": path, "maxRequests": 1, "duration": 5, "audience": ""}]}})
    assert r.status_code == 200, r.text
    try:
        assert su.get(path, auth=False).status_code == 404
        limited = su.get(path, auth=False)
        assert_error(limited, 429, "Too Many Requests.", {})
        assert 1 <= int(limited.headers["Retry-After"]) <= 5
    finally:
        assert su.patch("/api/settings", json={"rateLimits": {"enabled": False}}).status_code == 200

"""Swiftbase beyond PocketBase: the change feed (issue 15). `GET /api/changes` reads the change log from a
cursor, filtered by collections and actions, in `seq` order, with `next` to read on from;
`GET /api/changes/stream` replays from the cursor and then tails live as Server-Sent Events whose `id:` is
the `seq`, so `Last-Event-ID` resumes exactly. Superusers, and API keys granted `changes`, may read."""
import json
import random
import threading
import time

import pytest
import requests

from conftest import Api, assert_error, create_collection, new_record, records, unique_name

pytestmark = pytest.mark.usefixtures("swiftbase_only")

KEYS = {"seq", "created", "collection", "collectionId", "recordId", "action", "record", "actor"}


@pytest.fixture(scope="module")
def colls(api):
    a = create_collection(api, {"name": unique_name("ch_a"), "fields": [
        {"name": "title", "type": "text"}, {"name": "secret", "type": "text", "hidden": True}]})
    b = create_collection(api, {"name": unique_name("ch_b"), "fields": [{"name": "title", "type": "text"}]})
    return a, b


def head(api):
    """The newest seq: a filtered read of an empty collection sees everything up to it."""
    empty = create_collection(api, {"name": unique_name("ch_empty")})
    r = api.get(f"/api/changes?collections={empty['name']}")
    assert r.status_code == 200, r.text
    assert r.json()["items"] == []
    return r.json()["next"]


def changes(api, query):
    r = api.get("/api/changes?" + query)
    assert r.status_code == 200, r.text
    return r.json()


def new_key(api, scopes):
    r = api.post("/api/keys", json={"name": unique_name("feed"), "scopes": scopes})
    assert r.status_code == 200, r.text
    return Api(api.base, "Bearer " + r.json()["key"])


class Stream:
    """An SSE reader of /api/changes/stream: `events(n)` returns the next n change entries (each `id:` checked
    against its seq)."""

    def __init__(self, api, query="", last_event_id=None, timeout=10):
        headers = {"Authorization": api.token}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        self.response = requests.get(api.base + "/api/changes/stream?" + query, headers=headers, stream=True,
                                     timeout=(5, timeout))
        assert self.response.status_code == 200, self.response.text
        assert self.response.headers["content-type"].startswith("text/event-stream")
        self.lines = self.response.iter_lines(decode_unicode=True)

    def events(self, n):
        out, event = [], {}
        for line in self.lines:
            if line == "":
                if "data" in event:
                    assert event["event"] == "change"
                    entry = json.loads(event["data"])
                    assert int(event["id"]) == entry["seq"]
                    out.append(entry)
                    if len(out) == n:
                        return out
                event = {}
            elif not line.startswith(":"):
                key, _, value = line.partition(": ")
                event[key] = value
        raise AssertionError(f"the stream ended after {len(out)} of {n} events")

    def close(self):
        self.response.close()


def test_the_feed_lists_committed_changes_in_seq_order_with_filters_and_a_cursor(api, colls):
    a, b = colls
    start = head(api)
    one = new_record(api, a, title="one", secret="s1")
    other = new_record(api, b, title="x")
    assert api.patch(records(a) + "/" + one["id"], json={"title": "two"}).status_code == 200
    assert api.delete(records(a) + "/" + one["id"]).status_code == 204

    page = changes(api, f"after={start}")
    items = page["items"]
    assert [(i["collection"], i["action"], i["recordId"]) for i in items] == [
        (a["name"], "create", one["id"]), (b["name"], "create", other["id"]),
        (a["name"], "update", one["id"]), (a["name"], "delete", one["id"])]
    assert all(set(i) == KEYS for i in items)
    seqs = [i["seq"] for i in items]
    assert seqs == sorted(seqs) and len(set(seqs)) == 4 and page["next"] == seqs[-1]
    # The record as the REST API showed it to a superuser (hidden fields included), and who made the change.
    assert items[0]["record"] == one and items[0]["collectionId"] == a["id"]
    assert items[2]["record"]["title"] == "two"
    su_id = api.get("/api/collections/_superusers/records").json()["items"][0]["id"]
    assert {i["actor"] for i in items} == {su_id}

    only = changes(api, f"after={start}&collections={a['name']}&actions=create,delete")["items"]
    assert [(i["action"], i["recordId"]) for i in only] == [("create", one["id"]), ("delete", one["id"])]
    by_id = changes(api, f"after={start}&collections={b['id']}")["items"]
    assert [i["recordId"] for i in by_id] == [other["id"]]

    # A page at a time, each `next` where the last one stopped; past the end, `next` is the head.
    cursor, seen = start, []
    for _ in range(4):
        page = changes(api, f"after={cursor}&limit=1&collections={a['name']},{b['name']}")
        assert len(page["items"]) == 1
        seen.append(page["items"][0]["seq"])
        cursor = page["next"]
    assert seen == seqs
    end = changes(api, f"after={cursor}&collections={a['name']},{b['name']}")
    assert end["items"] == [] and end["next"] >= cursor


def test_only_superusers_and_keys_granted_changes_may_read(api, guest, colls):
    a, b = colls
    start = head(api)
    new_record(api, a, title="for keys")
    new_record(api, b, title="not for a-keys")

    assert_error(guest.get("/api/changes", auth=False), 403)
    assert_error(guest.get("/api/changes/stream", auth=False), 403)
    users = "/api/collections/users/records"
    email = unique_name("feed") + "@example.com"
    assert api.post(users, json={"email": email, "password": "12345678", "passwordConfirm": "12345678"}).ok
    token = requests.post(api.base + "/api/collections/users/auth-with-password",
                          json={"identity": email, "password": "12345678"}, timeout=30).json()["token"]
    assert_error(Api(api.base, token).get("/api/changes"), 403)

    listing_only = new_key(api, [{"collection": a["name"], "actions": ["list", "view"]}])
    assert_error(listing_only.get("/api/changes"), 403)
    a_reader = new_key(api, [{"collection": a["name"], "actions": ["changes"]}])
    items = a_reader.get(f"/api/changes?after={start}").json()["items"]
    assert [i["collection"] for i in items] == [a["name"]]
    assert_error(a_reader.get(f"/api/changes?collections={b['name']}"), 403)
    assert_error(a_reader.get(f"/api/collections/{a['name']}/records"), 403)  # `changes` grants no listing
    everything = new_key(api, [{"collection": "*", "actions": ["changes"]}])
    items = everything.get(f"/api/changes?after={start}").json()["items"]
    assert [i["collection"] for i in items] == [a["name"], b["name"], "users"]  # `*` never covers _system ones


def test_head_answers_where_the_log_stands_for_those_who_may_read_it(api, guest, colls):
    a, b = colls
    record = new_record(api, a, title="the newest")
    body = api.get("/api/changes/head").json()
    assert set(body) == {"head", "oldest"}, body
    assert body["head"] == head(api)
    newest = changes(api, f"after={body['head'] - 1}")["items"]
    assert [(i["recordId"], i["action"]) for i in newest] == [(record["id"], "create")]
    assert 1 <= body["oldest"] <= body["head"]
    # Following from the head sees the next change and nothing before it.
    stream = Stream(api, f"after={body['head']}")
    later = new_record(api, b, title="after the head")
    [entry] = stream.events(1)
    assert entry["seq"] == body["head"] + 1 and entry["recordId"] == later["id"]
    stream.close()
    assert_error(guest.get("/api/changes/head", auth=False), 403)
    assert_error(new_key(api, [{"collection": a["name"], "actions": ["list"]}]).get("/api/changes/head"), 403)
    assert new_key(api, [{"collection": a["name"], "actions": ["changes"]}]).get("/api/changes/head").status_code == 200


@pytest.mark.parametrize("query", ["limit=0", "limit=1001", "after=-1", "after=x", "actions=create,rename",
                                   "collections=no_such_collection_here"])
def test_bad_parameters_are_400(api, query):
    assert_error(api.get("/api/changes?" + query), 400)


def test_the_stream_replays_then_tails_and_resumes_from_the_last_event_id(api, colls):
    a, _ = colls
    start = head(api)
    first = [new_record(api, a, title=f"r{i}")["id"] for i in range(3)]
    stream = Stream(api, f"after={start}&collections={a['name']}")
    try:
        replayed = stream.events(3)
        assert [e["recordId"] for e in replayed] == first
        live = [new_record(api, a, title=f"l{i}")["id"] for i in range(2)]
        tailed = stream.events(2)
        assert [e["recordId"] for e in tailed] == live
        assert [e["action"] for e in tailed] == ["create", "create"]
    finally:
        stream.close()
    missed = new_record(api, a, title="while away")["id"]
    resumed = Stream(api, f"collections={a['name']}", last_event_id=tailed[-1]["seq"])
    try:
        assert [e["recordId"] for e in resumed.events(1)] == [missed]
        then = new_record(api, a, title="after")["id"]
        assert [e["recordId"] for e in resumed.events(1)] == [then]
    finally:
        resumed.close()


def test_the_hand_over_from_replay_to_tail_has_no_gap_and_no_duplicate(api, colls):
    """While a writer commits, a reader reconnects again and again from its Last-Event-ID after a seeded
    random number of events and a random pause: what it collects is exactly the log, in order."""
    _, b = colls
    start = head(api)
    rng = random.Random(0x5EED_15)
    total = 150
    writer_done = threading.Event()

    def write():
        session = Api(api.base, api.token)
        for i in range(total):
            assert session.post(records(b), json={"title": f"w{i}"}).status_code == 200
            if i % 10 == 0:
                time.sleep(0.002)  # let reconnects land between commits as well as during them
        writer_done.set()

    writer = threading.Thread(target=write)
    writer.start()
    collected, cursor, reconnects = [], start, 0
    try:
        while len(collected) < total:
            stream = Stream(api, f"collections={b['name']}", last_event_id=cursor)
            try:
                batch = stream.events(min(rng.randint(1, 12), total - len(collected)))
            finally:
                stream.close()
            collected += [e["seq"] for e in batch]
            cursor = batch[-1]["seq"]
            reconnects += 1
            time.sleep(rng.random() * 0.01)
    finally:
        writer.join(timeout=60)
    assert writer_done.is_set()
    assert reconnects > 10
    logged = [i["seq"] for i in changes(api, f"after={start}&collections={b['name']}&limit=1000")["items"]]
    assert len(logged) == total
    assert collected == logged


def test_retention_is_a_setting(api):
    settings = api.get("/api/settings").json()
    assert settings["changes"] == {"maxAgeDays": 7}
    assert_error(api.patch("/api/settings", json={"changes": {"maxAgeDays": -1}}), 400)
    assert api.patch("/api/settings", json={"changes": {"maxAgeDays": 30}}).json()["changes"] == {"maxAgeDays": 30}
    assert api.patch("/api/settings", json={"changes": {"maxAgeDays": 7}}).status_code == 200

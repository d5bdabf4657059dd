"""Swiftbase beyond PocketBase: named consumers of the change log (issue 15), Kafka-style and at-least-once.
The server keeps each consumer's cursor: `poll` answers the entries after it that match the consumer's
collections and filter (the same ones again until they are committed), long-polling up to `wait` seconds;
`commit` moves the cursor on. Cursors survive a restart and kill -9."""
import threading
import time

import pytest
import requests

from conftest import Api, assert_error, create_collection, new_record, records, superuser_token, unique_name

pytestmark = pytest.mark.usefixtures("swiftbase_only")


@pytest.fixture(scope="module")
def items(api):
    return create_collection(api, {"name": unique_name("cons"), "fields": [
        {"name": "title", "type": "text"}, {"name": "n", "type": "number"}]})


def consumer(api, coll, **extra):
    body = {"name": unique_name("c"), "collections": [coll["name"]], **extra}
    r = api.post("/api/consumers", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def poll(api, name, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    r = api.get(f"/api/consumers/{name}/poll?{query}")
    assert r.status_code == 200, r.text
    return r.json()


def test_a_consumer_is_created_listed_and_deleted_by_superusers_only(api, guest, items):
    c = consumer(api, items)
    assert c["collections"] == [items["name"]] and c["filter"] == "" and c["lag"] == 0
    assert c["committedSeq"] == c["headSeq"]  # by default it reads what is committed from now on
    listed = [x["name"] for x in api.get("/api/consumers").json()["items"]]
    assert c["name"] in listed
    assert_error(api.post("/api/consumers", json={"name": c["name"], "collections": [items["name"]]}), 400)
    assert_error(api.post("/api/consumers", json={"name": "has space", "collections": []}), 400)
    assert_error(api.post("/api/consumers", json={"name": unique_name("c"), "collections": ["no_such"]}), 400)
    assert_error(api.post("/api/consumers", json={"name": unique_name("c"), "collections": [items["name"]],
                                                  "filter": "n >"}), 400)
    assert_error(guest.get("/api/consumers", auth=False), 401)
    key = api.post("/api/keys", json={"name": unique_name("k"), "scopes": [{"collection": "*", "actions": ["changes"]}]})
    assert_error(Api(api.base, "Bearer " + key.json()["key"]).get("/api/consumers"), 403)
    assert api.delete(f"/api/consumers/{c['name']}").status_code == 204
    assert_error(api.get(f"/api/consumers/{c['name']}"), 404)
    assert_error(api.delete(f"/api/consumers/{c['name']}"), 404)


def test_polling_is_at_least_once_until_committed_and_filters_on_the_record(api, items):
    c = consumer(api, items, filter="n > 5")
    small = new_record(api, items, title="small", n=1)
    big = new_record(api, items, title="big", n=10)
    assert api.patch(records(items) + "/" + small["id"], json={"n": 7}).status_code == 200  # now it matches

    first = poll(api, c["name"], max=10)
    assert [(e["action"], e["recordId"]) for e in first["items"]] == [("create", big["id"]), ("update", small["id"])]
    assert first["items"][1]["record"]["n"] == 7
    # A consumer that crashed before committing polls again and gets the same entries.
    again = poll(api, c["name"], max=10)
    assert again == first
    assert api.get(f"/api/consumers/{c['name']}").json()["lag"] == 3
    # One at a time: the cursor to commit is that entry's seq.
    one = poll(api, c["name"], max=1)
    assert [e["recordId"] for e in one["items"]] == [big["id"]] and one["next"] == one["items"][0]["seq"]

    committed = api.post(f"/api/consumers/{c['name']}/commit", json={"seq": first["next"]})
    assert committed.status_code == 200, committed.text
    assert committed.json()["committedSeq"] == first["next"] and committed.json()["lag"] == 0
    assert poll(api, c["name"], max=10)["items"] == []
    # Never back, never past the head.
    back = api.post(f"/api/consumers/{c['name']}/commit", json={"seq": first["next"] - 2}).json()
    assert back["committedSeq"] == first["next"]
    assert_error(api.post(f"/api/consumers/{c['name']}/commit", json={"seq": first["next"] + 10_000}), 400)
    assert_error(api.post(f"/api/consumers/{c['name']}/commit", json={}), 400)
    assert_error(api.get(f"/api/consumers/{c['name']}/poll?max=0"), 400)
    assert_error(api.get(f"/api/consumers/{c['name']}/poll?wait=61"), 400)


def test_a_long_poll_answers_as_soon_as_a_matching_change_commits(api, items):
    c = consumer(api, items, filter="title = 'wanted'")
    started = time.monotonic()
    quiet = poll(api, c["name"], wait=0.4)
    assert quiet["items"] == [] and time.monotonic() - started >= 0.4

    answer = {}

    def wait_for_it():
        answer["page"] = poll(api, c["name"], wait=20)
        answer["at"] = time.monotonic()

    waiter = threading.Thread(target=wait_for_it)
    waiter.start()
    new_record(api, items, title="not this one", n=1)  # commits, but does not match: the poll keeps waiting
    time.sleep(0.2)
    assert waiter.is_alive()
    created_at = time.monotonic()
    wanted = new_record(api, items, title="wanted", n=2)
    waiter.join(timeout=20)
    assert not waiter.is_alive()
    assert [e["recordId"] for e in answer["page"]["items"]] == [wanted["id"]]
    assert answer["at"] - created_at < 10  # it answered on the commit, not at the end of the wait


def test_cursors_survive_kill_9(fresh_server):
    api = Api(fresh_server.url, superuser_token(fresh_server.url))
    coll = create_collection(api, {"name": unique_name("k9c"), "fields": [{"name": "n", "type": "number"}]})
    c = consumer(api, coll)
    made = [new_record(api, coll, n=i)["id"] for i in range(6)]
    page = poll(api, c["name"], max=3)
    assert [e["recordId"] for e in page["items"]] == made[:3]
    assert api.post(f"/api/consumers/{c['name']}/commit", json={"seq": page["next"]}).status_code == 200
    fresh_server.kill_and_restart()
    api = Api(fresh_server.url, superuser_token(fresh_server.url))
    info = api.get(f"/api/consumers/{c['name']}").json()
    # The lag counts every entry after the cursor (a login writes `_authOrigins` too): at least the three left.
    assert info["committedSeq"] == page["next"] and info["lag"] == info["headSeq"] - page["next"] >= 3
    assert [e["recordId"] for e in poll(api, c["name"], max=10)["items"]] == made[3:]


def test_metrics_show_the_head_and_each_consumers_lag(api, items):
    c = consumer(api, items)
    for i in range(3):
        new_record(api, items, title=f"m{i}", n=i)
    text = api.get("/api/metrics").text
    assert f'swiftbase_consumer_lag_entries{{consumer="{c["name"]}"}} 3' in text
    head = api.get(f"/api/consumers/{c['name']}").json()["headSeq"]
    assert f"swiftbase_changes_head_seq {head}" in text or f"swiftbase_changes_head_seq {float(head)}" in text
    assert api.delete(f"/api/consumers/{c['name']}").status_code == 204
    assert f'consumer="{c["name"]}"' not in api.get("/api/metrics").text

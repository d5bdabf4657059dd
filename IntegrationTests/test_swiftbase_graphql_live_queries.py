"""Swiftbase beyond PocketBase: GraphQL live queries — a subscription to a query root field (`notes`,
`notes_by_pk`, `notes_aggregate`, `notes_group_by`) answers the query at once and again whenever a committed
change alters its result, for the subscriber's identity (the same rules as the query).

Driven with the real `gql` client's `WebsocketsTransport` on both sub-protocols. Every answer is compared with
what REST answers the same identity; no fixed sleeps: a write the subscriber must not see is followed by a
sentinel write it must see, and the answers are read until the sentinel's."""
import asyncio

import pytest

import test_swiftbase_graphql_subscriptions as subscriptions
from conftest import Api, create_collection, new_record, records, unique_name
from own_server_fixtures import api, server, su_token  # noqa: F401  (a server of its own: see there)
from test_swiftbase_graphql_subscriptions import PASSWORD, PROTOCOLS

pytestmark = pytest.mark.usefixtures("swiftbase_only")


@pytest.fixture(scope="module")
def board(server, api):
    """people (auth) ← notes: guests list live notes, authors also their own."""
    people = create_collection(api, {
        "name": unique_name("lq_people"), "type": "auth", "listRule": "", "viewRule": "",
        "fields": [{"name": "name", "type": "text"}]})
    notes = create_collection(api, {
        "name": unique_name("lq_notes"),
        "listRule": "live = true || author = @request.auth.id", "viewRule": "live = true || author = @request.auth.id",
        "fields": [
            {"name": "title", "type": "text"},
            {"name": "views", "type": "number", "onlyInt": True},
            {"name": "live", "type": "bool"},
            {"name": "author", "type": "relation", "collectionId": people["id"], "maxSelect": 1},
        ]})
    ann = new_record(api, people, email=f"ann-{unique_name('x')}@example.com", password=PASSWORD,
                     passwordConfirm=PASSWORD, name="Ann")
    bob = new_record(api, people, email=f"bob-{unique_name('x')}@example.com", password=PASSWORD,
                     passwordConfirm=PASSWORD, name="Bob")
    token = Api(server.url, None).post(f"/api/collections/{people['name']}/auth-with-password",
                                       json={"identity": ann["email"], "password": PASSWORD}).json()["token"]
    for i in range(3):
        new_record(api, notes, title=f"seed{i}", views=i, live=True, author=ann["id"])
    return {"people": people, "notes": notes, "ann": ann, "bob": bob, "ann_token": token}


async def watch(server, query, subprotocol, token=None, until=None, actions=None):
    return await subscriptions.watch(server, query, subprotocol, token=token, until=until, actions=actions, live=True)


def rest_titles(server, token, notes, filter_=""):
    r = Api(server.url, token).get(records(notes), params={"perPage": 500, "sort": "title", "filter": filter_})
    assert r.status_code == 200, r.text
    return [i["title"] for i in r.json()["items"]]


def assert_each_answer_is_new(answers):
    for before, after in zip(answers, answers[1:]):
        assert before != after, "an unchanged result was sent again"


@pytest.mark.parametrize("subprotocol", PROTOCOLS)
def test_a_live_list_follows_the_changes_its_identity_may_see(server, api, board, subprotocol):
    notes = board["notes"]
    key = notes["name"]
    tag = unique_name("t")
    query = f'subscription {{ {key}(where: {{title: {{_like: "{tag}%"}}}}, order_by: {{title: asc}}) {{ title }} }}'

    def write():
        new_record(api, notes, title=f"{tag}-a", live=True)
        hidden = new_record(api, notes, title=f"{tag}-b", live=False, author=board["bob"]["id"])  # guests may not list it
        r = api.patch(f"{records(notes)}/{hidden['id']}", json={"views": 5})
        assert r.status_code == 200
        new_record(api, notes, title=f"{tag}-z", live=True)  # the sentinel

    answers = asyncio.run(watch(server, query, subprotocol, actions=write,
                                until=lambda got: f"{tag}-z" in [n["title"] for n in got[-1][key]]))
    lists = [[n["title"] for n in a[key]] for a in answers]
    assert lists[0] == []
    assert lists[-1] == rest_titles(server, None, notes, f"title ~ '{tag}%'") == [f"{tag}-a", f"{tag}-z"]
    assert all(f"{tag}-b" not in titles for titles in lists)
    assert_each_answer_is_new(lists)


def test_a_live_aggregate_per_identity_and_a_relation_change(server, api, board):
    notes, people = board["notes"], board["people"]
    key = f"{notes['name']}_aggregate"
    query = f"subscription {{ {key} {{ aggregate {{ count sum {{ views }} }} nodes {{ title author {{ name }} }} }} }}"
    renamed = unique_name("Ann")

    def write():
        new_record(api, notes, title="private", views=100, live=False, author=board["ann"]["id"])
        r = api.patch(f"{records(people)}/{board['ann']['id']}", json={"name": renamed})
        assert r.status_code == 200, r.text

    answers = asyncio.run(watch(server, query, PROTOCOLS[0], token=board["ann_token"], actions=write,
                                until=lambda got: any(n["author"] and n["author"]["name"] == renamed
                                                      for n in got[-1][key]["nodes"])))
    last = answers[-1][key]
    rest = Api(server.url, board["ann_token"]).get(records(notes), params={"perPage": 500}).json()["items"]
    assert last["aggregate"] == {"count": len(rest), "sum": {"views": sum(i["views"] for i in rest)}}
    assert "private" in [n["title"] for n in last["nodes"]]  # ann lists her own non-live note
    assert_each_answer_is_new([a[key] for a in answers])


def test_a_change_that_leaves_the_result_alone_sends_nothing(server, api, board):
    notes = board["notes"]
    tag = unique_name("u")
    note = new_record(api, notes, title=f"{tag}-1", views=1, live=True)
    query = f'subscription {{ {notes["name"]}_by_pk(id: "{note["id"]}") {{ title }} }}'

    def write():
        for views in range(2, 6):  # not selected: the answer stays the same
            assert api.patch(f"{records(notes)}/{note['id']}", json={"views": views}).status_code == 200
        assert api.patch(f"{records(notes)}/{note['id']}", json={"title": f"{tag}-2"}).status_code == 200

    answers = asyncio.run(watch(server, query, PROTOCOLS[1], actions=write,
                                until=lambda got: got[-1][f"{notes['name']}_by_pk"]["title"] == f"{tag}-2"))
    assert [a[f"{notes['name']}_by_pk"]["title"] for a in answers] == [f"{tag}-1", f"{tag}-2"]


def test_a_live_group_by_and_a_refused_collection(server, api, board):
    notes = board["notes"]
    locked = create_collection(api, {"name": unique_name("lq_locked"), "fields": [{"name": "n", "type": "number"}]})
    key = f"{notes['name']}_group_by"
    query = f"subscription {{ {key}(by: [live]) {{ keys {{ live }} count }} }}"

    def write():
        new_record(api, notes, title="one more", live=True)

    answers = asyncio.run(watch(server, query, PROTOCOLS[0], token=api.token, actions=write,
                                until=lambda got: len(got) >= 2))
    items = Api(server.url, api.token).get(records(notes), params={"perPage": 500}).json()["items"]
    expected = sorted({i["live"] for i in items})
    assert [g["keys"]["live"] for g in answers[-1][key]] == expected
    assert {g["keys"]["live"]: g["count"] for g in answers[-1][key]} == {
        flag: sum(1 for i in items if i["live"] == flag) for flag in expected}
    with pytest.raises(Exception) as refused:
        asyncio.run(watch(server, f"subscription {{ {locked['name']} {{ id }} }}", PROTOCOLS[0],
                          until=lambda got: True))
    assert "Only superusers" in str(refused.value)

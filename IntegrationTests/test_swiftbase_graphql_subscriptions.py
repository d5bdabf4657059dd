"""Swiftbase beyond PocketBase: GraphQL subscriptions (`<collection>_events`) over a WebSocket at /api/graphql.

Driven with the real `gql` client's `WebsocketsTransport`, over both sub-protocols it speaks
(`graphql-transport-ws` and the older `graphql-ws`), and with a raw `websockets` client for protocol errors.
Writes go through REST; each subscriber must receive exactly the changes realtime would deliver to the same
identity (the collection's listRule) that match its `where`.

No fixed sleeps: a subscription is known to be running once a query sent after it on the same connection has
been answered (the server takes a connection's messages in order), and events are awaited until a sentinel
record, which every subscriber may see, arrives after the ones under test."""
import asyncio
import json

import pytest
import websockets
from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportQueryError
from gql.transport.websockets import WebsocketsTransport

from conftest import Api, create_collection, new_record, records, unique_name
from own_server_fixtures import api, server, su_token  # noqa: F401  (a server of its own: see there)

pytestmark = pytest.mark.usefixtures("swiftbase_only")

PASSWORD = "Passw0rd-123456"
PROTOCOLS = [WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL, WebsocketsTransport.APOLLO_SUBPROTOCOL]
TIMEOUT = 15


def ws_url(server):
    return server.url.replace("http://", "ws://") + "/api/graphql"


@pytest.fixture(scope="module")
def feed(server, api):
    """people (auth) ← notes whose listRule shows live notes, and their own to authors."""
    people = create_collection(api, {
        "name": unique_name("gs_people"), "type": "auth", "listRule": "", "viewRule": "",
        "fields": [{"name": "name", "type": "text"}]})
    notes = create_collection(api, {
        "name": unique_name("gs_notes"),
        "listRule": 'live = true || author = @request.auth.id', "viewRule": 'live = true || author = @request.auth.id',
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
    r = Api(server.url, None).post(f"/api/collections/{people['name']}/auth-with-password",
                                   json={"identity": ann["email"], "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"people": people, "notes": notes, "ann": ann, "bob": bob, "ann_token": r.json()["token"]}


def subscription(notes, where=""):
    args = f"(where: {where})" if where else ""
    return f"subscription {{ {notes['name']}_events{args} {{ action record {{ id title views author {{ name }} }} }} }}"


async def watch(server, query, subprotocol, token=None, until=None, actions=None, variables=None, subscribed=None,
                after=(), live=False):
    """Subscribes with `query`, then runs `actions` (blocking REST calls, in a thread) once the subscription is
    known to be running (and the `after` events are set); collects events until `until(events)` holds.
    `subscribed`, an asyncio event, is set once the subscription runs. A `live` query's first answer is what
    shows it runs."""
    payload = {"Authorization": token} if token else {}
    transport = WebsocketsTransport(url=ws_url(server), subprotocols=[subprotocol], init_payload=payload)
    events = []
    async with Client(transport=transport, fetch_schema_from_transport=False) as session:
        stream = session.subscribe(GraphQLRequest(query, variable_values=variables))
        if live:
            events.append(await asyncio.wait_for(stream.__anext__(), TIMEOUT))
            if actions:
                await asyncio.to_thread(actions)
            while not until(events):
                events.append(await asyncio.wait_for(stream.__anext__(), TIMEOUT))
            await stream.aclose()
            return events
        first = asyncio.ensure_future(stream.__anext__())
        # gql registers a listener once the subscription is sent; the query after it is then answered only after
        # the server took the subscription (it reads a connection's messages in order).
        for _ in range(10_000):
            if transport.listeners:
                break
            await asyncio.sleep(0)
        assert transport.listeners, "the subscription was not sent"
        await session.execute(GraphQLRequest("{ __typename }"))
        if subscribed:
            subscribed.set()
        for event in after:
            await event.wait()
        if actions:
            await asyncio.to_thread(actions)

        async def collect():
            events.append(await first)
            while not until(events):
                events.append(await stream.__anext__())

        await asyncio.wait_for(collect(), TIMEOUT)
        await stream.aclose()
    return events


def titles(events, key):
    return [e[key]["record"]["title"] for e in events]


@pytest.mark.parametrize("subprotocol", PROTOCOLS)
def test_create_update_delete_arrive_in_order(server, api, feed, subprotocol):
    notes = feed["notes"]
    key = f"{notes['name']}_events"
    created = {}

    def write():
        created.update(new_record(api, notes, title="one", views=1, live=True, author=feed["ann"]["id"]))
        r = api.patch(f"{records(notes)}/{created['id']}", json={"title": "two"})
        assert r.status_code == 200, r.text
        r = api.delete(f"{records(notes)}/{created['id']}")
        assert r.status_code == 204, r.text

    events = asyncio.run(watch(server, subscription(notes), subprotocol, actions=write,
                               until=lambda ev: ev[-1][key]["action"] == "delete"))
    assert [e[key]["action"] for e in events] == ["create", "update", "delete"]
    assert titles(events, key) == ["one", "two", "two"]
    assert {e[key]["record"]["id"] for e in events} == {created["id"]}
    assert events[0][key]["record"]["author"] == {"name": "Ann"}


@pytest.mark.parametrize("who", ["guest", "ann", "superuser"])
def test_rules_hide_what_the_identity_may_not_list(server, api, su_token, feed, who):
    notes = feed["notes"]
    key = f"{notes['name']}_events"
    token = {"guest": None, "ann": feed["ann_token"], "superuser": su_token}[who]
    sentinel = unique_name("end")

    def write():
        # (without an author a note would match a guest's `author = @request.auth.id`: both are empty)
        new_record(api, notes, title="hidden-other", live=False, author=feed["bob"]["id"])
        new_record(api, notes, title="hidden-ann", live=False, author=feed["ann"]["id"])
        new_record(api, notes, title=sentinel, live=True)

    events = asyncio.run(watch(server, subscription(notes), PROTOCOLS[0], token=token, actions=write,
                               until=lambda ev: ev[-1][key]["record"]["title"] == sentinel))
    seen = titles(events, key)
    expected = {"guest": [sentinel], "ann": ["hidden-ann", sentinel],
                "superuser": ["hidden-other", "hidden-ann", sentinel]}[who]
    assert seen == expected


@pytest.mark.parametrize("subprotocol", PROTOCOLS)
def test_where_filters_events(server, api, feed, subprotocol):
    notes = feed["notes"]
    key = f"{notes['name']}_events"
    sentinel = unique_name("end")

    def write():
        new_record(api, notes, title="few", views=2, live=True)
        new_record(api, notes, title="many", views=50, live=True)
        new_record(api, notes, title=sentinel, views=99, live=True)

    query = (f"subscription Big($min: Int) {{ {key}(where: {{views: {{_gte: $min}}, title: {{_neq: \"many\"}}}})"
             " { action record { title views } } }")
    events = asyncio.run(watch(server, query, subprotocol, actions=write, variables={"min": 10},
                               until=lambda ev: ev[-1][key]["record"]["title"] == sentinel))
    assert titles(events, key) == [sentinel]
    assert events[0][key]["record"]["views"] == 99


def test_answers_shared_between_subscribers_follow_each_ones_variables_and_identity(server, api, feed):
    """Identical subscriptions share one answer per change; the same query with other variables, or for
    another identity, gets its own."""
    notes = feed["notes"]
    key = f"{notes['name']}_events"
    sentinel = unique_name("end")
    query = f"subscription($min: Int) {{ {key}(where: {{views: {{_gte: $min}}}}) {{ record {{ title }} }} }}"

    def write():
        new_record(api, notes, title="low", views=1, live=True)
        new_record(api, notes, title="mine", views=50, live=False, author=feed["ann"]["id"])
        new_record(api, notes, title=sentinel, views=99, live=True)

    async def together():
        until = lambda ev: ev[-1][key]["record"]["title"] == sentinel  # noqa: E731
        ready = [asyncio.Event() for _ in range(6)]
        guests = [watch(server, query, PROTOCOLS[i % 2], variables={"min": 0}, until=until, subscribed=ready[i])
                  for i in range(4)]
        picky = watch(server, query, PROTOCOLS[0], variables={"min": 10}, until=until, subscribed=ready[4])
        ann = watch(server, query, PROTOCOLS[1], token=feed["ann_token"], variables={"min": 0}, until=until,
                    subscribed=ready[5])
        # The last one runs the writes once every other subscription runs.
        *others, last = await asyncio.gather(*guests, picky, ann, watch(
            server, query, PROTOCOLS[0], variables={"min": 0}, until=until, actions=write, after=ready))
        return others, last

    others, last = asyncio.run(together())
    *guests, picky, ann = others
    for events in guests + [last]:
        assert titles(events, key) == ["low", sentinel]
    assert titles(picky, key) == [sentinel]
    assert titles(ann, key) == ["low", "mine", sentinel]


@pytest.mark.parametrize("change", ["password", "name"])
def test_a_subscriber_follows_its_auth_record_as_realtime_does(server, api, feed, change):
    """A password change invalidates the subscriber's token: from then on it is a guest (its own hidden notes
    no longer arrive). Any other change keeps it signed in, with its new values."""
    people, notes = feed["people"], feed["notes"]
    key = f"{notes['name']}_events"
    cy = new_record(api, people, email=f"cy-{unique_name('x')}@example.com", password=PASSWORD,
                    passwordConfirm=PASSWORD, name="Cy")
    r = Api(server.url, None).post(f"/api/collections/{people['name']}/auth-with-password",
                                   json={"identity": cy["email"], "password": PASSWORD})
    assert r.status_code == 200, r.text
    sentinel = unique_name("end")

    def write():
        new_record(api, notes, title="cy-before", live=False, author=cy["id"])
        body = ({"password": "another-pass-123", "passwordConfirm": "another-pass-123"} if change == "password"
                else {"name": "Cy Renamed"})
        r = api.patch(f"{records(people)}/{cy['id']}", json=body)
        assert r.status_code == 200, r.text
        new_record(api, notes, title="cy-after", live=False, author=cy["id"])
        new_record(api, notes, title=sentinel, live=True)

    events = asyncio.run(watch(server, subscription(notes), PROTOCOLS[0], token=r.json()["token"], actions=write,
                               until=lambda ev: ev[-1][key]["record"]["title"] == sentinel))
    if change == "password":
        assert titles(events, key) == ["cy-before", sentinel]
    else:
        assert titles(events, key) == ["cy-before", "cy-after", sentinel]


@pytest.mark.parametrize("subprotocol", PROTOCOLS)
def test_invalid_subscription_is_an_error_message(server, feed, subprotocol):
    async def attempt():
        transport = WebsocketsTransport(url=ws_url(server), subprotocols=[subprotocol])
        async with Client(transport=transport, fetch_schema_from_transport=False) as session:
            with pytest.raises(TransportQueryError) as failure:
                async for _ in session.subscribe(GraphQLRequest("subscription { no_such_events { action } }")):
                    pass
            # The connection stays usable after a failed operation.
            answer = await session.execute(GraphQLRequest("{ __typename }"))
            return failure.value, answer

    error, answer = asyncio.run(attempt())
    assert "no_such_events" in str(error)
    assert answer == {"__typename": "query_root"}


def test_transport_ws_protocol_errors_close_the_socket(server):
    async def session(messages):
        async with websockets.connect(ws_url(server), subprotocols=["graphql-transport-ws"]) as ws:
            assert ws.subprotocol == "graphql-transport-ws"
            received = []
            for message in messages:
                await ws.send(json.dumps(message))
            try:
                while True:
                    received.append(json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT)))
            except websockets.ConnectionClosed as closed:
                return received, closed.rcvd.code

    init = {"type": "connection_init", "payload": {}}
    received, code = asyncio.run(session([init, {"type": "ping"}, {"type": "bogus"}]))
    assert received == [{"type": "connection_ack"}, {"type": "pong"}]
    assert code == 4400
    # A subscribe before connection_init is unauthorized; a second init is too many.
    assert asyncio.run(session([{"id": "1", "type": "subscribe", "payload": {"query": "{ __typename }"}}]))[1] == 4401
    assert asyncio.run(session([init, init]))[1] == 4429
    sub = {"id": "1", "type": "subscribe", "payload": {"query": "subscription { x_events { action } }"}}
    query = {"id": "q", "type": "subscribe", "payload": {"query": "{ __typename }"}}
    received, _ = asyncio.run(session([init, query, {"type": "bogus"}]))
    assert received[1:] == [{"id": "q", "type": "next", "payload": {"data": {"__typename": "query_root"}}},
                            {"id": "q", "type": "complete"}]
    received, _ = asyncio.run(session([init, sub, {"type": "bogus"}]))
    assert received[1]["type"] == "error" and received[1]["id"] == "1"


def test_a_client_that_never_initialises_is_closed_with_4408(server):
    async def silent():
        async with websockets.connect(ws_url(server), subprotocols=["graphql-transport-ws"]) as ws:
            try:
                await asyncio.wait_for(ws.recv(), TIMEOUT)
            except websockets.ConnectionClosed as closed:
                return closed.rcvd.code, closed.rcvd.reason

    assert asyncio.run(silent()) == (4408, "Connection initialisation timeout")


def test_legacy_protocol_answers_errors_and_stop(server):
    async def session():
        async with websockets.connect(ws_url(server), subprotocols=["graphql-ws"]) as ws:
            assert ws.subprotocol == "graphql-ws"

            async def recv():
                return json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))

            await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
            assert await recv() == {"type": "connection_ack"}
            assert await recv() == {"type": "ka"}
            await ws.send("not json")
            assert (await recv())["type"] == "error"
            await ws.send(json.dumps({"type": "bogus"}))
            assert (await recv())["type"] == "error"
            await ws.send(json.dumps({"id": "s", "type": "stop"}))
            await ws.send(json.dumps({"id": "q", "type": "start", "payload": {"query": "{ __typename }"}}))
            assert await recv() == {"id": "q", "type": "data", "payload": {"data": {"__typename": "query_root"}}}
            assert await recv() == {"id": "q", "type": "complete"}
            await ws.send(json.dumps({"type": "connection_terminate"}))
            with pytest.raises(websockets.ConnectionClosed):
                await recv()

    asyncio.run(session())


def test_complete_stops_one_subscription_and_the_header_identifies(server, api, feed):
    """Raw graphql-transport-ws: the client's `complete` ends subscription "a" while "b" goes on; with no
    credential in `connection_init`, the upgrade request's Authorization header is the identity (Ann sees her
    hidden note)."""
    notes = feed["notes"]
    key = f"{notes['name']}_events"
    sentinel = unique_name("end")
    query = {"query": f"subscription {{ {key} {{ action record {{ title }} }} }}"}

    async def session():
        headers = {"Authorization": feed["ann_token"]}
        async with websockets.connect(ws_url(server), subprotocols=["graphql-transport-ws"],
                                      additional_headers=headers) as ws:
            async def recv():
                return json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))

            async def send(message):
                await ws.send(json.dumps(message))

            async def settle(marker):
                # The server takes a connection's messages in order: once this query is answered, everything
                # sent before it has been taken.
                await send({"id": marker, "type": "subscribe", "payload": {"query": "{ __typename }"}})
                received = []
                while True:
                    message = await recv()
                    if message.get("id") == marker:
                        if message["type"] == "complete":
                            return received
                    else:
                        received.append(message)

            await send({"type": "connection_init"})
            assert await recv() == {"type": "connection_ack"}
            await send({"id": "a", "type": "subscribe", "payload": query})
            await send({"id": "b", "type": "subscribe", "payload": query})
            assert await settle("q1") == []
            await send({"id": "a", "type": "complete"})
            assert await settle("q2") == []
            await asyncio.to_thread(lambda: (
                new_record(api, notes, title="hidden-ann-2", live=False, author=feed["ann"]["id"]),
                new_record(api, notes, title=sentinel, live=True)))
            received = []
            while not received or received[-1]["payload"]["data"][key]["record"]["title"] != sentinel:
                received.append(await recv())
            return received

    received = asyncio.run(session())
    assert [m["id"] for m in received] == ["b", "b"]
    assert [m["type"] for m in received] == ["next", "next"]
    assert [m["payload"]["data"][key]["record"]["title"] for m in received] == ["hidden-ann-2", sentinel]

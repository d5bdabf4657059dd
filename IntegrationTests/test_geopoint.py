"""The `geoPoint` field (§3.4): its field JSON, values `{"lon", "lat"}` with (0, 0) as the empty value, the
lenient reading of objects, JSON strings and form text, the latitude/longitude range errors, filters and
sorts on `loc.lon`/`loc.lat`, `geoDistance(lonA, latA, lonB, latB)` in filters and API rules, view
collections, realtime events and the Python SDK.

Every expectation was observed on PocketBase 0.40.6. Distances are asserted with a tolerance: they come from
SQLite's floating-point math functions.
"""
import json
import zlib

import pytest

from conftest import assert_error, create_collection, field_by_name, new_record, records, unique_name
from test_realtime import SSEStream

FAILED_CREATE = "Failed to create record."
FAILED_UPDATE = "Failed to update record."
GENERIC_400 = "Something went wrong while processing your request."
LATITUDE = {"code": "validation_invalid_latitude", "message": "Latitude must be between -90 and 90 degrees."}
LONGITUDE = {"code": "validation_invalid_longitude", "message": "Longitude must be between -180 and 180 degrees."}
REQUIRED = {"code": "validation_required", "message": "Cannot be blank."}
ZERO = {"lon": 0, "lat": 0}

# (lon, lat) of a few cities and of Null Island
CITIES = {
    "Sofia": (23.3219, 42.6977),
    "Plovdiv": (24.7453, 42.1354),
    "Varna": (27.9147, 43.2141),
    "London": (-0.1276, 51.5072),
    "Null": (0, 0),
}
SOFIA_PLOVDIV_KM = 132.52


def point(lon, lat):
    return {"lon": lon, "lat": lat}


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def places(api):
    """One optional point: every reading of a value shows on its own."""
    return create_collection(api, {"name": unique_name("geo_places"), "listRule": "", "viewRule": "",
                                   "createRule": "", "updateRule": "",
                                   "fields": [{"name": "name", "type": "text"},
                                              {"name": "loc", "type": "geoPoint"}]})


@pytest.fixture(scope="module")
def cities(api):
    coll = create_collection(api, {"name": unique_name("geo_cities"), "listRule": "", "viewRule": "",
                                   "fields": [{"name": "name", "type": "text"},
                                              {"name": "loc", "type": "geoPoint"}]})
    for name, (lon, lat) in CITIES.items():
        new_record(api, coll, name=name, loc=point(lon, lat))
    return coll


def create(api, coll, body, **kw):
    return api.post(records(coll) + "?fields=loc", json=body, **kw)


def read_back(api, coll, value):
    """The `loc` a record created with `value` has."""
    r = create(api, coll, {"loc": value})
    assert r.status_code == 200, r.text
    return r.json()["loc"]


def names(api, coll, **params):
    r = api.get(records(coll), params={"perPage": 100, "fields": "name", **params})
    assert r.status_code == 200, r.text
    return [i["name"] for i in r.json()["items"]]


# ------------------------------------------------------------------ the field
def test_field_json(api):
    coll = create_collection(api, {"name": unique_name("geo_fields"), "fields": [
        {"name": "loc", "type": "geoPoint"},
        {"name": "req", "type": "geoPoint", "required": True, "hidden": True, "presentable": True,
         "help": "where"}]})
    loc, req = field_by_name(coll, "loc"), field_by_name(coll, "req")
    assert loc == {"id": f"geoPoint{zlib.crc32(b'loc')}", "name": "loc", "type": "geoPoint", "system": False,
                   "hidden": False, "presentable": False, "required": False, "help": ""}
    assert req == {"id": f"geoPoint{zlib.crc32(b'req')}", "name": "req", "type": "geoPoint", "system": False,
                   "hidden": True, "presentable": True, "required": True, "help": "where"}
    assert api.get(f"/api/collections/{coll['id']}").json()["fields"] == coll["fields"]
    # unknown option keys are ignored
    r = api.post("/api/collections", json={"name": unique_name("geo_extra"), "fields": [
        {"name": "loc", "type": "geoPoint", "max": 5, "lat": 1}]})
    assert r.status_code == 200, r.text
    assert set(field_by_name(r.json(), "loc")) == set(loc)


def test_zero_value_and_round_trip(api, places):
    rec = new_record(api, places, name="empty")
    assert rec["loc"] == ZERO
    rec = new_record(api, places, name="sofia", loc=point(23.32, 42.69))
    assert rec["loc"] == point(23.32, 42.69)
    assert api.get(f"{records(places)}/{rec['id']}").json() == rec
    listed = api.get(records(places), params={"filter": f"id = '{rec['id']}'"}).json()["items"]
    assert listed == [rec]


def test_field_added_to_existing_records_is_zero(api):
    coll = create_collection(api, {"name": unique_name("geo_later"), "fields": [{"name": "name", "type": "text"}]})
    rec = new_record(api, coll, name="before")
    r = api.patch(f"/api/collections/{coll['id']}",
                  json={"fields": coll["fields"] + [{"name": "loc", "type": "geoPoint"}]})
    assert r.status_code == 200, r.text
    assert api.get(f"{records(coll)}/{rec['id']}").json()["loc"] == ZERO


# ------------------------------------------------------------------ validation
@pytest.mark.parametrize("lon,lat,error", [
    (1, 91, LATITUDE),
    (1, -90.5, LATITUDE),
    (181, 91, LATITUDE),            # latitude is checked first
    (181, 9, LONGITUDE),
    (-180.0000001, 0, LONGITUDE),
    (12345678901234567890, 2, LONGITUDE),
])
def test_out_of_range_coordinates(api, places, lon, lat, error):
    assert_error(create(api, places, {"loc": point(lon, lat)}), 400, FAILED_CREATE, {"loc": error})


@pytest.mark.parametrize("lon,lat", [(-180, -90), (180, 90), (0, 0), (0, 90), (-0.0000001, 0)])
def test_coordinates_at_the_limits(api, places, lon, lat):
    assert read_back(api, places, point(lon, lat)) == point(lon, lat)


def test_required_refuses_null_island(api):
    coll = create_collection(api, {"name": unique_name("geo_req"), "fields": [
        {"name": "loc", "type": "geoPoint", "required": True}]})
    for value in [point(0, 0), None, "", "abc", [1, 2], {"lon": "5", "lat": "6"}]:
        assert_error(create(api, coll, {"loc": value}), 400, FAILED_CREATE, {"loc": REQUIRED})
    assert_error(create(api, coll, {}), 400, FAILED_CREATE, {"loc": REQUIRED})
    # both errors at once: the other field reports its own
    both = create_collection(api, {"name": unique_name("geo_req2"), "fields": [
        {"name": "loc", "type": "geoPoint"}, {"name": "req", "type": "geoPoint", "required": True}]})
    assert_error(create(api, both, {"loc": point(180.5, 0)}), 400, FAILED_CREATE,
                 {"loc": LONGITUDE, "req": REQUIRED})
    assert read_back(api, coll, point(0, 1)) == point(0, 1)
    assert read_back(api, coll, point(-1, 0)) == point(-1, 0)


# ------------------------------------------------------------------ lenient reading
@pytest.mark.parametrize("value,expected", [
    (point(5, 6), point(5, 6)),
    ({"lat": 6}, point(0, 6)),
    ({"lon": 5, "lat": 6, "x": 1, "nested": {"a": [1]}}, point(5, 6)),
    ({"Lon": 5, "LAT": 6}, ZERO),            # names match exactly
    ({"lon": None, "lat": 2}, point(0, 2)),
    ({}, ZERO),
    (None, ZERO),
    ("", ZERO),
    (5, ZERO),
    (True, ZERO),
    ([1, 2], ZERO),
    ('{"lon":5,"lat":6}', point(5, 6)),
    ('{"lon":5}', point(5, 0)),
    (' {"lon":1,"lat":2} ', point(1, 2)),
    ('{"lon":1.5e2,"lat":-0.0000001}', point(150, -1e-7)),
    ("null", ZERO),
    ("abc", ZERO),
    ("[]", ZERO),
    # a JSON string is decoded front to back; what was read before the first problem stays
    ('{"lat":6,"lon":"5"}', point(0, 6)),
    ('{"lon":"5","lat":6}', ZERO),
    ('{"lon":1,"lon":2}', point(1, 0)),
    ('{"lon":1,"lat":2,"lon":3}', point(1, 2)),
    ('{"lon":1,"lat":2} x', point(1, 2)),
    ('{"lon":1,"lat":2,}', point(1, 2)),
    ('{"lon":1,"lat":', point(1, 0)),
    ('{"lon":1 "lat":2}', point(1, 0)),
    ('{"lat":1.5x,"lon":2}', point(0, 1.5)),
    ('{"lat":.5,"lon":2}', ZERO),
    ('{"lon":01,"lat":2}', ZERO),
    ('{"lat":2,"lon":1e999}', point(0, 2)),
    ('{"x":{"a":1,"a":2},"lat":2}', ZERO),
    ('{"x":"\\ud800","lat":2}', ZERO),
    ('{"x":"\\ud83d\\ude00","lat":2}', point(0, 2)),
    ('{"LON":1,"lat":2}', point(0, 2)),
])
def test_values_are_read_leniently(api, places, value, expected):
    assert read_back(api, places, value) == expected


def test_number_out_of_range_in_the_body_fails_the_body(api, places):
    r = api.post(records(places), data='{"loc":{"lon":1e400,"lat":2}}',
                 headers={"Content-Type": "application/json"})
    assert_error(r, 400, GENERIC_400, {})


def test_form_and_multipart_input(api, places):
    r = api.post(records(places) + "?fields=loc", data={"loc": '{"lon":7,"lat":8}'})
    assert r.status_code == 200 and r.json()["loc"] == point(7, 8), r.text
    r = api.post(records(places) + "?fields=loc", data={"loc": "5"})
    assert r.status_code == 200 and r.json()["loc"] == ZERO, r.text
    r = api.post(records(places) + "?fields=loc", files={"loc": (None, '{"lon":3,"lat":4}')})
    assert r.status_code == 200 and r.json()["loc"] == point(3, 4), r.text
    r = api.post(records(places) + "?fields=loc",
                 files={"@jsonPayload": (None, json.dumps({"loc": point(-3, -4)}))})
    assert r.status_code == 200 and r.json()["loc"] == point(-3, -4), r.text
    r = api.post(records(places) + "?fields=loc", data={"loc.lon": "5", "loc.lat": "6"})
    assert r.status_code == 200 and r.json()["loc"] == ZERO, r.text


def test_update(api, places):
    rec = new_record(api, places, name="moving", loc=point(1, 2))
    url = f"{records(places)}/{rec['id']}"
    r = api.patch(url, json={"loc": '{"lon":10,"lat":20}'})
    assert r.status_code == 200 and r.json()["loc"] == point(10, 20), r.text
    # modifier keys are not fields of a geoPoint: ignored
    r = api.patch(url, json={"loc+": point(1, 1), "loc-": point(1, 1), "name": "renamed"})
    assert r.status_code == 200, r.text
    assert r.json()["loc"] == point(10, 20) and r.json()["name"] == "renamed"
    assert_error(api.patch(url, json={"loc": point(0, 100)}), 400, FAILED_UPDATE, {"loc": LATITUDE})
    assert api.get(url).json()["loc"] == point(10, 20)
    r = api.patch(url, json={"loc": None})
    assert r.status_code == 200 and r.json()["loc"] == ZERO, r.text


# ------------------------------------------------------------------ filters and sorts
@pytest.mark.parametrize("flt,expected", [
    ("loc.lat > 42.5", ["Sofia", "Varna", "London"]),
    ("loc.lon < 24 && loc.lat > 0", ["Sofia", "London"]),
    ("loc.lon = 0 && loc.lat = 0", ["Null"]),
    ("loc.lon != 0", ["Sofia", "Plovdiv", "Varna", "London"]),
    ("loc.x = null", list(CITIES)),                  # a missing member is NULL
    ("loc = null", []),                              # the field alone is its stored text…
    ("loc != ''", list(CITIES)),
    ('loc = \'{"lon":0,"lat":0}\'', ["Null"]),       # …which is PocketBase's: lon first
    ("loc ~ '42.69'", ["Sofia"]),
    ("geoDistance(loc.lon, loc.lat, 23.3219, 42.6977) < 150", ["Sofia", "Plovdiv"]),
    ("geoDistance(loc.lon, loc.lat, 24.7453, 42.1354) > 131 && "
     "geoDistance(loc.lon, loc.lat, 24.7453, 42.1354) < 134", ["Sofia"]),
    ("geoDistance(loc.lon,loc.lat,-0.1276,51.5072) > 2000", ["Sofia", "Plovdiv", "Varna", "Null"]),
    ("500 > geoDistance(23.3219, 42.6977, loc.lon, loc.lat)", ["Sofia", "Plovdiv", "Varna"]),
    ("geoDistance(loc.lon, loc.lat, 1.5, 4) ?> 0", list(CITIES)),
    ("geoDistance(0, 0, 0, 0) = 0", list(CITIES)),
    ("geoDistance(loc.lon, loc.lat, 1.5, 4) = ''", []),
    ("geoDistance(loc.lon, loc.lat, 1.5, 4) != ''", list(CITIES)),
    ("geoDistance(loc.lon, loc.lat, null, 4) > 0", []),
    ("geoDistance(loc.lon, loc.lat, null, 4) = null", list(CITIES)),
    ("geoDistance(loc.lon, loc.lat, name, 1) < 1", []),       # text that is not a number: NULL
])
def test_filters(api, cities, flt, expected):
    assert names(api, cities, filter=flt) == expected


def test_distances_in_kilometres(api, cities):
    """Sofia–Plovdiv is about 132.5 km: the record is within 132.6 km and not within 132.4 km."""
    within = "geoDistance(loc.lon, loc.lat, 23.3219, 42.6977) < {}"
    assert names(api, cities, filter=within.format(SOFIA_PLOVDIV_KM + 0.1)) == ["Sofia", "Plovdiv"]
    assert names(api, cities, filter=within.format(SOFIA_PLOVDIV_KM - 0.1)) == ["Sofia"]
    # Sofia–London is about 2014.5 km
    assert names(api, cities, filter=within.format(2014.6) + " && name = 'London'") == ["London"]
    assert names(api, cities, filter=within.format(2014.4) + " && name = 'London'") == []


def test_query_values_as_arguments(api, cities):
    flt = "geoDistance(loc.lon, loc.lat, @request.query.lon, @request.query.lat) < 150"
    assert names(api, cities, filter=flt, lon="24.7453", lat="42.1354") == ["Sofia", "Plovdiv"]


@pytest.mark.parametrize("flt", [
    "geoDistance(loc.lon, loc.lat, 1) < 1",
    "geoDistance(loc.lon, loc.lat, 1, 2, 3) < 1",
    "geoDistance(loc.lon, loc.lat, 'a', 1) < 1",
    "geoDistance(loc.lon, loc.lat, nope, 1) < 1",
    "geoDistance(loc.lon, loc.lat, geoDistance(1,2,3,4), 4) > 0",
    "geodistance(loc.lon, loc.lat, 1.5, 4) > 0",
    "geoDistance(loc.lon, loc.lat, 23.32, +42.69) > 0",
    "geoDistance(loc.lon, loc.lat, 1e1, 4) > 0",
    "nope.lat > 1",
])
def test_bad_distance_filters(api, cities, flt):
    assert_error(api.get(records(cities), params={"filter": flt}), 400, GENERIC_400, {})


@pytest.mark.parametrize("sort,expected", [
    ("loc.lat", ["Null", "Plovdiv", "Sofia", "Varna", "London"]),
    ("-loc.lon", ["Varna", "Plovdiv", "Sofia", "Null", "London"]),
    ("loc", ["London", "Null", "Sofia", "Plovdiv", "Varna"]),     # by the stored text
])
def test_sort_by_coordinates(api, cities, sort, expected):
    assert names(api, cities, sort=sort) == expected


@pytest.mark.parametrize("sort", [
    "geoDistance(loc.lon, loc.lat, 23.3219, 42.6977)",
    "-geoDistance(loc.lon, loc.lat, 23.3219, 42.6977)",
])
def test_sort_by_distance_is_refused(api, cities, sort):
    """PocketBase splits `sort` at every comma, so a function with arguments is never a sort key."""
    assert_error(api.get(records(cities), params={"sort": sort}), 400, GENERIC_400, {})


# ------------------------------------------------------------------ API rules
@pytest.fixture(scope="module")
def near(api):
    """Guests list points within 25 km of Sofia, view points north of the equator, create points within
    25 km of Sofia and move a point only north of latitude 10."""
    return create_collection(api, {
        "name": unique_name("geo_near"),
        "listRule": "geoDistance(loc.lon, loc.lat, 23.32, 42.69) < 25",
        "viewRule": "loc.lat > 0",
        "createRule": "geoDistance(@request.body.loc.lon, @request.body.loc.lat, 23.32, 42.69) < 25",
        "updateRule": "@request.body.loc.lat > 10",
        "fields": [{"name": "name", "type": "text"}, {"name": "loc", "type": "geoPoint"}]})


def test_rules(api, guest, near):
    url = records(near)
    r = guest.post(url, json={"name": "in", "loc": point(23.33, 42.7)})
    assert r.status_code == 200, r.text
    inside = r.json()
    r = guest.post(url, json={"name": "str", "loc": '{"lon":23.33,"lat":42.7}'})
    assert r.status_code == 200 and r.json()["loc"] == point(23.33, 42.7), r.text
    assert_error(guest.post(url, json={"name": "out", "loc": point(24.7453, 42.1354)}), 400, FAILED_CREATE, {})
    assert_error(guest.post(url, json={"name": "zero"}), 400, FAILED_CREATE, {})
    out = new_record(api, near, name="out", loc=point(24.7453, 42.1354))
    south = new_record(api, near, name="south", loc=point(23.32, -42.69))
    assert [i["name"] for i in guest.get(url).json()["items"]] == ["in", "str"]
    assert [i["name"] for i in api.get(url).json()["items"]] == ["in", "str", "out", "south"]
    assert guest.get(f"{url}/{out['id']}").status_code == 200
    assert_error(guest.get(f"{url}/{south['id']}"), 404)
    r = guest.patch(f"{url}/{out['id']}", json={"loc": point(1, 11)})
    assert r.status_code == 200 and r.json()["loc"] == point(1, 11), r.text
    assert_error(guest.patch(f"{url}/{inside['id']}", json={"loc": point(1, 9)}), 404)
    assert api.get(f"{url}/{inside['id']}").json()["loc"] == point(23.33, 42.7)


def test_submitted_point_compares_as_its_stored_text(api, guest):
    """`@request.body.loc` is the point's stored text (`lon` first), whatever form it was sent in: equal to
    the text, `:lower` of it, and unchanged (`:changed = false`) when the same point is sent again."""
    coll = create_collection(api, {
        "name": unique_name("geo_body"), "listRule": "", "viewRule": "",
        "createRule": "@request.body.loc = '{\"lon\":1,\"lat\":2}' || "
                      "@request.body.loc:lower = '{\"lon\":-1,\"lat\":2.5}'",
        "updateRule": "@request.body.loc:changed = false",
        "fields": [{"name": "name", "type": "text"}, {"name": "loc", "type": "geoPoint"}]})
    url = records(coll)
    assert guest.post(url, json={"loc": {"lat": 2, "lon": 1}}).status_code == 200
    r = guest.post(url, json={"loc": '{"lat":2.5,"lon":-1}'})
    assert r.status_code == 200, r.text
    rid = r.json()["id"]
    assert_error(guest.post(url, json={"loc": point(1.5, 2)}), 400, FAILED_CREATE, {})
    assert_error(guest.post(url, json={"name": "none"}), 400, FAILED_CREATE, {})
    for name, loc in [("a", point(-1, 2.5)), ("b", ' {"lat":2.5, "lon":-1}')]:
        r = guest.patch(f"{url}/{rid}", json={"loc": loc, "name": name})
        assert r.status_code == 200 and r.json()["name"] == name, r.text
    assert_error(guest.patch(f"{url}/{rid}", json={"loc": point(-1, 2.6)}), 404)
    assert guest.patch(f"{url}/{rid}", json={"name": "c"}).status_code == 200


def test_distance_through_a_multi_relation(api, cities):
    """One related point within reach is enough: geoDistance does not apply PocketBase's every-value rule,
    a plain comparison on the same path does."""
    tours = create_collection(api, {"name": unique_name("geo_tours"), "listRule": "", "fields": [
        {"name": "name", "type": "text"},
        {"name": "stops", "type": "relation", "collectionId": cities["id"], "maxSelect": 5}]})
    ids = {i["name"]: i["id"] for i in api.get(records(cities), params={"perPage": 100}).json()["items"]}
    new_record(api, tours, name="bg", stops=[ids["Sofia"], ids["Plovdiv"]])
    new_record(api, tours, name="mixed", stops=[ids["London"], ids["Sofia"]])
    new_record(api, tours, name="uk", stops=[ids["London"]])

    def tour_names(flt):
        return sorted(names(api, tours, filter=flt))

    assert tour_names("geoDistance(stops.loc.lon, stops.loc.lat, 23.3219, 42.6977) < 10") == ["bg", "mixed"]
    assert tour_names("geoDistance(stops.loc.lon, stops.loc.lat, 23.3219, 42.6977) > 10") == ["bg", "mixed", "uk"]
    assert tour_names("stops.loc.lat > 45") == ["uk"]
    assert tour_names("stops.loc.lat ?> 45") == ["mixed", "uk"]


def test_clients_cannot_filter_by_a_hidden_point(api, guest):
    coll = create_collection(api, {"name": unique_name("geo_hidden"), "listRule": "", "fields": [
        {"name": "name", "type": "text"}, {"name": "loc", "type": "geoPoint", "hidden": True}]})
    new_record(api, coll, name="a", loc=point(1, 2))
    items = guest.get(records(coll)).json()["items"]
    assert [set(i) for i in items] == [{"collectionId", "collectionName", "id", "name"}]
    flt = {"filter": "geoDistance(loc.lon, loc.lat, 1, 2) < 1"}
    assert_error(guest.get(records(coll), params=flt), 400, GENERIC_400, {})
    assert [i["name"] for i in api.get(records(coll), params=flt).json()["items"]] == ["a"]


# ------------------------------------------------------------------ views, realtime, SDK
def test_view_collection(api, guest, cities):
    r = api.post("/api/collections", json={
        "name": unique_name("geo_view"), "type": "view", "listRule": "", "viewRule": "",
        "viewQuery": f"select id, name, loc, loc as l2 from {cities['name']}"})
    assert r.status_code == 200, r.text
    view = r.json()
    for name in ("loc", "l2"):
        field = field_by_name(view, name)
        assert field["type"] == "geoPoint" and field["required"] is False, field
    items = guest.get(records(view), params={
        "filter": "l2.lat > 0 && geoDistance(loc.lon, loc.lat, 23.3219, 42.6977) < 150", "sort": "-l2.lon"}).json()
    assert [(i["name"], i["loc"], i["l2"]) for i in items["items"]] == [
        ("Plovdiv", point(*CITIES["Plovdiv"]), point(*CITIES["Plovdiv"])),
        ("Sofia", point(*CITIES["Sofia"]), point(*CITIES["Sofia"])),
    ]


def test_realtime_event_carries_the_point(api, server, places):
    stream = SSEStream(server.url)
    try:
        topic = f"{places['name']}/*"
        r = api.post("/api/realtime", json={"clientId": stream.client_id, "subscriptions": [topic]}, auth=False)
        assert r.status_code == 204, r.text
        rec = new_record(api, places, name="live", loc='{"lon":-73.9857,"lat":40.7484}')
        event = stream.next()
        assert event.event == topic and event.action == "create"
        assert event.record == rec and event.record["loc"] == point(-73.9857, 40.7484)
    finally:
        stream.close()


def test_sdk_round_trip(pb, places):
    svc = pb.collection(places["name"])
    rec = svc.create({"name": "sdk", "loc": point(2.2945, 48.8584)})
    assert rec.loc == point(2.2945, 48.8584)
    assert svc.get_one(rec.id).loc == point(2.2945, 48.8584)
    upd = svc.update(rec.id, {"loc": point(-0.1276, 51.5072)})
    assert upd.loc == point(-0.1276, 51.5072)
    page = svc.get_list(1, 10, {"filter": f"id = '{rec.id}' && geoDistance(loc.lon, loc.lat, -0.1, 51.5) < 5",
                                 "sort": "-loc.lat"})
    assert [(r.id, r.loc) for r in page.items] == [(rec.id, point(-0.1276, 51.5072))]
    assert svc.get_list(1, 10, {"filter": f"id = '{rec.id}' && loc.lat < 50"}).items == []
    assert svc.delete(rec.id) is True

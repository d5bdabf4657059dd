"""A view by id answers the record as last committed, however it was written: through the API, by the
pocketbase SDK from several threads at once, or straight into data.db by another process while the server
runs (as a PocketBase user may do with the sqlite3 shell). Swiftbase keeps views that need no rule in
memory; these are the cases where a cache could answer an old record."""
import sqlite3
import subprocess
import sys
import threading

import pytest

from conftest import create_collection, unique_name


@pytest.fixture(scope="module")
def notes(api):
    return create_collection(api, {"name": unique_name("fresh"), "listRule": "", "viewRule": "",
                                   "createRule": "", "updateRule": "", "fields": [{"name": "title", "type": "text"}]})


def view_title(guest, name, rid):
    resp = guest.get(f"/api/collections/{name}/records/{rid}")
    assert resp.status_code == 200, resp.text
    return resp.json()["title"]


def test_update_through_the_api_is_seen_by_the_next_view(guest, notes):
    name = notes["name"]
    rid = guest.post(f"/api/collections/{name}/records", json={"title": "v0"}).json()["id"]
    for i in range(1, 30):
        assert view_title(guest, name, rid) == f"v{i - 1}"
        resp = guest.patch(f"/api/collections/{name}/records/{rid}", json={"title": f"v{i}"})
        assert resp.status_code == 200, resp.text
        assert view_title(guest, name, rid) == f"v{i}"


def test_write_by_another_process_is_seen_by_the_next_view(server, guest, notes):
    name = notes["name"]
    rid = guest.post(f"/api/collections/{name}/records", json={"title": "api"}).json()["id"]
    assert view_title(guest, name, rid) == "api"
    db = server.data_dir / "data.db"
    for i in range(5):
        script = ("import sqlite3,sys; c=sqlite3.connect(sys.argv[1], timeout=10); "
                  f"c.execute('UPDATE \"{name}\" SET title=? WHERE id=?', (sys.argv[2], sys.argv[3])); c.commit()")
        subprocess.run([sys.executable, "-c", script, str(db), f"shell {i}", rid], check=True, timeout=30)
        assert view_title(guest, name, rid) == f"shell {i}"


def test_delete_by_another_connection_is_seen_by_the_next_view(server, guest, notes):
    name = notes["name"]
    rid = guest.post(f"/api/collections/{name}/records", json={"title": "doomed"}).json()["id"]
    assert view_title(guest, name, rid) == "doomed"
    with sqlite3.connect(server.data_dir / "data.db", timeout=10) as conn:
        conn.execute(f'DELETE FROM "{name}" WHERE id = ?', (rid,))
    conn.close()
    assert guest.get(f"/api/collections/{name}/records/{rid}").status_code == 404


def test_views_during_concurrent_updates_never_go_back(pb_guest, guest, notes):
    """Readers hammer one record while a writer counts up; once an update has returned, every view that
    starts afterwards answers that value."""
    name = notes["name"]
    rid = guest.post(f"/api/collections/{name}/records", json={"title": "0"}).json()["id"]
    stop = threading.Event()
    errors = []

    def reader():
        while not stop.is_set():
            try:
                pb_guest.collection(name).get_one(rid)
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)
                return

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        for i in range(1, 60):
            pb_guest.collection(name).update(rid, {"title": str(i)})
            seen = int(pb_guest.collection(name).get_one(rid).title)
            assert seen == i, f"after update {i} a view answered {seen}"
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    assert not errors, errors

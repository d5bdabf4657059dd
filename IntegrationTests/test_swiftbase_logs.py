"""Swiftbase's request log writer beyond what PocketBase promises: a burst of requests from several threads is
logged entirely (the writer's bounded buffer holds requests back for a moment instead of dropping entries),
and entries still buffered at a graceful shutdown are stored before the process exits."""
import signal
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conftest import STOP_TIMEOUT, Api, poll, superuser_token

pytestmark = pytest.mark.usefixtures("swiftbase_only")

BURST = 2000
THREADS = 8


def total(api: Api, filter_: str) -> int:
    r = api.get("/api/logs", params={"filter": filter_, "perPage": 1})
    assert r.status_code == 200, r.text
    return r.json()["totalItems"]


def test_a_burst_from_several_threads_is_logged_entirely(own_server):
    su = Api(own_server.url, superuser_token(own_server.url))
    mark = "b" + uuid.uuid4().hex[:12]

    def send(worker: int) -> list:
        statuses = []
        with requests.Session() as s:
            for i in range(worker, BURST, THREADS):
                path = "/api/health" if i % 4 else "/api/nothing"   # a quarter of them fail (404, level 8)
                statuses.append(s.get(f"{own_server.url}{path}?m={mark}&i={i}", timeout=30).status_code)
        return statuses

    with ThreadPoolExecutor(THREADS) as pool:
        statuses = [s for part in pool.map(send, range(THREADS)) for s in part]
    assert statuses.count(200) == BURST * 3 // 4 and statuses.count(404) == BURST // 4

    poll(lambda: total(su, f'data.url ~ "{mark}"'), lambda n: n >= BURST, timeout=60,
         what=f"{BURST} entries of the burst")
    assert total(su, f'data.url ~ "{mark}"') == BURST
    assert total(su, f'data.url ~ "{mark}" && level = 8 && data.status = 404') == BURST // 4
    # each request once: the i= values are all there
    r = su.get("/api/logs", params={"filter": f'data.url ~ "{mark}"', "perPage": 1000, "fields": "data.url"})
    r2 = su.get("/api/logs", params={"filter": f'data.url ~ "{mark}"', "perPage": 1000, "page": 2,
                                     "fields": "data.url"})
    urls = [i["data"]["url"] for i in r.json()["items"] + r2.json()["items"]]
    assert sorted(int(u.rsplit("i=", 1)[1]) for u in urls) == list(range(BURST))


def test_entries_buffered_at_a_graceful_shutdown_are_stored(fresh_server):
    mark = "s" + uuid.uuid4().hex[:12]
    with requests.Session() as s:
        for i in range(300):
            assert s.get(f"{fresh_server.url}/api/health?m={mark}&i={i}", timeout=30).status_code == 200
    # SIGTERM straight after the last answer: whatever the writer had not stored yet is flushed at shutdown
    fresh_server.proc.send_signal(signal.SIGTERM)
    assert fresh_server.proc.wait(timeout=STOP_TIMEOUT) == 0
    fresh_server._serve()   # the same data directory, a new process
    su = Api(fresh_server.url, superuser_token(fresh_server.url))
    assert total(su, f'data.url ~ "{mark}"') == 300

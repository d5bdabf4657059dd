"""Swiftbase beyond PocketBase: what an SSE subscriber that stops reading costs the others. Its connection
may hold the socket's buffers plus 1,000 more events; then it is dropped and its connection closed, while a
subscriber that reads gets every event, in order. A subscriber that stopped reading does not hold up the
server's shutdown either (`fresh_server` fails the test if SIGTERM does not end the server within 10 s).
"""
import json
import socket
import threading
import time

import pytest
import requests

from conftest import superuser_token, unique_name

pytestmark = pytest.mark.usefixtures("swiftbase_only")

TIMEOUT = 30.0
PAD = "x" * 9_000  # large events: the kernel buffers up to a few MB of a connection before it is unwritable


class Stream:
    """A raw `GET /api/realtime` subscribed to `topic`; `receive_buffer` shrinks the socket's buffer."""

    def __init__(self, url, topic, receive_buffer=None):
        host, port = url.removeprefix("http://").split(":")
        self.sock = socket.socket()
        if receive_buffer:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.settimeout(TIMEOUT)
        self.sock.connect((host, int(port)))
        self.sock.sendall(b"GET /api/realtime HTTP/1.1\r\nHost: x\r\n\r\n")
        self.buffer = b""
        while b"\n\n" not in self.buffer.partition(b"\nid:")[2]:
            self.buffer += self.sock.recv(65536)
        client_id = self.buffer.partition(b"\nid:")[2].split(b"\n", 1)[0].decode()
        self.buffer = self.buffer.partition(b"\n\n")[2]
        r = requests.post(url + "/api/realtime", json={"clientId": client_id, "subscriptions": [topic]}, timeout=TIMEOUT)
        assert r.status_code == 204, r.text

    def read(self, wait=TIMEOUT):
        """The `title` (first 6 characters) of each record event completed by what arrives next; None at the
        end of the stream. Raises `TimeoutError` if nothing arrives within `wait` seconds."""
        self.sock.settimeout(wait)
        chunk = self.sock.recv(65536)
        if not chunk:
            return None
        self.buffer += chunk
        return list(self._frames())

    def read_to_end(self):
        titles = []
        while (more := self.read()) is not None:
            titles += more
        return titles

    def _frames(self):
        while b"\n\n" in self.buffer:
            frame, self.buffer = self.buffer.split(b"\n\n", 1)
            for line in frame.split(b"\n"):
                if line.startswith(b"data:") and b'"action"' in line:
                    yield json.loads(line[5:])["record"]["title"][:6]


def test_a_subscriber_that_stops_reading_is_dropped_alone(fresh_server):
    url = fresh_server.url
    token = superuser_token(url)
    http = requests.Session()
    http.headers["Authorization"] = token
    name = unique_name("slow")
    r = http.post(url + "/api/collections", json={
        "name": name, "listRule": "", "viewRule": "", "createRule": "",
        "fields": [{"name": "title", "type": "text", "max": 10_000}]}, timeout=TIMEOUT)
    assert r.status_code == 200, r.text

    stalled = Stream(url, f"{name}/*", receive_buffer=4096)
    reader = Stream(url, f"{name}/*")
    created = []
    done = threading.Event()
    heard = []

    def listen():
        deadline = None
        while not (done.is_set() and len(heard) >= len(created)):
            if done.is_set():
                deadline = deadline or time.monotonic() + TIMEOUT
                if time.monotonic() > deadline:
                    return
            try:
                more = reader.read(wait=0.2)
            except TimeoutError:
                continue
            if more is None:
                return
            heard.extend(more)

    listening = threading.Thread(target=listen)
    listening.start()

    def dropped():
        metrics = http.get(url + "/api/metrics", timeout=TIMEOUT).text
        return "swiftbase_realtime_clients_dropped_total 1" in metrics.splitlines()

    # Until the stalled subscriber is dropped: its socket's buffers, then 1,000 more events.
    while not (len(created) % 100 == 0 and created and dropped()):
        assert len(created) < 6_000, "the subscriber that stopped reading was never dropped"
        title = f"{len(created):06d}"
        r = http.post(f"{url}/api/collections/{name}/records", json={"title": title + PAD}, timeout=TIMEOUT)
        assert r.status_code == 200, r.text
        created.append(title)
    done.set()
    listening.join(TIMEOUT)
    assert not listening.is_alive()
    assert heard == created

    # What the dropped subscriber still reads is a prefix of the events, in order, then the end of the stream.
    left = stalled.read_to_end()
    assert len(left) < len(created)
    assert left == created[:len(left)]

    # One more that stops reading, not yet far enough behind to be dropped, when the server is stopped.
    late = Stream(url, f"{name}/*", receive_buffer=4096)
    for i in range(50):
        r = http.post(f"{url}/api/collections/{name}/records", json={"title": f"{i:06d}{PAD}"}, timeout=TIMEOUT)
        assert r.status_code == 200, r.text
    fresh_server.late_stream = late  # kept open, unread, until the fixture stops the server

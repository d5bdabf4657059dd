"""Swiftbase beyond PocketBase: `swiftbase backup [NAME]` (online, with a progress bar, while the server
serves writes) and `swiftbase restore BACKUP` (stopped server; the data is replaced whole, or not at all)."""
import io
import sqlite3
import subprocess
import threading
import zipfile

import pytest
import requests

from conftest import Api, Server, create_collection, superuser_token, unique_name

pytestmark = pytest.mark.usefixtures("swiftbase_only")


def cli(binary, data_dir, *args):
    return subprocess.run([str(binary), *args, "--dir", str(data_dir)], capture_output=True, text=True, timeout=300)


@pytest.fixture()
def srv(request, server):
    s = Server(server.kind, server.binary, "backupcli")
    s.start()
    yield s
    s.stop()


def test_backup_while_serving_writes_then_restore(srv):
    su = Api(srv.url, superuser_token(srv.url))
    coll = create_collection(su, {"name": unique_name("cli_bk"), "createRule": "", "listRule": "",
                                  "fields": [{"name": "seq", "type": "number"}, {"name": "pad", "type": "text"}]})
    url = f"{srv.url}/api/collections/{coll['name']}/records"
    stop, created = threading.Event(), []

    def writer():
        s = requests.Session()
        for i in range(3000):
            if stop.is_set():
                break
            r = s.post(url, json={"seq": i, "pad": "x" * 200}, timeout=30)
            assert r.status_code == 200, r.text
            created.append(i)

    t = threading.Thread(target=writer, daemon=True)
    t.start()
    while len(created) < 50:
        pass
    out = cli(srv.binary, srv.data_dir, "backup", "online.zip")
    stop.set()
    t.join(timeout=60)
    assert out.returncode == 0, out.stderr
    assert "Backup online.zip" in out.stdout and "100% database" in out.stderr
    with zipfile.ZipFile(srv.data_dir / "backups" / "online.zip") as z:
        assert z.namelist()[0] == "data.db"
        db = z.read("data.db")
    path = srv.tmp / "check.db"
    path.write_bytes(db)
    seqs = [r[0] for r in sqlite3.connect(path).execute(f'select seq from "{coll["name"]}" order by seq')]
    # one consistent snapshot: a prefix of the creation sequence, taken while writes went on
    assert seqs == list(range(len(seqs))) and 50 <= len(seqs) <= len(created)

    srv.proc.terminate()
    srv.proc.wait(timeout=10)
    restored = cli(srv.binary, srv.data_dir, "restore", "online.zip")
    assert restored.returncode == 0, restored.stderr
    rows = sqlite3.connect(srv.data_dir / "data.db").execute(f'select count(*) from "{coll["name"]}"').fetchone()[0]
    assert rows == len(seqs)


def test_backup_name_is_validated(srv):
    bad = cli(srv.binary, srv.data_dir, "backup", "Bad Name.zip")
    assert bad.returncode != 0 and "validation_match_invalid" in bad.stderr


def test_restore_refuses_what_is_not_a_backup_and_changes_nothing(srv, tmp_path):
    srv.proc.terminate()
    srv.proc.wait(timeout=10)
    before = (srv.data_dir / "data.db").read_bytes()
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as z:
        z.writestr("data.db", b"x")
        z.writestr("../../escaped.txt", b"outside")
    r = cli(srv.binary, srv.data_dir, "restore", str(evil))
    assert r.returncode != 0 and "unchanged" in r.stderr
    assert not (srv.data_dir.parent / "escaped.txt").exists() and not (srv.data_dir / "escaped.txt").exists()
    nodb = tmp_path / "nodb.zip"
    with zipfile.ZipFile(nodb, "w") as z:
        z.writestr("storage/a.txt", b"a")
    r = cli(srv.binary, srv.data_dir, "restore", str(nodb))
    assert r.returncode != 0
    assert (srv.data_dir / "data.db").read_bytes() == before


def test_restore_is_refused_while_a_server_has_the_directory_open(srv):
    """Swapping data.db under a running server would lose every write it makes afterwards (it keeps writing to
    the replaced file); the CLI refuses and points at the API restore instead."""
    su = Api(srv.url, superuser_token(srv.url))
    coll = create_collection(su, {"name": unique_name("cli_busy"), "createRule": "", "listRule": "",
                                  "fields": [{"name": "n", "type": "number"}]})
    url = f"/api/collections/{coll['name']}/records"
    assert su.post(url, json={"n": 1}).status_code == 200
    assert cli(srv.binary, srv.data_dir, "backup", "busy.zip").returncode == 0
    assert su.post(url, json={"n": 2}).status_code == 200
    refused = cli(srv.binary, srv.data_dir, "restore", "busy.zip")
    assert refused.returncode != 0
    assert "Not restored" in refused.stderr and "/api/backups/" in refused.stderr, refused.stderr
    # Nothing was staged or replaced: the server goes on, with both records, and they survive its restart.
    assert not (srv.data_dir / ".sb_restore" / "ready").exists()
    assert su.post(url, json={"n": 3}).status_code == 200
    srv.proc.terminate()
    srv.proc.wait(timeout=10)
    rows = sqlite3.connect(srv.data_dir / "data.db").execute(f'select n from "{coll["name"]}" order by n').fetchall()
    assert [r[0] for r in rows] == [1, 2, 3]
    # Stopped, the same restore goes through.
    restored = cli(srv.binary, srv.data_dir, "restore", "busy.zip")
    assert restored.returncode == 0, restored.stderr
    rows = sqlite3.connect(srv.data_dir / "data.db").execute(f'select n from "{coll["name"]}"').fetchall()
    assert [r[0] for r in rows] == [1]

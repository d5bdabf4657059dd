"""PocketBase's `pb_public` (Swiftbase: `sb_public` beside the data dir, or `--publicDir`): a folder served at
`/` beside the API, with the root index.html answering paths that name nothing (single-page apps), Go's
`http.ServeContent` semantics (type, Last-Modified, conditional requests, ranges), PocketBase's redirects, and
never a file outside the folder. Runs on both servers; where Swiftbase is stricter on purpose (hidden files,
/api/ paths) the test says so."""
import os
import time
from email.utils import formatdate

import pytest
import requests

from conftest import _server_kind, _start_server

INDEX = "<!doctype html><title>app</title><div id=app></div>"


@pytest.fixture(scope="module")
def site(request, tmp_path_factory):
    root = tmp_path_factory.mktemp("public")
    (root / "index.html").write_text(INDEX)
    (root / "app.js").write_text("console.log('hi')\n")
    (root / "style.css").write_text("body{margin:0}\n")
    (root / "docs").mkdir()
    (root / "docs" / "index.html").write_text("<p>docs</p>")
    (root / "docs" / "page.txt").write_text("0123456789" * 10)
    (root / ".env").write_text("SECRET=1")
    secret = root.parent / "secret.txt"
    secret.write_text("outside the folder")
    os.symlink(secret, root / "leak.txt")
    srv = _start_server(request.config, "public", extra_args=["--publicDir", str(root)])
    yield srv, root
    err = srv.stop()
    assert err is None, err


def get(srv, path, **kw):
    # Raw paths: requests would normalise "..".
    session = requests.Session()
    req = requests.Request("GET", srv.url + "/", **kw).prepare()
    req.url = srv.url + path
    return session.send(req, allow_redirects=False, timeout=10)


def test_files_are_served_with_their_types_and_directories_with_their_index(site):
    srv, _ = site
    r = get(srv, "/")
    assert r.status_code == 200 and r.text == INDEX
    assert r.headers["content-type"].startswith("text/html")
    js = get(srv, "/app.js")
    assert js.status_code == 200 and js.text == "console.log('hi')\n"
    assert js.headers["content-type"].split(";")[0] == "text/javascript"
    assert get(srv, "/style.css").headers["content-type"].startswith("text/css")
    assert get(srv, "/docs/").text == "<p>docs</p>"
    assert requests.head(srv.url + "/app.js", timeout=10).headers["content-length"] == str(len("console.log('hi')\n"))


def test_pocketbase_redirects(site):
    srv, _ = site
    for path, location in [("/docs", "/docs/"), ("/app.js/", "/app.js"), ("/docs/index.html", "/docs/"),
                           ("/index.html", "/")]:
        r = get(srv, path)
        assert r.status_code == 301, (path, r.status_code)
        assert r.headers["location"] == location, path


def test_unknown_paths_fall_back_to_the_index_for_client_side_routing(site):
    srv, _ = site
    for path in ["/settings/profile", "/missing.png", "/docs/nope"]:
        r = get(srv, path)
        assert r.status_code == 200 and r.text == INDEX, path


def test_nothing_outside_the_folder_is_served(site, request):
    srv, _ = site
    paths = ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/docs/../../secret.txt", "/%2e%2e%2fsecret.txt"]
    if _server_kind(request.config) == "swiftbase":
        paths.append("/leak.txt")  # PocketBase follows a symbolic link out of pb_public; Swiftbase does not
    for path in paths:
        r = get(srv, path)
        assert "outside the folder" not in r.text, path
        assert r.status_code in (200, 301, 307, 400, 404), (path, r.status_code)  # PocketBase: 307 to the cleaned path


def test_hidden_files_are_not_served(site, request):
    srv, _ = site
    if _server_kind(request.config) != "swiftbase":
        pytest.skip("PocketBase serves dotfiles from pb_public; Swiftbase never does")
    r = get(srv, "/.env")
    assert "SECRET" not in r.text
    assert r.text == INDEX  # named nothing servable: the fallback


def test_conditional_requests_and_ranges(site):
    srv, _ = site
    first = get(srv, "/docs/page.txt")
    modified = first.headers["last-modified"]
    assert get(srv, "/docs/page.txt", headers={"If-Modified-Since": modified}).status_code == 304
    older = formatdate(time.time() - 86_400 * 365, usegmt=True)
    assert get(srv, "/docs/page.txt", headers={"If-Modified-Since": older}).status_code == 200
    part = get(srv, "/docs/page.txt", headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.text == "0123456789"
    assert part.headers["content-range"] == "bytes 10-19/100"


def test_the_api_is_untouched(site, request):
    srv, _ = site
    assert requests.get(srv.url + "/api/health", timeout=10).json()["code"] == 200
    if _server_kind(request.config) == "swiftbase":
        # PocketBase answers its pb_public index here; Swiftbase keeps the API's 404 under /api/.
        r = requests.get(srv.url + "/api/no-such-route", timeout=10)
        assert r.status_code == 404 and r.json()["status"] == 404


def test_index_fallback_can_be_turned_off(request, tmp_path):
    root = tmp_path / "public"
    root.mkdir()
    (root / "index.html").write_text(INDEX)
    srv = _start_server(request.config, "nofallback", extra_args=["--publicDir", str(root), "--indexFallback=false"])
    try:
        assert requests.get(srv.url + "/", timeout=10).text == INDEX
        assert requests.get(srv.url + "/somewhere", timeout=10).status_code == 404
    finally:
        assert srv.stop() is None

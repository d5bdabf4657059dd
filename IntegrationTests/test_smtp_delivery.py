"""Mail over SMTP once `/api/settings` enables it (§10): the auth mails go to the configured server,
authenticated with AUTH PLAIN or LOGIN, instead of the development fallback (Swiftbase's DIR/mail)."""
import re
import uuid

import pytest

from conftest import Api, SmtpMailbox, create_collection, superuser_token, unique_name

PASSWORD = "Secret-pass-1234"


@pytest.fixture(scope="module")
def su(own_server):
    return Api(own_server.url, superuser_token(own_server.url))


@pytest.fixture(scope="module")
def sink():
    box = SmtpMailbox()
    yield box
    box.close()


@pytest.fixture(scope="module")
def people(su):
    return create_collection(su, {"name": unique_name("smtp"), "type": "auth", "createRule": "", "fields": []})


def configure(su, sink, method):
    r = su.patch("/api/settings", json={
        "meta": {"senderName": "Swiftbase tests", "senderAddress": "noreply@example.com"},
        "smtp": {"enabled": True, "host": "127.0.0.1", "port": sink.port, "tls": False,
                 "username": "mailer", "password": "smtp-s3cret", "authMethod": method}})
    assert r.status_code == 200, r.text
    assert "password" not in r.json()["smtp"]


@pytest.mark.parametrize("method", ["PLAIN", "LOGIN"])
def test_verification_mail_goes_through_smtp_with_auth(own_server, su, sink, people, method):
    configure(su, sink, method)
    email = f"{uuid.uuid4().hex[:10]}@example.com"
    r = su.post(f"/api/collections/{people['name']}/records", auth=False,
                json={"email": email, "password": PASSWORD, "passwordConfirm": PASSWORD})
    assert r.status_code == 200, r.text
    r = su.post(f"/api/collections/{people['name']}/request-verification", auth=False, json={"email": email})
    assert r.status_code == 204, r.text
    mail = sink.wait_for(email)
    assert mail.sender == "noreply@example.com"
    assert re.search(r"eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", mail.text)
    assert (method, "mailer", "smtp-s3cret") in sink.logins
    if own_server.kind == "swiftbase":
        assert not list((own_server.data_dir / "mail").glob("*.eml"))


@pytest.fixture()
def silent_smtp():
    """A server that accepts connections and never says a word."""
    import socket
    import threading
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                held.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(timeout=2)
    for conn in held:
        conn.close()
    listener.close()


def test_background_mails_do_not_wait_for_the_mail_server(su, people, silent_smtp):
    """Verification, reset and OTP mails leave after the answer: a mail server that hangs does not hold the
    request, so a known and an unknown address get the same prompt answer."""
    r = su.patch("/api/settings", json={"smtp": {"enabled": True, "host": "127.0.0.1", "port": silent_smtp,
                                                 "username": "", "tls": False}})
    assert r.status_code == 200, r.text
    email = f"{uuid.uuid4().hex[:10]}@example.com"
    assert su.post(f"/api/collections/{people['name']}/records", auth=False,
                   json={"email": email, "password": PASSWORD, "passwordConfirm": PASSWORD}).status_code == 200
    for address in (email, "nobody-" + email):
        # the client gives up long before any SMTP timeout could expire
        r = su.post(f"/api/collections/{people['name']}/request-password-reset", auth=False,
                    json={"email": address}, timeout=5)
        assert r.status_code == 204, r.text

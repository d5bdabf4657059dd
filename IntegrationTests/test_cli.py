"""The command line against a data directory a server is using (§11): `superuser otp` mints a one-time
password that logs in through `auth-with-otp`; `superuser` errors exit non-zero."""
import re
import subprocess

import requests

from conftest import SU_EMAIL, SU_PASSWORD, superuser_token


def run_cli(server, *args):
    return subprocess.run([str(server.binary), *args, "--dir", str(server.data_dir)],
                          capture_output=True, text=True, timeout=120)


def test_superuser_otp_requires_otp_enabled(own_server):
    r = run_cli(own_server, "superuser", "otp", SU_EMAIL)
    assert r.returncode != 0
    assert "OTP" in (r.stdout + r.stderr)


def test_superuser_otp_logs_in(own_server):
    token = superuser_token(own_server.url)
    r = requests.patch(own_server.url + "/api/collections/_superusers", headers={"Authorization": token},
                       json={"otp": {"enabled": True}}, timeout=30)
    assert r.status_code == 200, r.text
    out = run_cli(own_server, "superuser", "otp", SU_EMAIL)
    assert out.returncode == 0, out.stderr
    otp_id = re.search(r"Id:\s+(\w+)", out.stdout).group(1)
    password = re.search(r"Pass:\s+(\d+)", out.stdout).group(1)
    assert re.search(r"Valid:\s+180s", out.stdout)
    # OTP on _superusers always comes with MFA: the password is the first factor, the OTP the second
    assert r.json()["mfa"]["enabled"] is True
    base = own_server.url + "/api/collections/_superusers"
    first = requests.post(base + "/auth-with-password", json={"identity": SU_EMAIL, "password": SU_PASSWORD},
                          timeout=30)
    assert first.status_code == 401, first.text
    login = requests.post(base + "/auth-with-otp",
                          json={"otpId": otp_id, "password": password, "mfaId": first.json()["mfaId"]}, timeout=30)
    assert login.status_code == 200, login.text
    assert login.json()["record"]["email"] == SU_EMAIL
    again = requests.post(base + "/auth-with-otp", json={"otpId": otp_id, "password": password}, timeout=30)
    assert again.status_code == 400


def test_superuser_otp_unknown_email(own_server):
    r = run_cli(own_server, "superuser", "otp", "nobody@example.com")
    assert r.returncode != 0


def test_superuser_delete_unknown_and_update_unknown(own_server):
    assert run_cli(own_server, "superuser", "update", "nobody@example.com", "1234567890").returncode != 0


def superusers_named(server, *emails):
    token = superuser_token(server.url)
    r = requests.get(server.url + "/api/collections/_superusers/records", headers={"Authorization": token},
                     params={"perPage": 500}, timeout=30)
    assert r.status_code == 200, r.text
    return sorted(item["email"] for item in r.json()["items"] if item["email"].lower() in {e.lower() for e in emails})


def test_superuser_commands_find_emails_as_logins_do(fresh_server):
    """`_superusers`' email index has no `COLLATE NOCASE`, so the CLI, like logins, matches the exact case."""
    lower, upper = "case-cli@example.com", "CASE-CLI@EXAMPLE.COM"
    assert run_cli(fresh_server, "superuser", "upsert", lower, "first-pass-123").returncode == 0
    out = run_cli(fresh_server, "superuser", "upsert", upper, "second-pass-123")
    assert out.returncode == 0, out.stderr
    assert superusers_named(fresh_server, lower) == [upper, lower]
    assert run_cli(fresh_server, "superuser", "update", "Case-Cli@example.com", "third-pass-123").returncode != 0
    base = fresh_server.url + "/api/collections/_superusers/auth-with-password"
    for email, password in ((lower, "first-pass-123"), (upper, "second-pass-123")):
        r = requests.post(base, json={"identity": email, "password": password}, timeout=30)
        assert r.status_code == 200 and r.json()["record"]["email"] == email, r.text
    assert run_cli(fresh_server, "superuser", "delete", upper).returncode == 0
    assert superusers_named(fresh_server, lower) == [lower]


def test_superuser_ips_sets_and_clears_the_whitelist(fresh_server):
    out = run_cli(fresh_server, "superuser", "ips", "10.0.0.0/24", "nope")
    assert out.returncode != 0
    out = run_cli(fresh_server, "superuser", "ips", "10.0.0.0/24", "::1")
    assert out.returncode == 0, out.stderr
    assert "Successfully updated SuperuserIPs setting:" in out.stdout
    assert "├─ 10.0.0.0/24" in out.stdout and "└─ ::1" in out.stdout
    # The running server read its settings at start: the next start applies the list.
    fresh_server.kill_and_restart()
    r = requests.post(fresh_server.url + "/api/collections/_superusers/auth-with-password",
                      json={"identity": SU_EMAIL, "password": SU_PASSWORD}, timeout=30)
    assert r.status_code == 403, r.text
    out = run_cli(fresh_server, "superuser", "ips")
    assert out.returncode == 0, out.stderr
    assert "Successfully cleared SuperuserIPs setting!" in out.stdout
    fresh_server.kill_and_restart()
    token = superuser_token(fresh_server.url)
    r = requests.get(fresh_server.url + "/api/settings", headers={"Authorization": token}, timeout=30)
    assert r.status_code == 200 and r.json()["superuserIPs"] == [], r.text

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

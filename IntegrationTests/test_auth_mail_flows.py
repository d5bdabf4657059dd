"""Auth flows that go through mail (§6.4): request/confirm verification, password reset, email change,
and OTP, with the exact error envelopes PocketBase 0.40.6 returns. Mails are read through the `mailbox`
fixture (SMTP sink for PocketBase, <data_dir>/mail/*.eml for Swiftbase); tokens and codes are pulled
out of the bodies with regexes, so template wording does not matter."""
import re
import time
import uuid

import pytest

from conftest import assert_error, create_collection, jwt_payload, poll, unique_name

PASSWORD = "Secret-pass-1234"
NEW_PASSWORD = "Brand-new-pass-99"
OTP_LENGTH = 8
INVALID_DATA = "An error occurred while validating the submitted data."
JWT_RE = re.compile(r"eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


def err(code: str, message: str, **params) -> dict:
    item = {"code": code, "message": message}
    if params:
        item["params"] = params
    return item


REQUIRED = err("validation_required", "Cannot be blank.")
NOT_EMAIL = err("validation_is_email", "Must be a valid email address.")
INVALID_TOKEN = err("validation_invalid_token", "Invalid or expired token.")
COLLECTION_MISMATCH = err("validation_token_collection_mismatch",
                          "The provided token is for different auth collection.")
INVALID_PASSWORD = err("validation_invalid_password", "Missing or invalid auth record password.")


# --------------------------------------------------------------------------- fixtures / helpers
@pytest.fixture(scope="module")
def people(api, mailbox):
    """Auth collection with OTP enabled and owner-only view/update rules."""
    return create_collection(api, {
        "name": unique_name("mailflow"), "type": "auth", "createRule": "",
        "listRule": "id = @request.auth.id", "viewRule": "id = @request.auth.id",
        "updateRule": "id = @request.auth.id",
        "otp": {"enabled": True, "duration": 180, "length": OTP_LENGTH},
        "fields": [],
    })


@pytest.fixture(scope="module")
def no_otp(api, mailbox):
    """A second auth collection with the default options (OTP disabled)."""
    return create_collection(api, {"name": unique_name("mailplain"), "type": "auth",
                                   "createRule": "", "fields": []})


def new_email(prefix="u") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


def url(coll, action: str) -> str:
    return f"/api/collections/{coll['name'] if isinstance(coll, dict) else coll}/{action}"


def sign_up(guest, coll, email=None):
    email = email or new_email()
    r = guest.post(url(coll, "records"), auth=False,
                   json={"email": email, "password": PASSWORD, "passwordConfirm": PASSWORD})
    assert r.status_code == 200, r.text
    assert r.json()["verified"] is False
    return r.json(), email


def login_status(guest, coll, email, password=PASSWORD) -> int:
    return guest.post(url(coll, "auth-with-password"), auth=False,
                      json={"identity": email, "password": password}).status_code


def login(guest, coll, email, password=PASSWORD) -> dict:
    r = guest.post(url(coll, "auth-with-password"), auth=False,
                   json={"identity": email, "password": password})
    assert r.status_code == 200, r.text
    return r.json()


def record_as_superuser(api, coll, rec_id) -> dict:
    r = api.get(url(coll, f"records/{rec_id}"))
    assert r.status_code == 200, r.text
    return r.json()


def whoami(guest, coll, rec_id, token) -> int:
    """200 when `token` is honoured for viewing one's own record, 404 when it makes a guest."""
    return guest.get(url(coll, f"records/{rec_id}"), auth=False,
                     headers={"Authorization": token}).status_code


def post(guest, coll, action, body, **kw):
    return guest.post(url(coll, action), auth=False, json=body, **kw)


def mail_token(mail, token_type: str) -> str:
    """The single JWT in the mail (text and HTML parts), checked to be of `token_type`."""
    found = set(JWT_RE.findall(mail.text)) | set(JWT_RE.findall(mail.html))
    assert len(found) == 1, f"expected exactly one JWT in the mail, found {found}:\n{mail.text}"
    token = found.pop()
    assert jwt_payload(token)["type"] == token_type, jwt_payload(token)
    return token


def mail_otp(mail, length=OTP_LENGTH) -> str:
    found = set(re.findall(rf"(?<![0-9])[0-9]{{{length}}}(?![0-9])", mail.text))
    assert len(found) == 1, f"expected one {length}-digit code in the mail, found {found}:\n{mail.text}"
    return found.pop()


def mail_barrier(guest, coll, mailbox):
    """Returns once a mail requested now has arrived: the verification mail of a fresh account of `coll`.
    Both servers decide while answering a request whether it sends mail, and send in request order
    (Swiftbase through one queue; PocketBase starts one goroutine per mail before it answers, so an
    earlier mail has a whole request's head start). A mail an earlier request was going to send is in
    by now, so its absence can be checked without a fixed wait."""
    _, email = sign_up(guest, coll)
    assert post(guest, coll, "request-verification", {"email": email}).status_code == 204
    mailbox.wait_for(email)


def assert_no_mail(guest, coll, mailbox, *addresses, expected=0):
    """After a mail barrier: `addresses` received `expected` mails in all (none by default)."""
    mail_barrier(guest, coll, mailbox)
    for to in addresses:
        assert mailbox.count(to) == expected, (to, mailbox.count(to))


def assert_mail_basics(mail, to):
    assert mail.to.lower() == to.lower() and mail.recipients == (to.lower(),)
    assert mail.sender and mail.subject
    assert mail.headers["Date"] and mail.html


def broken_signature(token: str) -> str:
    head, body, sig = token.split(".")
    return f"{head}.{body}.{sig[:-4] + ('AAAA' if sig[-4:] != 'AAAA' else 'BBBB')}"


def force_verified(api, coll, rec_id):
    r = api.patch(url(coll, f"records/{rec_id}"), json={"verified": True})
    assert r.status_code == 200 and r.json()["verified"] is True, r.text


# --------------------------------------------------------------------------- verification
def test_request_verification_mails_a_verification_token(guest, people, mailbox):
    rec, email = sign_up(guest, people)
    r = post(guest, people, "request-verification", {"email": email})
    assert r.status_code == 204 and r.content == b"", r.text
    mail = mailbox.wait_for(email)
    assert_mail_basics(mail, email)
    claims = jwt_payload(mail_token(mail, "verification"))
    assert set(claims) == {"id", "type", "collectionId", "email", "exp"}
    assert claims["id"] == rec["id"] and claims["collectionId"] == people["id"]
    assert claims["email"] == email
    assert abs(claims["exp"] - time.time() - people["verificationToken"]["duration"]) < 60


def test_request_verification_unknown_email_is_204_without_mail(guest, people, mailbox):
    email = new_email("ghost")
    r = post(guest, people, "request-verification", {"email": email})
    assert r.status_code == 204 and r.content == b""
    assert_no_mail(guest, people, mailbox, email)


def test_request_verification_of_verified_record_is_204_without_mail(api, guest, people, mailbox):
    rec, email = sign_up(guest, people)
    force_verified(api, people, rec["id"])
    assert post(guest, people, "request-verification", {"email": email}).status_code == 204
    assert_no_mail(guest, people, mailbox, email)


def test_request_verification_is_throttled(guest, people, mailbox):
    """A second request for the same unverified record within 2 minutes is 204 but sends nothing."""
    _, email = sign_up(guest, people)
    assert post(guest, people, "request-verification", {"email": email}).status_code == 204
    mailbox.wait_sender_done(mailbox.wait_for(email))  # PocketBase arms the throttle after its send
    assert post(guest, people, "request-verification", {"email": email}).status_code == 204
    assert_no_mail(guest, people, mailbox, email, expected=1)


def test_request_verification_on_superusers(guest):
    for body in ({"email": "it-admin@example.com"}, {}):
        r = post(guest, "_superusers", "request-verification", body)
        assert_error(r, 400, "All superusers are verified by default.", {})


@pytest.mark.parametrize("body, item", [
    ({}, REQUIRED), ({"email": ""}, REQUIRED), ({"email": "nope"}, NOT_EMAIL),
])
def test_request_verification_validation(guest, people, body, item):
    r = post(guest, people, "request-verification", body)
    assert_error(r, 400, INVALID_DATA, {"email": item})


def test_confirm_verification_marks_the_record_verified(api, guest, people, mailbox):
    rec, email = sign_up(guest, people)
    assert post(guest, people, "request-verification", {"email": email}).status_code == 204
    token = mail_token(mailbox.wait_for(email), "verification")
    assert record_as_superuser(api, people, rec["id"])["verified"] is False
    r = post(guest, people, "confirm-verification", {"token": token})
    assert r.status_code == 204 and r.content == b"", r.text
    assert record_as_superuser(api, people, rec["id"])["verified"] is True
    # confirming again is a no-op, still 204; the password is untouched
    assert post(guest, people, "confirm-verification", {"token": token}).status_code == 204
    assert login_status(guest, people, email) == 200


def test_confirm_verification_bad_tokens(api, guest, people, no_otp, mailbox):
    rec, email = sign_up(guest, people)
    assert post(guest, people, "request-verification", {"email": email}).status_code == 204
    token = mail_token(mailbox.wait_for(email), "verification")
    auth_token = login(guest, people, email)["token"]
    missing_email = err("validation_invalid_token_claims", "Missing email token claim.")
    cases = [
        ({}, REQUIRED),
        ({"token": ""}, REQUIRED),
        ({"token": "garbage"}, missing_email),
        ({"token": auth_token}, missing_email),  # an auth token has no email claim
        ({"token": broken_signature(token)}, INVALID_TOKEN),
    ]
    for body, item in cases:
        r = post(guest, people, "confirm-verification", body)
        assert_error(r, 400, INVALID_DATA, {"token": item})
    # a valid token of another collection
    r = post(guest, no_otp, "confirm-verification", {"token": token})
    assert_error(r, 400, INVALID_DATA, {"token": COLLECTION_MISMATCH})
    r = post(guest, "_superusers", "confirm-verification", {"token": token})
    assert_error(r, 400, "All superusers are verified by default.", {})
    assert record_as_superuser(api, people, rec["id"])["verified"] is False


# --------------------------------------------------------------------------- password reset
def test_password_reset_flow(api, guest, people, mailbox):
    rec, email = sign_up(guest, people)
    old_token = login(guest, people, email)["token"]
    assert whoami(guest, people, rec["id"], old_token) == 200
    r = post(guest, people, "request-password-reset", {"email": email})
    assert r.status_code == 204 and r.content == b"", r.text
    mail = mailbox.wait_for(email)
    assert_mail_basics(mail, email)
    token = mail_token(mail, "passwordReset")
    claims = jwt_payload(token)
    assert set(claims) == {"id", "type", "collectionId", "email", "exp"}
    assert claims["id"] == rec["id"] and claims["email"] == email
    assert claims["collectionId"] == people["id"]
    assert abs(claims["exp"] - time.time() - people["passwordResetToken"]["duration"]) < 60

    r = post(guest, people, "confirm-password-reset",
             {"token": token, "password": NEW_PASSWORD, "passwordConfirm": NEW_PASSWORD})
    assert r.status_code == 204 and r.content == b"", r.text
    assert_error(guest.post(url(people, "auth-with-password"), auth=False,
                            json={"identity": email, "password": PASSWORD}),
                 400, "Failed to authenticate.", {})
    assert login_status(guest, people, email, NEW_PASSWORD) == 200
    # the token key rotated: tokens issued before the reset make a guest
    assert whoami(guest, people, rec["id"], old_token) == 404
    assert_error(guest.post(url(people, "auth-refresh"), auth=False, headers={"Authorization": old_token}),
                 401, "The request requires valid record authorization token.", {})
    # the reset proved ownership of the (unchanged) email
    assert record_as_superuser(api, people, rec["id"])["verified"] is True
    # the reset token is single use
    r = post(guest, people, "confirm-password-reset",
             {"token": token, "password": "Third-pass-000", "passwordConfirm": "Third-pass-000"})
    assert_error(r, 400, INVALID_DATA, {"token": INVALID_TOKEN})
    assert login_status(guest, people, email, NEW_PASSWORD) == 200


def test_request_password_reset_unknown_email_is_204_without_mail(guest, people, mailbox):
    email = new_email("ghost")
    r = post(guest, people, "request-password-reset", {"email": email})
    assert r.status_code == 204 and r.content == b""
    assert_no_mail(guest, people, mailbox, email)


def test_request_password_reset_is_throttled(guest, people, mailbox):
    _, email = sign_up(guest, people)
    assert post(guest, people, "request-password-reset", {"email": email}).status_code == 204
    mailbox.wait_sender_done(mailbox.wait_for(email))  # PocketBase arms the throttle after its send
    assert post(guest, people, "request-password-reset", {"email": email}).status_code == 204
    assert_no_mail(guest, people, mailbox, email, expected=1)


@pytest.mark.parametrize("body, item", [
    ({}, REQUIRED), ({"email": ""}, REQUIRED), ({"email": "nope"}, NOT_EMAIL),
])
def test_request_password_reset_validation(guest, people, body, item):
    r = post(guest, people, "request-password-reset", body)
    assert_error(r, 400, INVALID_DATA, {"email": item})


def test_confirm_password_reset_validation(guest, people, no_otp, mailbox):
    rec, email = sign_up(guest, people)
    assert post(guest, people, "request-password-reset", {"email": email}).status_code == 204
    token = mail_token(mailbox.wait_for(email), "passwordReset")
    out_of_range = err("validation_length_out_of_range", "The length must be between 8 and 255.",
                       min=8, max=255)
    cases = [
        ({}, {"token": REQUIRED, "password": REQUIRED, "passwordConfirm": REQUIRED}),
        ({"token": token, "password": "short", "passwordConfirm": "short"}, {"password": out_of_range}),
        ({"token": token, "password": "x" * 256, "passwordConfirm": "x" * 256}, {"password": out_of_range}),
        ({"token": token, "password": NEW_PASSWORD, "passwordConfirm": NEW_PASSWORD + "x"},
         {"passwordConfirm": err("validation_values_mismatch", "Values don't match.")}),
        ({"token": "garbage", "password": NEW_PASSWORD, "passwordConfirm": NEW_PASSWORD},
         {"token": INVALID_TOKEN}),
        ({"token": broken_signature(token), "password": NEW_PASSWORD, "passwordConfirm": NEW_PASSWORD},
         {"token": INVALID_TOKEN}),
        # an auth token is not a reset token
        ({"token": login(guest, people, email)["token"], "password": NEW_PASSWORD,
          "passwordConfirm": NEW_PASSWORD}, {"token": INVALID_TOKEN}),
    ]
    for body, data in cases:
        r = post(guest, people, "confirm-password-reset", body)
        assert_error(r, 400, INVALID_DATA, data)
    r = post(guest, no_otp, "confirm-password-reset",
             {"token": token, "password": NEW_PASSWORD, "passwordConfirm": NEW_PASSWORD})
    assert_error(r, 400, INVALID_DATA, {"token": COLLECTION_MISMATCH})
    # failed attempts did not consume the token
    assert login_status(guest, people, email) == 200
    r = post(guest, people, "confirm-password-reset",
             {"token": token, "password": NEW_PASSWORD, "passwordConfirm": NEW_PASSWORD})
    assert r.status_code == 204, r.text
    assert login_status(guest, people, email, NEW_PASSWORD) == 200


# --------------------------------------------------------------------------- email change
def test_email_change_flow(api, guest, people, mailbox):
    rec, email = sign_up(guest, people)
    auth_token = login(guest, people, email)["token"]
    target = new_email("new")
    r = post(guest, people, "request-email-change", {"newEmail": target},
             headers={"Authorization": auth_token})
    assert r.status_code == 204 and r.content == b"", r.text
    mail = mailbox.wait_for(target)  # sent to the NEW address
    assert_mail_basics(mail, target)
    token = mail_token(mail, "emailChange")
    claims = jwt_payload(token)
    assert set(claims) == {"id", "type", "collectionId", "email", "newEmail", "exp"}
    assert claims["id"] == rec["id"] and claims["collectionId"] == people["id"]
    assert claims["email"] == email and claims["newEmail"] == target
    assert abs(claims["exp"] - time.time() - people["emailChangeToken"]["duration"]) < 60
    assert mailbox.count(email) == 0
    # nothing changes until it is confirmed
    assert record_as_superuser(api, people, rec["id"])["email"] == email

    r = post(guest, people, "confirm-email-change", {"token": token, "password": "wrong-password"})
    assert_error(r, 400, INVALID_DATA, {"password": INVALID_PASSWORD})
    r = post(guest, people, "confirm-email-change", {"token": token})
    assert_error(r, 400, INVALID_DATA, {"password": REQUIRED})

    r = post(guest, people, "confirm-email-change", {"token": token, "password": PASSWORD})
    assert r.status_code == 204 and r.content == b"", r.text
    after = record_as_superuser(api, people, rec["id"])
    assert after["email"] == target and after["verified"] is True
    assert login(guest, people, target)["record"]["id"] == rec["id"]
    assert_error(guest.post(url(people, "auth-with-password"), auth=False,
                            json={"identity": email, "password": PASSWORD}),
                 400, "Failed to authenticate.", {})
    # the token key rotated with the email
    assert whoami(guest, people, rec["id"], auth_token) == 404
    # the change token is single use
    r = post(guest, people, "confirm-email-change", {"token": token, "password": PASSWORD})
    assert_error(r, 400, INVALID_DATA, {"token": INVALID_TOKEN, "password": INVALID_PASSWORD})


def test_request_email_change_requires_auth_of_that_collection(api, guest, people, no_otp):
    body = {"newEmail": new_email("new")}
    assert_error(post(guest, people, "request-email-change", body), 401,
                 "The request requires valid record authorization token.", {})
    _, other_email = sign_up(guest, no_otp)
    other_token = login(guest, no_otp, other_email)["token"]
    assert_error(post(guest, people, "request-email-change", body, headers={"Authorization": other_token}),
                 403, f"The request requires auth record from {no_otp['name']} collection.", {})
    assert_error(api.post(url(people, "request-email-change"), json=body), 403,
                 "The request requires auth record from _superusers collection.", {})
    assert_error(api.post(url("_superusers", "request-email-change"), json=body), 400,
                 "All superusers can change their emails directly.", {})
    assert_error(post(guest, "_superusers", "request-email-change", body), 401,
                 "The request requires valid record authorization token.", {})


def test_request_email_change_validation(guest, people, mailbox):
    _, email = sign_up(guest, people)
    _, taken = sign_up(guest, people)
    h = {"Authorization": login(guest, people, email)["token"]}
    cases = [
        ({}, REQUIRED),
        ({"newEmail": ""}, REQUIRED),
        ({"newEmail": "nope"}, NOT_EMAIL),
        ({"newEmail": email}, err("validation_not_in_invalid", "Must not be in list.")),
        ({"newEmail": taken}, err("validation_invalid_new_email", "Invalid new email address.")),
    ]
    for body, item in cases:
        r = post(guest, people, "request-email-change", body, headers=h)
        assert_error(r, 400, INVALID_DATA, {"newEmail": item})
    assert_no_mail(guest, people, mailbox, email, taken)


def test_confirm_email_change_bad_tokens(guest, people, no_otp, mailbox):
    _, email = sign_up(guest, people)
    auth_token = login(guest, people, email)["token"]
    target = new_email("new")
    assert post(guest, people, "request-email-change", {"newEmail": target},
                headers={"Authorization": auth_token}).status_code == 204
    token = mail_token(mailbox.wait_for(target), "emailChange")
    no_new_email = err("validation_invalid_token_payload", "Invalid token payload - newEmail must be set.")
    # without a usable token the password cannot be checked either
    cases = [
        ({}, {"token": REQUIRED, "password": REQUIRED}),
        ({"token": "garbage", "password": PASSWORD}, {"token": no_new_email, "password": INVALID_PASSWORD}),
        ({"token": auth_token, "password": PASSWORD}, {"token": no_new_email, "password": INVALID_PASSWORD}),
        ({"token": broken_signature(token), "password": PASSWORD},
         {"token": INVALID_TOKEN, "password": INVALID_PASSWORD}),
    ]
    for body, data in cases:
        r = post(guest, people, "confirm-email-change", body)
        assert_error(r, 400, INVALID_DATA, data)
    r = post(guest, no_otp, "confirm-email-change", {"token": token, "password": PASSWORD})
    assert_error(r, 400, INVALID_DATA, {"token": COLLECTION_MISMATCH, "password": INVALID_PASSWORD})
    r = post(guest, "_superusers", "confirm-email-change", {"token": token, "password": PASSWORD})
    assert_error(r, 400, "All superusers can change their emails directly.", {})
    # still usable afterwards
    assert post(guest, people, "confirm-email-change", {"token": token, "password": PASSWORD}).status_code == 204
    assert login_status(guest, people, target) == 200


# --------------------------------------------------------------------------- OTP
def request_otp(guest, coll, email) -> str:
    r = post(guest, coll, "request-otp", {"email": email})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"otpId"} and re.fullmatch(r"[a-z0-9]{15}", body["otpId"]), body
    return body["otpId"]


def test_auth_methods_report_otp(guest, people):
    body = guest.get(url(people, "auth-methods")).json()
    assert body["otp"] == {"enabled": True, "duration": 180}


def test_otp_flow(api, guest, people, mailbox):
    rec, email = sign_up(guest, people)
    force_verified(api, people, rec["id"])
    otp_id = request_otp(guest, people, email)
    mail = mailbox.wait_for(email)
    assert_mail_basics(mail, email)
    code = mail_otp(mail)
    r = post(guest, people, "auth-with-otp", {"otpId": otp_id, "password": code})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"token", "record"}
    assert body["record"]["id"] == rec["id"] and body["record"]["email"] == email
    claims = jwt_payload(body["token"])
    assert claims["type"] == "auth" and claims["id"] == rec["id"] and claims["refreshable"] is True
    assert whoami(guest, people, rec["id"], body["token"]) == 200
    # an already verified record keeps its password
    assert login_status(guest, people, email) == 200
    # the OTP is deleted on use
    r = post(guest, people, "auth-with-otp", {"otpId": otp_id, "password": code})
    assert_error(r, 400, "Invalid or expired OTP.", {})


def test_otp_login_verifies_the_record_and_resets_its_password(api, guest, people, mailbox):
    """An OTP mailed to the record's own email proves ownership: the record becomes verified and
    (MFA being off) gets a random password, so the old password no longer logs in."""
    rec, email = sign_up(guest, people)
    otp_id = request_otp(guest, people, email)
    code = mail_otp(mailbox.wait_for(email))
    # PocketBase records the OTP's sentTo (which the login compares with the email) after its send
    poll(lambda: api.get(f"/api/collections/_otps/records/{otp_id}"),
         lambda r: r.status_code == 200 and r.json().get("sentTo") == email, what="the OTP's sentTo")
    r = post(guest, people, "auth-with-otp", {"otpId": otp_id, "password": code})
    assert r.status_code == 200, r.text
    assert r.json()["record"]["verified"] is True
    assert record_as_superuser(api, people, rec["id"])["verified"] is True
    assert login_status(guest, people, email) == 400


def test_otp_wrong_code_keeps_the_otp(api, guest, people, mailbox):
    rec, email = sign_up(guest, people)
    force_verified(api, people, rec["id"])
    otp_id = request_otp(guest, people, email)
    code = mail_otp(mailbox.wait_for(email))
    wrong = "1" * OTP_LENGTH if code != "1" * OTP_LENGTH else "2" * OTP_LENGTH
    assert_error(post(guest, people, "auth-with-otp", {"otpId": otp_id, "password": wrong}),
                 400, "Invalid or expired OTP.", {})
    r = post(guest, people, "auth-with-otp", {"otpId": otp_id, "password": code})
    assert r.status_code == 200, r.text


def test_otp_attempts_are_rate_limited(api, guest, people, mailbox):
    """5 attempts per record per 180 s; the 6th is 429 even with the right code."""
    rec, email = sign_up(guest, people)
    force_verified(api, people, rec["id"])
    otp_id = request_otp(guest, people, email)
    code = mail_otp(mailbox.wait_for(email))
    wrong = "1" * OTP_LENGTH if code != "1" * OTP_LENGTH else "2" * OTP_LENGTH
    for _ in range(5):
        assert_error(post(guest, people, "auth-with-otp", {"otpId": otp_id, "password": wrong}),
                     400, "Invalid or expired OTP.", {})
    too_many = "Too many attempts, please try again later with a new OTP."
    assert_error(post(guest, people, "auth-with-otp", {"otpId": otp_id, "password": wrong}), 429, too_many, {})
    assert_error(post(guest, people, "auth-with-otp", {"otpId": otp_id, "password": code}), 429, too_many, {})


def test_otp_attempts_are_counted_per_record_not_per_otp(api, guest, people, mailbox):
    """The 5 attempts per 180 s belong to the record (and the client's address): a new OTP does not bring
    new guesses, and right codes count as attempts too (issue 20)."""
    too_many = "Too many attempts, please try again later with a new OTP."
    rec, email = sign_up(guest, people)
    force_verified(api, people, rec["id"])
    first = request_otp(guest, people, email)
    first_code = mail_otp(mailbox.wait_for(email))
    wrong = "1" * OTP_LENGTH if first_code != "1" * OTP_LENGTH else "2" * OTP_LENGTH
    for _ in range(3):
        assert_error(post(guest, people, "auth-with-otp", {"otpId": first, "password": wrong}),
                     400, "Invalid or expired OTP.", {})
    second = request_otp(guest, people, email)
    second_code = mail_otp(mailbox.wait_for(email))
    bad = "1" * OTP_LENGTH if second_code != "1" * OTP_LENGTH else "2" * OTP_LENGTH
    for _ in range(2):
        assert_error(post(guest, people, "auth-with-otp", {"otpId": second, "password": bad}),
                     400, "Invalid or expired OTP.", {})
    assert_error(post(guest, people, "auth-with-otp", {"otpId": second, "password": second_code}), 429, too_many, {})
    third = request_otp(guest, people, email)
    third_code = mail_otp(mailbox.wait_for(email))
    assert_error(post(guest, people, "auth-with-otp", {"otpId": third, "password": third_code}), 429, too_many, {})
    # Another record is not affected; its successful login counts as one of its own five.
    other, other_email = sign_up(guest, people)
    force_verified(api, people, other["id"])
    otp = request_otp(guest, people, other_email)
    code = mail_otp(mailbox.wait_for(other_email))
    wrong = "1" * OTP_LENGTH if code != "1" * OTP_LENGTH else "2" * OTP_LENGTH
    for _ in range(4):
        assert_error(post(guest, people, "auth-with-otp", {"otpId": otp, "password": wrong}),
                     400, "Invalid or expired OTP.", {})
    r = post(guest, people, "auth-with-otp", {"otpId": otp, "password": code})
    assert r.status_code == 200, r.text
    otp = request_otp(guest, people, other_email)
    code = mail_otp(mailbox.wait_for(other_email))
    assert_error(post(guest, people, "auth-with-otp", {"otpId": otp, "password": code}), 429, too_many, {})


def test_otp_unknown_email_gets_an_id_but_no_mail(guest, people, mailbox):
    email = new_email("ghost")
    otp_id = request_otp(guest, people, email)
    r = post(guest, people, "auth-with-otp", {"otpId": otp_id, "password": "1" * OTP_LENGTH})
    assert_error(r, 400, "Invalid or expired OTP.", {})
    assert_no_mail(guest, people, mailbox, email)


def test_otp_each_request_is_a_new_otp(api, guest, people, mailbox):
    rec, email = sign_up(guest, people)
    force_verified(api, people, rec["id"])
    first, second = request_otp(guest, people, email), request_otp(guest, people, email)
    assert first != second
    codes = {mail_otp(mailbox.wait_for(email)), mail_otp(mailbox.wait_for(email))}
    assert len(codes) == 2
    # both stay valid until used; mail order is not guaranteed, so find each id's code
    for otp_id in (first, second):
        for c in sorted(codes):
            if post(guest, people, "auth-with-otp", {"otpId": otp_id, "password": c}).status_code == 200:
                codes.discard(c)
                break
        else:
            pytest.fail(f"no mailed code works for OTP {otp_id}")


def test_otp_unknown_id(guest, people):
    r = post(guest, people, "auth-with-otp", {"otpId": "x" * 15, "password": "1" * OTP_LENGTH})
    assert_error(r, 400, "Invalid or expired OTP.", {})


def test_otp_validation(guest, people):
    assert_error(post(guest, people, "request-otp", {}), 400, INVALID_DATA, {"email": REQUIRED})
    assert_error(post(guest, people, "request-otp", {"email": "nope"}), 400, INVALID_DATA, {"email": NOT_EMAIL})
    assert_error(post(guest, people, "auth-with-otp", {}), 400, INVALID_DATA,
                 {"otpId": REQUIRED, "password": REQUIRED})


def test_otp_disabled_collection(guest, people, no_otp, mailbox):
    disabled = "The collection is not configured to allow OTP authentication."
    _, email = sign_up(guest, no_otp)
    for body in ({"email": email}, {}):
        assert_error(post(guest, no_otp, "request-otp", body), 403, disabled, {})
    assert_error(post(guest, no_otp, "auth-with-otp", {"otpId": "x" * 15, "password": "12345678"}),
                 403, disabled, {})
    # _superusers has OTP off by default
    assert_error(post(guest, "_superusers", "request-otp", {"email": "it-admin@example.com"}),
                 403, disabled, {})
    # an OTP of an enabled collection used on a disabled one: the collection check comes first
    _, email2 = sign_up(guest, people)
    otp_id = request_otp(guest, people, email2)
    code = mail_otp(mailbox.wait_for(email2))
    assert_error(post(guest, no_otp, "auth-with-otp", {"otpId": otp_id, "password": code}), 403, disabled, {})
    assert_no_mail(guest, people, mailbox, email)


# --------------------------------------------------------------------------- MFA
@pytest.fixture(scope="module")
def two_factor(api, mailbox):
    """Password and OTP both on, MFA required for everyone."""
    return create_collection(api, {
        "name": unique_name("mfa"), "type": "auth", "createRule": "",
        "otp": {"enabled": True, "duration": 180, "length": OTP_LENGTH},
        "mfa": {"enabled": True, "duration": 600},
        "fields": [],
    })


def test_mfa_password_then_otp(guest, two_factor, mailbox):
    rec, email = sign_up(guest, two_factor)
    first = post(guest, two_factor, "auth-with-password", {"identity": email, "password": PASSWORD})
    assert first.status_code == 401, first.text
    assert set(first.json()) == {"mfaId"}
    mfa_id = first.json()["mfaId"]
    # the same method again cannot complete the session
    again = post(guest, two_factor, "auth-with-password", {"identity": email, "password": PASSWORD, "mfaId": mfa_id})
    assert_error(again, 400, "A different authentication method is required.", {})
    otp_id = request_otp(guest, two_factor, email)
    code = mail_otp(mailbox.wait_for(email))
    done = post(guest, two_factor, "auth-with-otp", {"otpId": otp_id, "password": code, "mfaId": mfa_id})
    assert done.status_code == 200, done.text
    assert done.json()["record"]["id"] == rec["id"] and done.json()["token"]
    # the session is spent
    otp_id = request_otp(guest, two_factor, email)
    code = mail_otp(mailbox.wait_for(email))
    reuse = post(guest, two_factor, "auth-with-otp", {"otpId": otp_id, "password": code, "mfaId": mfa_id})
    assert_error(reuse, 400, "Invalid or expired MFA session.", {})


def test_mfa_id_in_query(guest, two_factor, mailbox):
    _, email = sign_up(guest, two_factor)
    otp_id = request_otp(guest, two_factor, email)
    code = mail_otp(mailbox.wait_for(email))
    first = post(guest, two_factor, "auth-with-otp", {"otpId": otp_id, "password": code})
    assert first.status_code == 401 and "mfaId" in first.json()
    r = guest.post(url(two_factor, "auth-with-password") + "?mfaId=" + first.json()["mfaId"], auth=False,
                   json={"identity": email, "password": PASSWORD})
    assert r.status_code == 200, r.text


def test_mfa_session_of_another_record(guest, two_factor):
    _, a = sign_up(guest, two_factor)
    _, b = sign_up(guest, two_factor)
    mfa_a = post(guest, two_factor, "auth-with-password", {"identity": a, "password": PASSWORD}).json()["mfaId"]
    r = post(guest, two_factor, "auth-with-password", {"identity": b, "password": PASSWORD, "mfaId": mfa_a})
    assert_error(r, 400, "Invalid MFA session.", {})
    r = post(guest, two_factor, "auth-with-password", {"identity": b, "password": PASSWORD, "mfaId": "nosuchmfa123456"})
    assert_error(r, 400, "Invalid or expired MFA session.", {})


def test_mfa_rule_limits_who_needs_it(api, guest, mailbox):
    coll = create_collection(api, {
        "name": unique_name("mfarule"), "type": "auth", "createRule": "",
        "otp": {"enabled": True}, "mfa": {"enabled": True, "rule": "nick = 'admin'"},
        "fields": [{"name": "nick", "type": "text"}]})
    _, plain = sign_up_with(guest, coll, nick="plain")
    _, admin = sign_up_with(guest, coll, nick="admin")
    assert post(guest, coll, "auth-with-password", {"identity": plain, "password": PASSWORD}).status_code == 200
    assert post(guest, coll, "auth-with-password", {"identity": admin, "password": PASSWORD}).status_code == 401


def sign_up_with(guest, coll, **fields):
    email = new_email()
    r = guest.post(url(coll, "records"), auth=False,
                   json={"email": email, "password": PASSWORD, "passwordConfirm": PASSWORD, **fields})
    assert r.status_code == 200, r.text
    return r.json(), email

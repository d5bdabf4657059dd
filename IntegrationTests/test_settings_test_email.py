"""`POST /api/settings/test/email` (superusers): one of an auth collection's templates, rendered for a stand-in
record, sent now to an address — PocketBase's dashboard "Send test email". Runs on both servers."""
import pytest

from conftest import assert_error, create_collection, error_codes, unique_name

TEMPLATES = ["verification", "password-reset", "email-change", "otp", "login-alert"]


@pytest.mark.parametrize("template", TEMPLATES)
def test_each_template_is_sent_to_the_address(api, mailbox, template):
    to = unique_name("test") + "@example.com"
    r = api.post("/api/settings/test/email", json={"email": to, "template": template})
    assert r.status_code == 204, r.text
    mail = mailbox.wait_for(to)
    assert mail.subject
    if template == "otp":
        assert "123456" in mail.text


def test_an_auth_collection_can_be_named_and_its_fields_are_stand_ins(api, mailbox):
    coll = create_collection(api, {"name": unique_name("members"), "type": "auth",
                                   "fields": [{"name": "nickname", "type": "text"}]})
    subject = "Hi {RECORD:nickname}"
    r = api.patch(f"/api/collections/{coll['id']}", json={"verificationTemplate": {
        "subject": subject, "body": "<p>{RECORD:nickname} {APP_NAME}</p>"}})
    assert r.status_code == 200, r.text
    to = unique_name("named") + "@example.com"
    r = api.post("/api/settings/test/email", json={"email": to, "template": "verification", "collection": coll["name"]})
    assert r.status_code == 204, r.text
    mail = mailbox.wait_for(to)
    assert mail.subject == "Hi __pb_test_nickname__"


def test_bad_input_is_a_validation_error(api, guest):
    r = api.post("/api/settings/test/email", json={"email": "nope", "template": "other", "collection": "no_such"})
    assert_error(r, 400, "Failed to send the test email.")
    assert error_codes(r.json()) == {"email": "validation_is_email", "template": "validation_in_invalid",
                                     "collection": "validation_invalid_auth_collection"}
    r = api.post("/api/settings/test/email", json={})
    assert error_codes(r.json()) == {"email": "validation_required", "template": "validation_required"}
    base = create_collection(api, {"name": unique_name("plain"), "fields": [{"name": "t", "type": "text"}]})
    r = api.post("/api/settings/test/email", json={"email": "a@example.com", "template": "otp", "collection": base["name"]})
    assert error_codes(r.json()) == {"collection": "validation_invalid_auth_collection"}
    assert_error(guest.post("/api/settings/test/email", json={"email": "a@example.com", "template": "otp"}, auth=False), 401)

"""The dashboard's Functions pages in a real browser (headless chromium through Selenium) against a server of its
own: an example plug-in (Examples/functions, built by its build.sh) deployed from the page, a module that is not
WebAssembly refused at its field, the function tried from its page through its HTTP trigger and its log line seen,
its config saved as a new version, the first version made active again, and the function deleted — each step
checked against the API as well. Every wait is on a condition."""
from __future__ import annotations

import json

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from conftest import REPO_ROOT, SU_EMAIL, SU_PASSWORD
from dashboard_browser import (api, browser, click, console_on_failure, shot, sign_in, srv,  # noqa: F401
                               text_of, visible, wait)

pytestmark = pytest.mark.usefixtures("swiftbase_only")

ECHO = REPO_ROOT / "Examples" / "functions" / "build" / "c" / "http_echo.wasm"


def function_row(browser, name):
    rows = browser.find_elements(By.CSS_SELECTOR, f'#functions-table tbody tr[data-name="{name}"]')
    return rows[0] if rows else None


def test_deploy_from_the_page_and_a_bad_module_is_refused_at_its_field(browser, srv, api, tmp_path):
    assert ECHO.exists(), "Examples/functions/build.sh builds the examples first"
    sign_in(browser, srv.url + "/_/login", SU_EMAIL, SU_PASSWORD)
    browser.get(srv.url + "/_/functions")
    wait(browser).until(lambda b: "No functions yet." in text_of(b, "#functions-table"), "the empty list")

    # Not WebAssembly: the server's error at the module field, and nothing deployed.
    junk = tmp_path / "junk.wasm"
    junk.write_bytes(b"this is not webassembly")
    browser.find_element(By.CSS_SELECTOR, "#function-name").send_keys("broken")
    browser.find_element(By.CSS_SELECTOR, "#function-module").send_keys(str(junk))
    click(browser, '#deploy-function button[type="submit"]')
    wait(browser).until(lambda b: text_of(b, '#deploy-function [data-error-for="module"]') != "",
                        "the module's error at its field")
    assert api.get("/api/functions/broken").status_code == 404

    # The echo example with an HTTP trigger.
    name = browser.find_element(By.CSS_SELECTOR, "#function-name")
    name.clear()
    name.send_keys("echo")
    browser.find_element(By.CSS_SELECTOR, "#function-module").send_keys(str(ECHO))
    browser.find_element(By.CSS_SELECTOR, "#function-config").send_keys(json.dumps({"triggers": [{"type": "http"}]}))
    click(browser, '#deploy-function button[type="submit"]')
    wait(browser).until(lambda b: function_row(b, "echo") is not None, "the deployed function listed")
    row = function_row(browser, "echo")
    assert "http" in row.text and "default" in row.text, row.text  # no runAs: the caller for HTTP calls
    deployed = api.get("/api/functions/echo").json()
    assert deployed["version"] == 1 and deployed["triggers"] == [{"type": "http", "export": "handle"}], deployed
    shot(browser, "functions-01-list")


def test_try_it_log_new_version_rollback_and_delete(browser, srv, api):
    browser.get(srv.url + "/_/functions/echo")
    visible(browser, "#try-function")
    Select(browser.find_element(By.CSS_SELECTOR, "#try-method")).select_by_value("POST")
    path = browser.find_element(By.CSS_SELECTOR, "#try-path")
    path.clear()
    path.send_keys("/orders/7")
    browser.find_element(By.CSS_SELECTOR, "#try-body").send_keys('{"qty": 2}')
    click(browser, '#try-function button[type="submit"]')
    wait(browser).until(lambda b: text_of(b, "#try-answer").startswith("200"), "the function's answer")
    answer = json.loads(text_of(browser, "#try-answer").split("\n\n", 1)[1])
    assert answer["method"] == "POST" and answer["path"] == "/orders/7", answer
    assert answer["body"] == '{"qty": 2}' and answer["auth"]["kind"] == "superuser", answer
    wait(browser).until(lambda b: "echo POST /orders/7" in text_of(b, "#function-log"), "the call's log line")
    shot(browser, "functions-02-tried")

    # The config saved as a new version.
    config = browser.find_element(By.CSS_SELECTOR, "#edit-config")
    edited = json.loads(config.get_attribute("value"))
    assert edited["triggers"] == [{"type": "http", "export": "handle"}], edited
    edited["config"] = {"greeting": "hi"}
    config.clear()
    config.send_keys(json.dumps(edited))
    click(browser, '#edit-function button[type="submit"]')
    wait(browser).until(lambda b: text_of(b, "#function-version") == "version 2", "version 2 active")
    assert api.get("/api/functions/echo").json()["config"] == {"greeting": "hi"}
    versions = browser.find_elements(By.CSS_SELECTOR, "#function-versions tbody tr")
    assert [v.get_attribute("data-version") for v in versions] == ["2", "1"]

    # A config the server refuses: its error under the box, the active version unchanged.
    config = browser.find_element(By.CSS_SELECTOR, "#edit-config")
    config.clear()
    config.send_keys(json.dumps({"triggers": [{"type": "teleport"}]}))
    click(browser, '#edit-function button[type="submit"]')
    wait(browser).until(lambda b: "triggers" in text_of(b, "#edit-config-errors"), "the config's error")
    assert api.get("/api/functions/echo").json()["version"] == 2

    # Version 1 made active again.
    click(browser, '#function-versions tr[data-version="1"] button.activate')
    wait(browser).until(lambda b: text_of(b, "#function-version") == "version 1", "version 1 active again")
    again = api.get("/api/functions/echo").json()
    assert again["version"] == 1 and again["config"] == {}, again
    shot(browser, "functions-03-rolled-back")

    # Deleted from the list.
    browser.get(srv.url + "/_/functions")
    wait(browser).until(lambda b: function_row(b, "echo") is not None, "listed")
    function_row(browser, "echo").find_element(By.CSS_SELECTOR, "button.delete").click()
    click(browser, "dialog button.danger")
    wait(browser).until(lambda b: function_row(b, "echo") is None, "gone from the list")
    assert api.get("/api/functions/echo").status_code == 404

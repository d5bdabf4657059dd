"""Selenium helpers shared by the dashboard's browser tests: Debian's headless chromium through chromedriver
(both from PATH), waits on conditions only, screenshots under IntegrationTests/.output/dashboard/ (gitignored)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import Api, superuser_token

WAIT = 15
SHOTS = Path(__file__).resolve().parent / ".output" / "dashboard"


def start_browser():
    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not driver_path:
        pytest.fail("chromium and chromedriver must be on PATH (Debian: apt-get install chromium chromium-driver)")
    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager look for drivers online
    options = Options()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1000", "--no-first-run", "--disable-extensions"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(30)
    SHOTS.mkdir(parents=True, exist_ok=True)
    return driver


def report_failure(request, browser, failed_before):
    """After a failing test: a screenshot and the browser's console (printed, so pytest shows it)."""
    if request.session.testsfailed > failed_before:
        shot(browser, f"failed-{request.node.name}")
        for entry in browser.get_log("browser"):
            print("browser console:", entry.get("level"), entry.get("message"))


def wait(browser, timeout=WAIT):
    return WebDriverWait(browser, timeout, poll_frequency=0.05,
                         ignored_exceptions=(StaleElementReferenceException,))


def visible(browser, css, timeout=WAIT):
    return wait(browser, timeout).until(EC.visibility_of_element_located((By.CSS_SELECTOR, css)), f"visible {css}")


def clickable(browser, css):
    return wait(browser).until(EC.element_to_be_clickable((By.CSS_SELECTOR, css)), f"clickable {css}")


def click(browser, css):
    """Clicks what `css` finds, finding it again if the page re-rendered it in between (live updates do)."""
    wait(browser).until(lambda b: b.find_element(By.CSS_SELECTOR, css).click() or True, f"clicked {css}")


def shot(browser, name):
    browser.save_screenshot(str(SHOTS / f"{name}.png"))


def retype(browser, css, text):
    """Replaces what the text box `css` holds with `text`, as a user selecting all and typing does (so the page's
    input events fire); answers the box."""
    box = browser.find_element(By.CSS_SELECTOR, css)
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.DELETE)
    box.send_keys(text)
    return box


def text_of(browser, css):
    return browser.find_element(By.CSS_SELECTOR, css).text


def sign_in(browser, url, email, password):
    """Signs in on the dashboard's sign-in page at `url` and waits for the signed-in shell."""
    browser.get(url)
    visible(browser, 'input[name="identity"]').send_keys(email)
    browser.find_element(By.CSS_SELECTOR, 'input[name="password"]').send_keys(password, Keys.ENTER)
    visible(browser, "#sign-out")


@pytest.fixture(scope="module")
def srv(own_server):
    """The test module's own server (a page's lists are asserted whole)."""
    return own_server


@pytest.fixture(scope="module")
def api(srv):
    """A superuser's REST client of `srv`."""
    return Api(srv.url, superuser_token(srv.url))


@pytest.fixture(scope="module")
def browser():
    """One headless chromium for a test module."""
    driver = start_browser()
    yield driver
    driver.quit()


@pytest.fixture(autouse=True)
def console_on_failure(request, browser):
    """On a failed test: the browser's console and a screenshot (see `report_failure`)."""
    failed_before = request.session.testsfailed
    yield
    report_failure(request, browser, failed_before)


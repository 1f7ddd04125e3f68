"""Browser tests: the real console served by daphne, driven by Playwright in Debian's chromium.

`console_server` runs `daphne console.asgi:application` on a free loopback port with its own
data directory (its own SQLite database), so browser tests see exactly what a user sees,
WebSockets included. `page` is a logged-in browser page; `browser_page` a logged-out one.
Screenshots go to test-artifacts/ so a person can look at them.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.conftest import build_image, unique

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
E2E_USER, E2E_PASSWORD = "e2e-admin", "e2e-pass-phrase-42"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _manage(env, *args) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture(scope="session")
def console_server(tmp_path_factory):
    """The console under daphne; yields its base URL and environment."""
    data_dir = tmp_path_factory.mktemp("console-data")
    port = _free_port()
    env = {**os.environ, "CONSOLE_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "console.settings"}
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(
        env,
        "shell",
        "-c",
        "from django.contrib.auth.models import User; "
        f"User.objects.create_superuser({E2E_USER!r}, '', {E2E_PASSWORD!r})",
    )
    log = open(data_dir / "daphne.log", "w")  # noqa: SIM115 - the server writes to it until teardown
    server = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "console.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base_url}/accounts/login/", timeout=1)
            break
        except OSError:
            if server.poll() is not None:
                raise RuntimeError((data_dir / "daphne.log").read_text()) from None
            time.sleep(0.1)
    else:
        server.kill()
        pytest.fail("daphne did not start: " + (data_dir / "daphne.log").read_text())
    yield {"url": base_url, "env": env, "pid": server.pid, "log": data_dir / "daphne.log"}
    server.terminate()
    server.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"chromium is missing at {CHROMIUM}: apt-get install chromium", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(browser, console_server):
    context = browser.new_context(base_url=console_server["url"], viewport={"width": 1360, "height": 860})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def page(browser_page):
    """A browser page logged in as the e2e admin."""
    browser_page.goto("/accounts/login/")
    browser_page.fill("input[name=username]", E2E_USER)
    browser_page.fill("input[name=password]", E2E_PASSWORD)
    browser_page.click("button[type=submit]")
    browser_page.wait_for_url("**/hosts/**")
    return browser_page


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


BLOB_MB = 24  # large enough for the progress line to have something to say


@pytest.fixture
def saved_tar(engine, test_image, tmp_path):
    """A labelled image with a random 24 MB layer, saved to a file and removed; (path, tag, id)."""
    tag = f"dconsole-test/e2e-load:{unique('l')}"
    image_id = build_image(
        engine, tag, f'RUN ["/bin/sh", "-c", "dd if=/dev/urandom of=/blob bs=1M count={BLOB_MB}"]\n'
    )
    path = tmp_path / "e2e image.tar"
    with open(path, "wb") as out:
        for chunk in engine.images.get(tag).save(named=True):
            out.write(chunk)
    engine.images.remove(image_id, force=True)
    return path, tag, image_id

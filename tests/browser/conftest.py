"""Browser tests: Debian's Chromium driven by Playwright against a real server process.

The server is tests/live's `live_server_process` (migrate + `manage.py serve` on a temp data
folder). Each test makes its own account, project, tasker and task through the HTTP API, with
a Pillow-drawn PNG uploaded to the server itself, so nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.browser.helpers import Bench, TaskFactory
from tests.live.conftest import live_server_process  # noqa: F401

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 900}


# ------------------------------------------------------------------------------ the browser


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"Chromium is missing at {CHROMIUM}: install it (apt-get install chromium) "
                    "or point CHROMIUM_PATH at it. Browser tests never download a browser.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def watched_page(browser, expected: tuple[str, ...]) -> Iterator:
    """A page in a fresh context that fails the test when it logged an error other than the
    `expected` ones (substrings of console messages)."""
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.on("console", lambda msg: errors.append(f"console {msg.type}: {msg.text}")
            if msg.type == "error" and not any(e in msg.text for e in expected) else None)
    page.errors = errors
    yield page
    context.close()
    assert not errors, "the page logged errors:\n" + "\n".join(errors)


@pytest.fixture
def page(browser):
    # A refused submit logs "Failed to load resource … 400": that one is expected.
    yield from watched_page(browser, ("Failed to load resource",))


@pytest.fixture
def make_task(live_server_process) -> TaskFactory:  # noqa: F811
    return TaskFactory(live_server_process)


@pytest.fixture
def bench_for(page):
    def make(setup) -> Bench:
        return Bench(page, setup)

    return make

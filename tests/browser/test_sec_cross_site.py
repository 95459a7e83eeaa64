"""A page of another site (here: another port of 127.0.0.1, which browsers call same-site but
not same-origin) can neither change anything through the v1 API, even while the browser holds
the key, nor join a tasker's live session. Chromium, a real server and a real attacker page."""

from __future__ import annotations

import base64
import json
from http.server import BaseHTTPRequestHandler

import pytest
import requests

from tests.browser.helpers import Bench
from tests.live.conftest import serve_locally

pytestmark = pytest.mark.browser

BOX = {"geometries": {"box": {"objects_to_annotate": ["car"]}}}


class AttackerHandler(BaseHTTPRequestHandler):
    """Serves the HTML in `server.pages` by path."""

    def do_GET(self):  # noqa: N802
        html = self.server.pages.get(self.path)
        if html is None:
            self.send_error(404)
            return
        body = html.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def attacker():
    with serve_locally(AttackerHandler) as httpd:
        httpd.pages = {}
        httpd.root = f"http://127.0.0.1:{httpd.server_address[1]}"
        yield httpd


def project_names(setup) -> set[str]:
    res = setup.api.get(f"{setup.server.base_url}/projects", timeout=30)
    assert res.status_code == 200, res.text
    return {p["name"] for p in res.json()}


def form_page(action: str) -> str:
    """Three forms a cross-site page can send without any permission: url-encoded, text/plain
    shaped like JSON, and multipart."""
    pseudo_json = ('{"type": "imageannotation", "name": "pwned-text", "pad": "',
                   '"}')
    return f"""<!doctype html><html><body>
<form id="urlencoded" method="post" action="{action}">
  <input name="type" value="imageannotation"><input name="name" value="pwned-form">
</form>
<form id="text" method="post" enctype="text/plain" action="{action}">
  <input name='{pseudo_json[0]}' value='{pseudo_json[1]}'>
</form>
<form id="multipart" method="post" enctype="multipart/form-data" action="{action}">
  <input name="type" value="imageannotation"><input name="name" value="pwned-multi">
</form>
</body></html>"""


def test_a_cross_site_form_cannot_change_anything_while_the_browser_holds_the_key(
        browser, make_task, attacker):
    setup = make_task(BOX)
    key = setup.api.auth[0]
    root = setup.root
    # The browser sends the key with every request, as one that answered a Basic prompt once
    # sends it to the site.
    token = base64.b64encode(f"{key}:".encode()).decode()
    context = browser.new_context(extra_http_headers={"Authorization": f"Basic {token}"})
    try:
        page = context.new_page()
        own = page.goto(f"{root}/v1/projects")
        assert own.status == 200, "the browser does not hold the key: the test proves nothing"
        attacker.pages["/"] = form_page(f"{root}/v1/projects")
        for form in ("urlencoded", "text", "multipart"):
            page.goto(f"{attacker.root}/")
            with page.expect_navigation() as navigation:
                page.evaluate("id => document.getElementById(id).submit()", form)
            answer = navigation.value
            assert answer.status == 403, (form, answer.status, answer.text())
            body = json.loads(answer.text())
            assert body["status_code"] == 403 and "another site" in body["error"]
        # A script's fetch of the same (no-cors, the response unreadable) changes nothing too.
        page.goto(f"{attacker.root}/")
        page.evaluate("""url => fetch(url, {method: "POST", mode: "no-cors",
            credentials: "include", headers: {"Content-Type": "text/plain"},
            body: JSON.stringify({type: "imageannotation", name: "pwned-fetch"})})""",
                      f"{root}/v1/projects")
        # The site's own page (e.g. /v1/docs/) may still use the key.
        page.goto(f"{root}/v1/docs/")
        status = page.evaluate("""url => fetch(url, {method: "POST",
            headers: {"Content-Type": "application/json"},
            body: JSON.stringify({type: "imageannotation", name: "from-the-docs-page"})})
            .then(r => r.status)""", f"{root}/v1/projects")
        assert status == 200
    finally:
        context.close()
    names = project_names(setup)
    assert "from-the-docs-page" in names
    assert not {n for n in names if n.startswith("pwned")}, names


def test_a_401_gives_the_browser_no_prompt_to_keep_the_key(browser, live_server_process):
    context = browser.new_context(http_credentials={"username": "live_" + "0" * 32,
                                                    "password": ""})
    try:
        page = context.new_page()
        answer = page.goto(f"{live_server_process.base_url}/tasks")
        assert answer.status == 401
        challenge = answer.all_headers().get("www-authenticate", "")
        assert not challenge.lower().startswith("basic"), challenge
        # The credentials were never asked for, so never sent.
        assert answer.request.all_headers().get("authorization") is None
    finally:
        context.close()


SOCKET_OPENS = """url => new Promise(resolve => {
    const socket = new WebSocket(url);
    socket.onopen = () => { socket.close(); resolve(true); };
    socket.onerror = () => resolve(false);
    socket.onclose = () => resolve(false);
})"""


def test_a_page_on_another_port_cannot_join_the_live_session(browser, make_task, attacker):
    setup = make_task(BOX)
    context = browser.new_context()
    try:
        page = context.new_page()
        bench = Bench(page, setup)
        bench.start()  # the tasker holds the task, in a live session
        task_id = page.url.rstrip("/").split("/")[-2]
        socket_url = setup.root.replace("http://", "ws://") + f"/ws/tasks/{task_id}/"
        progress_url = setup.root.replace("http://", "ws://") + "/ws/progress/"
        page.goto(f"{setup.root}/")
        assert page.evaluate(SOCKET_OPENS, socket_url) is True  # the site's own page may
        attacker.pages["/"] = "<!doctype html><title>elsewhere</title>"
        evil = context.new_page()
        evil.goto(f"{attacker.root}/")  # same browser, same cookies: only the origin differs
        assert evil.evaluate(SOCKET_OPENS, socket_url) is False
        assert evil.evaluate(SOCKET_OPENS, progress_url) is False
    finally:
        context.close()
    assert requests.get(setup.root, timeout=30).status_code in (200, 302)

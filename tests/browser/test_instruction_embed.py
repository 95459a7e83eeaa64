"""An instruction's embedded document shows only in a sandboxed frame: a script inside it runs
in an opaque origin and cannot touch the workbench page, its storage or its cookies."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

pytestmark = pytest.mark.browser

HOSTILE = b"""<!doctype html><html><head><title>guide</title></head><body><p>The guide</p>
<script>
const result = {origin: self.origin};
const attempt = (name, fn) => {
  try { result[name] = fn(); } catch (error) { result[name] = "blocked"; }
};
attempt("parentDom", () => parent.document.body.innerHTML.length);
attempt("parentTitle", () => { parent.document.title = "pwned"; return "changed"; });
attempt("workbench", () => typeof parent.__workbench.app);
attempt("storage", () => { localStorage.setItem("stolen", "1"); return "open"; });
attempt("cookie", () => document.cookie);
document.body.dataset.result = JSON.stringify(result);
</script></body></html>"""


class Document(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (the http.server API)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(HOSTILE)))
        self.end_headers()
        self.wfile.write(HOSTILE)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def document_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Document)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/guide.html"
    server.shutdown()
    server.server_close()


def test_embedded_document_is_sandboxed(make_task, bench_for, document_url):
    instruction = "\n".join([
        "Draw every **car**.",
        "",
        f'<iframe src="{document_url}" title="Labelling guide" onload="alert(1)"></iframe>',
        "",
        '<iframe src="javascript:alert(1)"></iframe>',
    ])
    setup = make_task({"geometries": {"box": {"objects_to_annotate": ["car"]}},
                       "instruction": instruction})
    bench = bench_for(setup)
    page = bench.page
    responses = []
    page.on("response", lambda r: responses.append(r) if "/work/" in r.url else None)
    bench.start()
    title = page.title()

    frames = page.locator(".wb-markdown iframe")
    assert frames.count() == 1, "only the http(s) embed becomes a frame"
    frame_element = frames.first
    assert frame_element.get_attribute("sandbox") == \
        "allow-scripts allow-popups allow-popups-to-escape-sandbox"
    assert frame_element.get_attribute("title") == "Labelling guide"
    assert frame_element.get_attribute("onload") is None
    # the unsafe one stays text
    assert "javascript:alert(1)" in page.locator(".wb-markdown").inner_text()
    # the page allows framing that origin, and only that one
    policy = next(r for r in responses if r.request.resource_type == "document").headers[
        "content-security-policy"]
    origin = document_url.rsplit("/", 1)[0]
    assert f"frame-src {origin}" in policy

    frame_element.scroll_into_view_if_needed()
    deadline = time.monotonic() + 15
    frame = None
    while frame is None or not frame.evaluate("() => document.body?.dataset.result || ''"):
        assert time.monotonic() < deadline, "the embedded document never ran its script"
        frame = next((f for f in page.frames if f.url == document_url), None)
        page.wait_for_timeout(50)
    result = json.loads(frame.evaluate("() => document.body.dataset.result"))
    assert result == {
        "origin": "null",  # opaque: the sandbox took effect
        "parentDom": "blocked",
        "parentTitle": "blocked",
        "workbench": "blocked",
        "storage": "blocked",
        "cookie": "blocked",
    }
    assert page.title() == title
    assert page.evaluate("() => localStorage.getItem('stolen')") is None
    assert page.evaluate("() => Boolean(window.__workbench.ready)")

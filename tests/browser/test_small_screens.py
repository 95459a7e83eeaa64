"""The view and the panels on the screens a tasker has (docs/workbench.md): turning the view
re-fits the image, instructions show tables and images (the safe subset) in a panel that is
not capped at 28 % of the window, and the shortcut overlay shows every section at 1600 × 900."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.browser.helpers import Bench

pytestmark = pytest.mark.browser


def corners_on_canvas(page, width: int, height: int) -> bool:
    return page.evaluate("""([w, h]) => {
        const rect = window.__workbench.app.canvas.getBoundingClientRect();
        return [[0, 0], [w, 0], [0, h], [w, h]].every(([x, y]) => {
            const p = window.__workbench.toPage({x, y});
            return p.x >= rect.left - 0.5 && p.x <= rect.right + 0.5
                && p.y >= rect.top - 0.5 && p.y <= rect.bottom + 0.5;
        });
    }""", [width, height])


def test_turning_the_view_refits_the_image(make_task, bench_for):
    setup = make_task({"geometries": {"box": {"objects_to_annotate": ["car"]}}},
                      width=1200, height=500)
    bench = bench_for(setup)
    bench.start()
    page = bench.page
    assert corners_on_canvas(page, 1200, 500)
    wide = bench.scale()
    bench.focus_canvas()
    page.keyboard.press("r")
    view = page.evaluate("window.__workbench.view()")
    assert view["rotation"] == 1
    assert view["scale"] < wide, "the upright image needs a smaller scale"
    assert corners_on_canvas(page, 1200, 500), "the turned image is cut off"
    page.keyboard.press("r")
    assert corners_on_canvas(page, 1200, 500)
    assert abs(bench.scale() - wide) < 1e-6, "turned back to wide: the wide fit again"


class Pixel(BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:  # noqa: N802 (the http.server API)
        type(self).hits += 1
        body = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00" \
               b"\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
        self.send_response(200)
        self.send_header("Content-Type", "image/gif")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def foreign_image() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Pixel)
    Pixel.hits = 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/pixel.gif"
    server.shutdown()
    server.server_close()


def test_instruction_tables_and_images(make_task, bench_for, foreign_image):
    instruction = "\n".join([
        "## Sizes",
        "",
        "| Label | Min width | Example |",
        "| :--- | ---: | --- |",
        "| car | 20 px | ![our logo](/static/favicon.svg) |",
        "| truck | 40 px | **long** vehicles |",
        "",
        f"A picture from elsewhere: ![tracking pixel]({foreign_image})",
        "",
        "| <b>raw</b> |",
        "| --- |",
        "| <img src=x onerror=alert(1)> |",
    ])
    setup = make_task({"geometries": {"box": {"objects_to_annotate": ["car", "truck"]}},
                       "instruction": instruction})
    bench = bench_for(setup)
    bench.start()
    page = bench.page
    tables = page.locator(".wb-markdown table")
    assert tables.count() == 2
    first = tables.first
    assert first.locator("th").all_inner_texts() == ["Label", "Min width", "Example"]
    assert first.locator("tbody tr").count() == 2
    assert first.locator("tbody tr").nth(1).locator("td").all_inner_texts() \
        == ["truck", "40 px", "long vehicles"]
    assert first.locator("tbody td").nth(1).evaluate("td => td.style.textAlign") == "right"
    # raw HTML in a cell stays text
    raw = tables.nth(1)
    assert raw.locator("th").inner_text() == "<b>raw</b>"
    assert raw.locator("img").count() == 0
    # this server's image loads; the foreign one is a link, never fetched
    images = page.locator(".wb-markdown img")
    assert images.count() == 1
    image = images.first
    for _ in range(100):
        if image.evaluate("img => img.complete && img.naturalWidth > 0"):
            break
        page.wait_for_timeout(50)
    assert image.evaluate("img => img.naturalWidth > 0"), "the image of this server did not load"
    assert image.get_attribute("alt") == "our logo"
    link = page.locator(".wb-markdown a.wb-markdown-image-link")
    assert link.count() == 1 and link.get_attribute("href") == foreign_image
    assert "tracking pixel" in link.inner_text()
    assert Pixel.hits == 0

    # the panel is not capped at 28 % of the window: up to half, and resizable
    body = page.locator(".wb-panel-instruction .wb-panel-body")
    style = body.evaluate("b => ({max: parseFloat(getComputedStyle(b).maxHeight),"
                          " resize: getComputedStyle(b).resize, window: innerHeight})")
    assert style["max"] >= 0.5 * style["window"] - 1, style
    assert style["resize"] == "vertical"


def test_the_shortcut_overlay_fits_1600_by_900(make_task, browser):
    setup = make_task({"geometries": {"box": {"objects_to_annotate": ["car"]},
                                      "polygon": {"objects_to_annotate": ["road"]}}})
    context = browser.new_context(viewport={"width": 1600, "height": 900}, device_scale_factor=1)
    try:
        page = context.new_page()
        bench = Bench(page, setup)
        bench.start()
        bench.focus_canvas()
        page.keyboard.press("?")
        overlay = page.locator(".wb-help")
        overlay.wait_for(state="visible")
        titles = overlay.locator("h3").all_inner_texts()
        assert {"Task", "Labels"} <= {t.strip().title() for t in titles}, titles
        for section in overlay.locator(".wb-help-grid > section").all():
            box = section.bounding_box()
            assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 900, \
                (section.locator("h3").inner_text(), box)
        card = overlay.locator(".wb-help-card")
        assert card.evaluate("c => c.scrollHeight <= c.clientHeight + 1"), "the overlay scrolls"
    finally:
        context.close()


def test_a_1366_by_768_laptop_keeps_the_desktop_layout(make_task, browser):
    setup = make_task({"geometries": {"box": {"objects_to_annotate": ["car"]}}})
    context = browser.new_context(viewport={"width": 1366, "height": 768}, device_scale_factor=1)
    try:
        page = context.new_page()
        Bench(page, setup).start()
        toolbar = page.locator(".wb-toolbar").bounding_box()
        assert toolbar is not None and toolbar["height"] <= 45, "the toolbar is one row"
        assert page.locator(".wb-side").is_visible()
        side = page.locator(".wb-side").bounding_box()
        assert side is not None and abs(side["width"] - 320) < 2
        assert not page.locator(".wb-side-toggle").is_visible()
        assert not page.locator(".wb-actionbar").is_visible(), "no touch: no action bar"
        submit = page.locator(".wb-toolbar .wb-button.primary").bounding_box()
        assert submit is not None and submit["x"] + submit["width"] <= 1366
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    finally:
        context.close()

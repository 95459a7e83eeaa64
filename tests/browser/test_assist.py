"""The Assist tool in Chromium (docs/workbench.md, "Assist"): on a generated image with one dark
ellipse on a light textured background (its true outline known), a box prompt and a click
inside each give a polygon within IoU 0.9 of the outline, saved through the live session,
undone and redone on the server like any shape; a prompt on empty background says "No shape
found" and drawing goes on; a request still on its way never blocks drawing and its late
answer is ignored."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Error as PlaywrightError
from shapely import affinity
from shapely.geometry import Point, Polygon

from tests import polling
from tests.browser.helpers import Bench, page_wait_until

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 640, 400
CENTRE, RADII = (300.0, 210.0), (120.0, 75.0)
MAX_VERTICES = 60
PARAMS = {"geometries": {"polygon": {"objects_to_annotate": ["blob"],
                                     "max_vertices": MAX_VERTICES}}}


def ellipse_image() -> bytes:
    """A dark, slightly noisy ellipse on a light background with stripes and noise."""
    rng = np.random.default_rng(18)
    x = np.arange(WIDTH)[None, :, None]
    background = 205 + 10 * np.sin(x / 5.0) + rng.integers(-12, 13, (HEIGHT, WIDTH, 1))
    pixels = np.repeat(background, 3, axis=2)
    mask = Image.new("L", (WIDTH, HEIGHT), 0)
    (cx, cy), (rx, ry) = CENTRE, RADII
    ImageDraw.Draw(mask).ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=255)
    dark = np.array([45, 52, 66]) + rng.integers(-10, 11, (HEIGHT, WIDTH, 3))
    pixels = np.where(np.asarray(mask)[..., None] > 0, dark, pixels)
    buffer = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def true_outline() -> Polygon:
    (cx, cy), (rx, ry) = CENTRE, RADII
    return affinity.scale(Point(cx, cy).buffer(1.0, quad_segs=128), rx, ry)


def iou(vertices: list[dict], truth: Polygon) -> float:
    shape = Polygon([(v["x"], v["y"]) for v in vertices]).buffer(0)
    return shape.intersection(truth).area / shape.union(truth).area


def wait_until(check, what: str, seconds: float = 30.0):
    return polling.wait_until(check, seconds, interval=0.1, message=f"timed out waiting for {what}")


def assist_state(page) -> str:
    return page.evaluate("document.getElementById('workbench').dataset.assist || ''")


def wait_assist(page, state: str, seconds: float = 30.0) -> None:
    page_wait_until(page, lambda: assist_state(page) == state, seconds,
                    message=lambda: f"assist state {state!r}; it is {assist_state(page)!r}")


def save_state(page) -> str:
    return page.locator(".wb-save-state").inner_text().strip()


def server_annotations(page, setup) -> list[dict]:
    """The draft the server holds (GET /tasks/<id>/data with the page's session)."""
    response = page.request.get(f"{setup.root}/tasks/{setup.task_id}/data")
    assert response.ok, response.text()
    return response.json()["annotations"]


def wait_server(page, setup, count: int) -> list[dict]:
    page_wait_until(page, lambda: save_state(page) == "Saved"
                    and len(server_annotations(page, setup)) == count, 30,
                    message=lambda: f"{count} annotations saved; the server has "
                    f"{len(server_annotations(page, setup))}, the page says {save_state(page)!r}")
    return server_annotations(page, setup)


def accept(bench: Bench) -> None:
    bench.page.keyboard.press("Enter")
    bench.pick_label("blob")


def test_box_and_click_assists_outline_the_object_and_are_undone_like_any_shape(make_task, page):
    setup = make_task(PARAMS, width=WIDTH, height=HEIGHT, image=ellipse_image())
    bench = Bench(page, setup)
    bench.start()
    truth = true_outline()
    # the tool: a button of the tool group, its key W, its rows in `?`
    button = page.locator(".wb-toolbar button[data-tool=assist]")
    assert button.get_attribute("title") == "Assist (W)"
    bench.tool("?")
    help_text = page.locator(".wb-help").inner_text()
    assert "Assist" in help_text and "Shift+W" in help_text and "right-click" in help_text
    page.keyboard.press("Escape")
    bench.tool("w")
    assert page.evaluate("document.getElementById('workbench').dataset.tool") == "assist"

    # box -> polygon
    (cx, cy), (rx, ry) = CENTRE, RADII
    bench.drag((cx - rx - 15, cy - ry - 15), (cx + rx + 15, cy + ry + 15))
    wait_assist(page, "ready")
    accept(bench)
    [boxed] = wait_server(page, setup, 1)
    assert boxed["type"] == "polygon" and boxed["label"] == "blob"
    assert 3 <= len(boxed["vertices"]) <= MAX_VERTICES
    assert iou(boxed["vertices"], truth) >= 0.9, iou(boxed["vertices"], truth)

    # undone and redone on the server, like any shape
    bench.focus_canvas()
    page.keyboard.press("Control+z")
    wait_server(page, setup, 0)
    page.keyboard.press("Control+Shift+z")
    [again] = wait_server(page, setup, 1)
    assert again["vertices"] == boxed["vertices"]

    # click region: a click inside
    page.keyboard.press("Escape")  # clears the selection
    page.keyboard.press("2")
    bench.click(cx + 10, cy - 5)
    wait_assist(page, "ready")
    accept(bench)
    saved = wait_server(page, setup, 2)
    [clicked] = [a for a in saved if a["uuid"] != boxed["uuid"]]
    assert len(clicked["vertices"]) <= MAX_VERTICES
    assert iou(clicked["vertices"], truth) >= 0.9, iou(clicked["vertices"], truth)
    page.keyboard.press("Control+z")
    wait_server(page, setup, 1)


def test_a_failed_or_slow_assist_shows_its_state_and_never_blocks_drawing(make_task, page):
    setup = make_task(PARAMS, width=WIDTH, height=HEIGHT, image=ellipse_image())
    bench = Bench(page, setup)
    bench.start()
    bench.tool("w")

    # empty background: 422, "No shape found" next to the cursor and in the status bar
    bench.drag((470, 20), (620, 110))
    wait_assist(page, "empty")
    assert "No shape found" in bench.status()
    page.keyboard.press("Enter")  # nothing to accept: nothing is added
    assert bench.annotations() == []

    # drawing goes on: a polygon by hand
    bench.tool("p")
    for x, y in ((40, 40), (120, 40), (80, 100)):
        bench.click(x, y)
    page.keyboard.press("Enter")
    bench.pick_label("blob")
    wait_server(page, setup, 1)

    # a request held on its way: the tasker switches tool and draws meanwhile; the late
    # answer is ignored (no preview, nothing added)
    held = []
    page.route("**/assist", lambda route: held.append(route))
    bench.tool("w")
    (cx, cy), (rx, ry) = CENTRE, RADII
    bench.drag((cx - rx - 15, cy - ry - 15), (cx + rx + 15, cy + ry + 15))
    page_wait_until(page, lambda: bool(held), 15, message="the assist request was sent")
    wait_assist(page, "pending")
    assert "Assisting" in bench.status()
    bench.tool("p")
    for x, y in ((500, 300), (600, 300), (560, 380)):
        bench.click(x, y)
    page.keyboard.press("Enter")
    bench.pick_label("blob")
    wait_server(page, setup, 2)
    with contextlib.suppress(PlaywrightError):  # the page may have aborted it already
        held[0].continue_()
    page.wait_for_timeout(1500)  # the answer arrives and must change nothing
    page.unroute("**/assist")
    assert assist_state(page) == "idle"
    assert len(bench.annotations()) == 2
    assert page.evaluate("document.getElementById('workbench').dataset.tool") == "polygon"

"""The segmentation page in Chromium (docs/workbench.md, "Segmentation tasks"): fill and brush
with two labels on a generated image, erase a part, undo / redo, reload (nothing lost, also
from a snapshot as the base), a submit refused while pixels are unlabeled, then the submit;
the indexed PNG the API serves equals the expected array pixel for pixel. A label's own
opacity at 0 % leaves its pixels undrawn (a screenshot shows the image) while others are drawn.

The expected array is made here with numpy by the rules of static/js/lib/maskops.js: the fill
takes a region of one flat colour bounded by clearly different colours, and the brush paints
on a flat area, so both are exact; the stroke's points are those the page sent (decoded with
the server's decoder) and are checked to follow the mouse's path."""

from __future__ import annotations

import base64
import io
import time
import uuid
from typing import Any

import numpy as np
import pytest
from PIL import Image

from tasks.rules.segmentation_ops import decode_points
from tests.browser.helpers import PASSWORD, Bench, TaskSetup
from tests.http_sessions import fresh_connections

pytestmark = pytest.mark.browser

W, H = 320, 200
GREY, BLUE, GREEN = (128, 128, 128), (30, 60, 200), (40, 180, 60)
LABELS = ["road", "sky", "grass"]  # indices 1, 2, 3
ROAD, SKY, GRASS = 1, 2, 3


def scene() -> np.ndarray:
    """Left half grey, top right blue, bottom right green (RGB, H x W x 3)."""
    rgb = np.zeros((H, W, 3), dtype=np.uint8)
    rgb[:, : W // 2] = GREY
    rgb[: H // 2, W // 2:] = BLUE
    rgb[H // 2:, W // 2:] = GREEN
    return rgb


def png_of(rgb: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(rgb, "RGB").save(out, "PNG")
    return out.getvalue()


def make_segmentation_task(server, *, allow_unlabeled: bool = False,
                           labels: list | None = None, rgb: np.ndarray | None = None,
                           extra: dict | None = None) -> TaskSetup:
    tag = uuid.uuid4().hex[:10]
    api = fresh_connections()
    api.auth = (server.new_key(f"owner-{tag}"), "")
    project = f"seg-{tag}"
    res = api.post(f"{server.base_url}/projects",
                   json={"type": "segmentannotation", "name": project}, timeout=30)
    assert res.status_code == 200, res.text
    image = png_of(scene() if rgb is None else rgb)
    upload = api.post(f"{server.base_url}/files/upload",
                      files={"file": ("scene.png", image, "image/png")}, timeout=30)
    assert upload.status_code == 200, upload.text
    body = {"project": project, "attachment": upload.json()["attachment_url"],
            "attachment_type": "image", "instruction": "Label every pixel.",
            "labels": labels or LABELS,
            "allow_unlabeled": allow_unlabeled, **(extra or {})}
    created = api.post(f"{server.base_url}/task/segmentannotation", json=body, timeout=120)
    assert created.status_code == 200, created.text
    tasker = f"tasker-{tag}"
    server.manage("create_tasker", tasker, "--password", PASSWORD, "--project", project)
    return TaskSetup(server, api, project, tasker, created.json()["task_id"], W, H, {})


# ------------------------------------------------------------------------ the rules in numpy


def stroke(mask: np.ndarray, points: list[tuple[int, int]], radius: float, value: int) -> None:
    """Pixel centres within `radius` of the polyline (discs and capsules)."""
    cy, cx = np.mgrid[0:H, 0:W] + 0.5
    covered = np.zeros((H, W), dtype=bool)
    for k, (bx, by) in enumerate(points):
        ax, ay = points[k - 1] if k else (bx, by)
        dx, dy = bx - ax, by - ay
        length2 = dx * dx + dy * dy
        t = np.clip(((cx - ax) * dx + (cy - ay) * dy) / length2, 0, 1) if length2 else 0
        ex, ey = cx - (ax + t * dx), cy - (ay + t * dy)
        covered |= ex * ex + ey * ey <= radius * radius
    mask[covered] = value


def fill(mask: np.ndarray, region: np.ndarray, value: int, protect: bool) -> None:
    mask[region & ((mask == 0) if protect else True)] = value


# ------------------------------------------------------------------------ the page


def wait_for(page, script: str, timeout: float = 20.0, message: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(script)
        if value:
            return value
        assert time.monotonic() < deadline, message or f"timed out waiting for {script}"
        page.wait_for_timeout(50)


def mask_state(page) -> dict:
    state = wait_for(page, "() => window.__workbench.mask()", message="the mask never loaded")
    data = np.frombuffer(base64.b64decode(state["data"]), dtype=np.uint8)
    state["array"] = data.reshape(state["height"], state["width"])
    return state


def wait_saved(page) -> None:
    wait_for(page, "() => { const l = window.__workbench.live(); return l && l.status === 'saved'"
                   " && l.unsent === 0; }", message="the strokes were never saved")


def open_task(bench: Bench) -> None:
    bench.wait_ready()
    wait_for(bench.page, "() => document.getElementById('workbench').dataset.mask === 'ready'",
             message="the mask layer never became ready")
    bench.focus_canvas()


def paint_line(bench: Bench, start: tuple[int, int], end: tuple[int, int]) -> None:
    bench.move(*start)
    bench.page.mouse.down()
    bench.move(*end, steps=12)
    bench.page.mouse.up()


def last_points(page) -> tuple[list[tuple[int, int]], dict]:
    op = mask_state(page)["undoable"][-1]
    return decode_points(op["points"]), op


def near_path(points: list[tuple[int, int]], start: tuple[int, int], end: tuple[int, int]) -> bool:
    """Every point within 1.5 px of the segment the mouse followed; both ends reached."""
    a, b = np.array(start, float), np.array(end, float)
    for p in np.array(points, float):
        t = np.clip(np.dot(p - a, b - a) / np.dot(b - a, b - a), 0, 1)
        if np.linalg.norm(p - (a + t * (b - a))) > 1.5:
            return False
    return bool(np.linalg.norm(np.array(points[0]) - a) <= 1.5
                and np.linalg.norm(np.array(points[-1]) - b) <= 1.5)


def test_paint_erase_undo_reload_and_submit_the_mask(make_task, page):
    setup = make_segmentation_task(make_task.server)
    bench = Bench(page, setup)
    bench.start()
    open_task(bench)
    expected = np.zeros((H, W), dtype=np.uint8)
    colours = scene()
    region_of = {c: np.all(colours == c, axis=-1) for c in (GREY, BLUE, GREEN)}

    # sky: a fill of the blue quadrant
    page.keyboard.press("2")
    page.keyboard.press("g")
    bench.click(250, 50)
    wait_for(page, "() => window.__workbench.mask().undoable.length === 1")
    fill(expected, region_of[BLUE], SKY, protect=False)
    assert np.array_equal(mask_state(page)["array"], expected)

    # road: a brush stroke on the grey half
    page.keyboard.press("1")
    page.keyboard.press("b")
    radius = mask_state(page)["radius"]
    paint_line(bench, (40, 60), (120, 60))
    points, op = last_points(page)
    assert op["op"] == "seg.stroke" and op["index"] == ROAD and op["tool"] == "brush"
    assert near_path(points, (40, 60), (120, 60)), points
    assert len(base64.b64decode(op["points"] + "==", altchars=b"-_")) < 2048
    stroke(expected, points, radius, ROAD)
    assert np.array_equal(mask_state(page)["array"], expected)

    # erase a part of it
    page.keyboard.press("e")
    paint_line(bench, (80, 40), (80, 80))
    erased, op = last_points(page)
    assert op["tool"] == "eraser" and op["index"] == 0
    painted = expected.copy()
    stroke(expected, erased, radius, 0)
    assert np.count_nonzero(expected != painted) > 100
    assert np.array_equal(mask_state(page)["array"], expected)

    # undo brings the erased part back, redo erases it again (ops: seg.drop, the stroke again)
    page.keyboard.press("Control+z")
    wait_for(page, f"() => window.__workbench.mask().unlabeled === {int(np.sum(painted == 0))}")
    assert np.array_equal(mask_state(page)["array"], painted)
    page.keyboard.press("Control+y")
    wait_for(page, f"() => window.__workbench.mask().unlabeled === {int(np.sum(expected == 0))}")
    assert np.array_equal(mask_state(page)["array"], expected)

    # reload: the draft's base and ops give the same mask
    wait_saved(page)
    page.reload()
    open_task(bench)
    assert np.array_equal(mask_state(page)["array"], expected), "the reload lost a stroke"

    # unlabeled pixels remain: the server refuses the submit and says how many
    page.keyboard.press("Control+Enter")
    error = wait_for(page, "() => document.getElementById('workbench').dataset.submitError",
                     message="the submit was not refused")
    assert "unlabeled" in str(error).lower(), error
    assert page.locator(".wb-banner").first.is_visible()
    assert "highlight" in page.locator(".wb-panel-segmentation").inner_text().lower()

    # the refused submit left a snapshot: a reload starts from it as the base
    wait_saved(page)
    page.reload()
    open_task(bench)
    assert np.array_equal(mask_state(page)["array"], expected), "the snapshot lost pixels"

    # grass: "paint only unlabeled pixels", fill the grey half and the green quadrant
    page.keyboard.press("n")
    page.keyboard.press("3")
    page.keyboard.press("g")
    bench.click(20, 180)
    bench.click(250, 150)
    wait_for(page, "() => window.__workbench.mask().unlabeled === 0")
    fill(expected, region_of[GREY], GRASS, protect=True)
    fill(expected, region_of[GREEN], GRASS, protect=True)
    assert np.array_equal(mask_state(page)["array"], expected)
    assert set(np.unique(expected)) == {ROAD, SKY, GRASS}

    page.keyboard.press("Control+Enter")
    page.wait_for_url(lambda url: "/work/" not in url or setup.task_id not in url, timeout=30000)

    task = setup.task()
    assert task["status"] == "completed", task["status"]
    url = task["response"]["annotations"]["combined"]["indexedImage"]
    res = setup.api.get(url, timeout=30)
    assert res.status_code == 200, res.text
    got = np.asarray(Image.open(io.BytesIO(res.content)))
    assert got.shape == (H, W)
    assert np.array_equal(got, expected), f"{np.count_nonzero(got != expected)} pixels differ"


def test_an_instance_label_paints_new_instances_and_unlabeled_pixels_may_stay(make_task, page):
    setup = make_segmentation_task(make_task.server, allow_unlabeled=True,
                                   labels=["road", {"choice": "car", "instance_label": True}])
    bench = Bench(page, setup)
    bench.start()
    open_task(bench)
    expected = np.zeros((H, W), dtype=np.uint8)
    page.keyboard.press("2")  # car: an instance label makes its first instance, index 3
    assert mask_state(page)["activeIndex"] == 3
    page.keyboard.press("b")
    radius = mask_state(page)["radius"]
    paint_line(bench, (40, 60), (120, 60))
    first, _ = last_points(page)
    stroke(expected, first, radius, 3)
    panel = page.locator(".wb-panel-segmentation")
    panel.get_by_role("button", name="+").click()  # a second car
    assert mask_state(page)["activeIndex"] == 4
    paint_line(bench, (40, 150), (120, 150))
    second, op = last_points(page)
    assert op["index"] == 4
    stroke(expected, second, radius, 4)
    assert panel.locator(".wb-seg-instance").count() == 2
    assert np.array_equal(mask_state(page)["array"], expected)

    wait_saved(page)
    page.keyboard.press("Control+Enter")
    page.wait_for_url(lambda url: setup.task_id not in url, timeout=30000)
    task = setup.task()
    assert task["status"] == "completed", task["status"]
    cars = task["response"]["labelMapping"]["car"]
    assert sorted(item["index"] for item in cars) == [3, 4]
    res = setup.api.get(task["response"]["annotations"]["combined"]["indexedImage"], timeout=30)
    assert res.status_code == 200, res.text
    got = np.asarray(Image.open(io.BytesIO(res.content)))
    assert np.array_equal(got, expected), f"{np.count_nonzero(got != expected)} pixels differ"


def test_an_instances_required_attribute_is_set_in_the_labels_panel(make_task, page):
    occluded = {"type": "category", "choices": ["yes", "no"], "required": True,
                "description": "Is the car occluded?",
                "conditions": {"label_condition": {"label": "car"}}}
    setup = make_segmentation_task(make_task.server, allow_unlabeled=True,
                                   labels=["road", {"choice": "car", "instance_label": True}],
                                   extra={"annotation_attributes": {"occluded": occluded}})
    bench = Bench(page, setup)
    bench.start()
    open_task(bench)
    assert page.locator(".wb-panel-attributes").count() == 0, "no annotation attributes panel"
    page.keyboard.press("2")  # car: its first instance, index 3
    page.keyboard.press("b")
    paint_line(bench, (40, 60), (120, 60))
    box = page.locator(".wb-seg-instance-attributes")
    assert "Attributes of car #3" in box.inner_text()
    assert "required" in box.inner_text().lower()

    # the submit is refused on the page, naming the instance and the attribute
    page.keyboard.press("Control+Enter")
    error = wait_for(page, "() => document.getElementById('workbench').dataset.submitError")
    assert "car #3" in error and "occluded" in error, error
    assert setup.task()["status"] == "pending"

    box.get_by_role("button", name="no").click()
    wait_for(page, "() => !document.querySelector('.wb-seg-instance-attributes .wb-attr.problem')")
    wait_saved(page)
    page.reload()  # the seg.instance op is in the draft
    open_task(bench)
    page.keyboard.press("2")
    assert page.locator(".wb-seg-instance-attributes [aria-pressed='true']").inner_text() == "no"
    page.keyboard.press("Control+Enter")
    page.wait_for_url(lambda url: setup.task_id not in url, timeout=30000)
    task = setup.task()
    assert task["status"] == "completed", task["status"]
    assert [(c["index"], c.get("attributes")) for c in task["response"]["labelMapping"]["car"]] \
        == [(3, {"occluded": "no"})]


def screen_rgb(page, bench: Bench, points: list[tuple[int, int]]) -> list[np.ndarray]:
    """The page's colours at image points (a screenshot: what the tasker sees)."""
    shot = np.asarray(Image.open(io.BytesIO(page.screenshot())).convert("RGB")).astype(int)
    ratio = shot.shape[1] / page.viewport_size["width"]
    return [shot[round(y * ratio), round(x * ratio)]
            for x, y in (bench.at(*point) for point in points)]


def test_a_label_at_zero_opacity_is_not_drawn_while_others_are(make_task, page):
    setup = make_segmentation_task(make_task.server, allow_unlabeled=True)
    bench = Bench(page, setup)
    bench.start()
    open_task(bench)
    page.keyboard.press("g")
    for key, at in (("2", (250, 50)), ("3", (250, 150))):  # sky on blue, grass on green
        page.keyboard.press(key)
        bench.click(*at)
    wait_for(page, "() => window.__workbench.mask().undoable.length === 2")
    bench.move(5, 5)
    sky_at, grass_at = (290, 80), (290, 180)
    sky_before, grass_before = screen_rgb(page, bench, [sky_at, grass_at])
    assert np.abs(sky_before - BLUE).max() > 20, sky_before  # drawn over the image

    # the sky row's opacity button, reached from the keyboard: 100 → 60 → 30 → 0 %
    alpha = page.locator(".wb-seg-label[data-index='2'] .wb-seg-alpha")
    assert alpha.inner_text() == "100 %"
    alpha.focus()
    for shown in ("60 %", "30 %", "0 %"):
        page.keyboard.press("Enter")
        wait_for(page, f"() => document.querySelector(\".wb-seg-label[data-index='2'] "
                       f".wb-seg-alpha\").textContent === '{shown}'")
    sky_after, grass_after = wait_for_colours(page, bench, sky_at, grass_at)
    assert np.abs(sky_after - BLUE).max() <= 3, sky_after  # the image's own blue
    assert np.abs(grass_after - grass_before).max() <= 3, (grass_after, grass_before)
    assert np.abs(grass_after - GREEN).max() > 20, grass_after  # grass still drawn
    assert alpha.get_attribute("aria-label") == "Opacity of sky: 0 %"
    assert mask_state(page)["undoable"][-1]["index"] == GRASS  # a display setting, not an edit


def wait_for_colours(page, bench: Bench, sky_at: tuple[int, int], grass_at: tuple[int, int],
                     timeout: float = 20.0) -> list[np.ndarray]:
    """The colours once the sky's pixels show the image again (the canvas redraws on a frame)."""
    deadline = time.monotonic() + timeout
    while True:
        colours = screen_rgb(page, bench, [sky_at, grass_at])
        if np.abs(colours[0] - BLUE).max() <= 3 or time.monotonic() > deadline:
            return colours
        page.wait_for_timeout(100)


def toolbar_rows(page) -> int:
    """How many rows the toolbar's visible items take (tops below the first item's bottom)."""
    return page.evaluate("""() => {
        const items = [...document.querySelector('.wb-toolbar').children]
            .filter((item) => item.getClientRects().length > 0);
        const rows = [items[0].getBoundingClientRect().bottom];
        for (const item of items) {
            const box = item.getBoundingClientRect();
            if (box.top >= rows[rows.length - 1]) rows.push(box.bottom);
        }
        return rows.length;
    }""")


def test_the_seven_tools_keep_the_toolbar_on_one_row_at_1280_px(make_task, page):
    """At 1280 × 720 the tools' names would push Submit onto a second row: the toolbar shows
    their icons (each with its title) instead, and the names again once the window is wide."""
    setup = make_segmentation_task(make_task.server)
    page.set_viewport_size({"width": 1280, "height": 720})
    bench = Bench(page, setup)
    bench.start()
    open_task(bench)
    wait_for(page, "() => document.querySelector('.wb-toolbar')"
                   ".classList.contains('wb-toolbar-compact')",
             message="the toolbar kept the tools' names at 1280 px")
    assert toolbar_rows(page) == 1
    brush = page.locator(".wb-toolbar button[title^='Brush']")
    assert brush.is_visible() and not brush.locator(".wb-button-text").is_visible()
    page.set_viewport_size({"width": 1700, "height": 900})
    wait_for(page, "() => !document.querySelector('.wb-toolbar')"
                   ".classList.contains('wb-toolbar-compact')",
             message="the tools' names did not come back at 1700 px")
    assert toolbar_rows(page) == 1
    assert brush.locator(".wb-button-text").is_visible()

"""The segmentation page's figures (docs/workbench.md, "Segmentation tasks"): painting on a
4,000 × 3,000 image holds the frame-time target, and a stroke's autosave operation is small.

A `segmentannotation` task on the bench's 4,000 × 3,000 JPEG (no hypothesis: the mask starts
empty), claimed by its own tasker. The page is fitted, the brush (radius 24 px) drawn along a
wave of 200 mouse moves across the image while the requestAnimationFrame intervals are
recorded (bench/browser.py's recorder, its frame figure); then the same at 4× zoom, where each
move repaints more screen pixels of the mask. The operation's size is its JSON as the live
session sends it (the last undoable op of the page's test hook).
"""

from __future__ import annotations

import math
import time

import orjson
import requests

from bench.api import expect
from bench.server import BenchError
from bench.stats import Figure

PROJECT = "bench-seg"
TASKER = "tasker-bench-seg"
OP_LIMIT = 2048  # bytes
RADIUS = 24
MASK_READY = "() => document.getElementById('workbench')?.dataset.mask === 'ready'"
LAST_OP = "() => { const m = window.__workbench.mask(); return m && m.undoable.at(-1); }"


def setup(bench, password: str) -> str:
    """The task and its tasker; returns the task id."""
    key = bench.api.key
    root = bench.server.root
    status = requests.post(f"{root}/v1/projects", auth=(key, ""), timeout=60,
                           json={"type": "segmentannotation", "name": PROJECT})
    expect(status.status_code, status.content, "create the segmentation project")
    attachment = bench.upload(f"{PROJECT}.jpg", bench.image(4000, 3000))
    created = requests.post(f"{root}/v1/task/segmentannotation", auth=(key, ""), timeout=600,
                            json={"project": PROJECT, "attachment": attachment,
                                  "attachment_type": "image",
                                  "labels": ["road", "sidewalk", "building", "sky", "car"]})
    expect(created.status_code, created.content, "create the segmentation task")
    task_id = created.json()["task_id"]
    bench.server.python("bench.bulk", "fetch", "--task", task_id)
    bench.server.manage("create_tasker", TASKER, "--password", password,
                        "--project", PROJECT)
    return task_id


def wait(page, script: str, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not page.evaluate(script):
        if time.monotonic() > deadline:
            raise BenchError(f"the segmentation page: {what}")
        page.wait_for_timeout(20)


def paint(page, centre: tuple[float, float], span: float, moves: int) -> dict:
    """One brush stroke along a wave around `centre` (image px), frames recorded."""
    from bench.browser import RECORD_START, RECORD_STOP, SETTLE

    def at(x: float, y: float) -> dict:
        return page.evaluate("(p) => window.__workbench.toPage(p)", {"x": x, "y": y})

    cx, cy = centre
    start = at(cx - span / 2, cy)
    page.mouse.move(start["x"], start["y"])
    page.evaluate(RECORD_START)
    page.mouse.down()
    for i in range(1, moves + 1):
        f = i / moves
        p = at(cx - span / 2 + span * f, cy + span / 6 * math.sin(f * 4 * math.pi))
        page.mouse.move(p["x"], p["y"])
        page.wait_for_timeout(8)
    page.mouse.up()
    page.evaluate(SETTLE)
    return page.evaluate(RECORD_STOP)


def figures(bench, browser) -> list[Figure]:
    """The figures, with `bench` a bench.browser.BrowserBench and its Chromium."""
    from bench.browser import PASSWORD

    task_id = setup(bench, PASSWORD)
    context = bench.context(browser)
    page = bench.login(context, TASKER)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    if bench.claim(page, PROJECT) != task_id:
        raise BenchError("the tasker was given another task than the segmentation one")
    bench.open(page, task_id)
    bench.wait_live(page)
    wait(page, MASK_READY, "the mask never loaded")
    page.focus("canvas.wb-canvas")
    page.keyboard.press("b")
    page.evaluate(f"() => window.__workbench.app.segment.setRadius({RADIUS})")
    moves = max(int(200 * bench.scale), 100)
    fitted = paint(page, (2000, 1500), 3000, moves)
    op = page.evaluate(LAST_OP)
    if not op or op.get("op") != "seg.stroke":
        raise BenchError(f"the stroke made no seg.stroke op: {op}")
    size = len(orjson.dumps(op))
    page.evaluate("() => { const a = window.__workbench.app; a.fit(); a.view.zoomCentre(4);"
                  " a.viewChanged(); }")
    zoomed = paint(page, (2000, 1500), 700, moves)
    layer = page.evaluate("() => window.__workbench.app.segment.layer.stats")
    context.close()
    if errors:
        raise BenchError("the segmentation page logged errors: " + "; ".join(errors[:3]))
    paint_fitted = bench.frame_figure(
        "paint_4k", "segmentation, 4,000 × 3,000: a brush stroke (radius 24 px), fitted",
        (fitted,))
    paint_zoomed = bench.frame_figure(
        "paint_4k_zoomed", "segmentation, 4,000 × 3,000: a brush stroke, zoomed in 4×",
        (zoomed,))
    paint_zoomed.note += (f"; mask layer: {layer['updates']} updates, last "
                          f"{layer['lastUpdateMs']:.2f} ms")
    points = len(op["points"])
    op_figure = Figure("stroke_op_bytes", "segmentation: one brush stroke's autosave operation "
                       f"({moves} mouse moves across 3,000 px)", "< 2 KB", unit="B",
                       value=size, ok=size < OP_LIMIT,
                       note=f"JSON as sent; `points` {points} characters")
    return [paint_fitted, paint_zoomed, op_figure]

"""A video task's base tracks and per-frame layers in the browser: a locked base track cannot be
moved on a frame, a base track of a task with can_edit_base_annotations false gets no keyframe
from a drag (the status bar says why), and each frame draws its own read-only layer (H hides
it), never selectable."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.browser.helpers import page_wait_until
from tests.browser.test_video import FRAMES, current_frame, make_video_task, wait_frame_loaded

pytestmark = pytest.mark.browser

BACKGROUND = (110, 120, 130)  # the grey of tests/browser/test_video.py frame_png


def still_track(uuid: str, left: float, **extra: object) -> dict:
    box = {"left": left, "top": 20, "width": 40, "height": 40}
    return {"uuid": uuid, "type": "box", "label": "car", **extra,
            "keyframes": [{"frame": 0, **box}, {"frame": FRAMES - 1, **box}]}


def frame_layer(frame: int) -> dict:
    """Frame 0 and 1: a box at x 100; frame 5 on: a box at x 220 (under the red square's row)."""
    left = 100 if frame < 5 else 220
    return {"boxes": [{"left": left, "top": 150, "width": 60, "height": 30, "label": "lane"}]}


def layer_pixels(bench, x0: float, x1: float, y: float) -> int:
    """How many screen pixels along the image segment (x0..x1, y ± 2) are not the frame's
    grey: the layer's dashed outline where it is drawn."""
    shot = Image.open(io.BytesIO(bench.page.screenshot())).convert("RGB")
    (left, top), (right, _) = bench.at(x0, y), bench.at(x1, y)
    count = 0
    for px in range(left, right):
        for py in range(top - 2, top + 3):
            colour = shot.getpixel((px, py))
            if sum(abs(a - b) for a, b in zip(colour, BACKGROUND, strict=True)) > 60:
                count += 1
    return count


def test_locked_and_uneditable_base_tracks_and_the_layer_of_each_frame(make_task, bench_for):
    setup = make_video_task(make_task.server, {
        "geometries": {"box": {"objects_to_annotate": ["car"]}},
        "base_annotations": {"annotations": [still_track("locked-1", 20, locked=True),
                                             still_track("open-1", 200)]},
        "can_edit_base_annotations": False,
        "layers": [frame_layer(n) for n in range(FRAMES)],
    })
    bench = bench_for(setup)
    bench.start()
    page = bench.page
    app = "window.__workbench.app"
    wait_frame_loaded(page, 0)
    before = {a["uuid"]: a["keyframes"] for a in bench.annotations()}
    assert sorted(before) == ["locked-1", "open-1"]

    # Frame 10 (interpolated for both): dragging either is refused, saying why.
    bench.focus_canvas()
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    assert current_frame(page) == 10
    bench.tool("v")
    bench.drag((40, 40), (80, 70))
    assert bench.status() == "This base annotation is locked"
    bench.drag((220, 40), (250, 70))
    assert bench.status() == "Base annotations cannot be edited in this task"
    # nor with the arrow keys (a nudge)
    bench.focus_canvas()
    page.keyboard.press("Shift+ArrowDown")
    assert bench.status() == "Base annotations cannot be edited in this task"
    after = {a["uuid"]: a["keyframes"] for a in bench.annotations()}
    assert after == before
    assert page.locator(".wb-tl-key").count() == 2  # the selected track's two keyframes
    assert page.evaluate(f"{app}.store.get('open-1').top") == 20

    # Layers: frame 0 draws its own box, frame 5 the other one.
    page.keyboard.press("Escape")
    page.keyboard.press("Home")
    wait_frame_loaded(page, 0)
    page_wait_until(page, lambda: layer_pixels(bench, 105, 155, 150) > 10)
    assert page.evaluate(f"{app}.layers.map((a) => [a.type, a.left])") == [["box", 100]]
    assert layer_pixels(bench, 225, 275, 150) == 0
    # never selectable: a click on its outline selects nothing
    bench.click(130, 150)
    assert bench.selection() == []
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    wait_frame_loaded(page, 5)
    page_wait_until(page, lambda: layer_pixels(bench, 225, 275, 150) > 10)
    assert page.evaluate(f"{app}.layers.map((a) => [a.type, a.left])") == [["box", 220]]
    assert layer_pixels(bench, 105, 155, 150) == 0

    # H hides the layers (and shows them again), on every frame.
    bench.focus_canvas()
    page.keyboard.press("h")
    assert bench.status() == "Layers hidden (H shows them)"
    page_wait_until(page, lambda: layer_pixels(bench, 225, 275, 150) == 0)
    page.keyboard.press("h")
    assert page.locator(".wb-toolbar [aria-label='Hide / show layers (H)']").get_attribute(
        "aria-pressed") == "true"
    page_wait_until(page, lambda: layer_pixels(bench, 225, 275, 150) > 10)

"""Tablets (docs/workbench.md, "Tablets and touch"): on a touch-emulated 820 × 1180 Chromium
the whole toolbar (Submit too) is on screen, the side column folds away behind a toggle, one
finger draws a box, two fingers pinch-zoom and pan, one finger pans off the annotations, and
the floating action bar deletes without a keyboard; then Submit."""

from __future__ import annotations

import pytest

from tests.browser.helpers import Bench, near

pytestmark = pytest.mark.browser

TABLET = {"width": 820, "height": 1180}


@pytest.fixture
def tablet(browser):
    context = browser.new_context(viewport=TABLET, device_scale_factor=1, has_touch=True,
                                  is_mobile=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.on("console", lambda msg: errors.append(f"console {msg.type}: {msg.text}")
            if msg.type == "error" else None)
    yield page
    context.close()
    assert not errors, "the page logged errors:\n" + "\n".join(errors)


class Fingers:
    """Multi-touch through the DevTools protocol (Playwright's touchscreen taps one finger)."""

    def __init__(self, page) -> None:
        self.page = page
        self.cdp = page.context.new_cdp_session(page)

    def _send(self, kind: str, points: list[tuple[float, float]]) -> None:
        self.cdp.send("Input.dispatchTouchEvent", {
            "type": kind,
            "touchPoints": [{"x": x, "y": y, "id": i, "radiusX": 4, "radiusY": 4, "force": 1}
                            for i, (x, y) in enumerate(points)],
        })

    def drag(self, starts: list[tuple[float, float]], ends: list[tuple[float, float]],
             steps: int = 10) -> None:
        """Put len(starts) fingers down, move each in a straight line to its end, lift them."""
        self._send("touchStart", starts)
        for step in range(1, steps + 1):
            t = step / steps
            self._send("touchMove", [(sx + (ex - sx) * t, sy + (ey - sy) * t)
                                     for (sx, sy), (ex, ey) in zip(starts, ends, strict=True)])
            self.page.wait_for_timeout(16)
        self._send("touchEnd", [])


def view(page) -> dict:
    return page.evaluate("window.__workbench.view()")


def inside_viewport(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return (box is not None and box["x"] >= 0 and box["y"] >= 0
            and box["x"] + box["width"] <= TABLET["width"]
            and box["y"] + box["height"] <= TABLET["height"])


def test_tablet_draw_pinch_pan_delete_and_submit(make_task, tablet):
    setup = make_task({"geometries": {"box": {"objects_to_annotate": ["car", "truck"]}}},
                      width=800, height=500)
    bench = Bench(tablet, setup)
    bench.start()
    page = tablet

    # the layout fits the tablet: no page wider than the screen, Submit and Skip on screen,
    # the side column folded behind its toggle, the action bar shown
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
    submit = page.locator(".wb-toolbar .wb-button.primary")
    assert submit.is_visible() and inside_viewport(page, ".wb-toolbar .wb-button.primary")
    assert inside_viewport(page, ".wb-skip button")
    assert not page.locator(".wb-side").is_visible()
    page.locator(".wb-side-toggle").tap()
    assert page.locator(".wb-side").is_visible()
    assert page.locator(".wb-panel-annotations").is_visible()
    page.locator(".wb-side-toggle").tap()
    assert not page.locator(".wb-side").is_visible()
    bar = page.locator(".wb-actionbar")
    assert bar.is_visible() and inside_viewport(page, ".wb-actionbar")
    assert page.locator(".wb-actionbar [data-action=delete]").is_disabled()

    fingers = Fingers(page)
    # one finger draws a box with the box tool
    page.locator(".wb-toolbar [data-tool=box]").tap()
    fingers.drag([bench.at(200, 150)], [bench.at(400, 300)])
    bench.pick_label("car")
    (box,) = bench.annotations()
    assert box["label"] == "car"
    for key, value in (("left", 200), ("top", 150), ("width", 200), ("height", 150)):
        assert near(box[key], value, 3.0), box

    # two fingers pinch-zoom about their midpoint: the image point there stays under it
    page.locator(".wb-toolbar [data-tool=select]").tap()
    before = view(page)
    centre = bench.at(600, 250)
    fingers.drag([(centre[0] - 60, centre[1]), (centre[0] + 60, centre[1])],
                 [(centre[0] - 120, centre[1]), (centre[0] + 120, centre[1])])
    after = view(page)
    assert near(after["scale"] / before["scale"], 2.0, 0.05), (before, after)
    anchor = page.evaluate("p => window.__workbench.fromPage(p)", {"x": centre[0], "y": centre[1]})
    assert near(anchor["x"], 600, 2.0) and near(anchor["y"], 250, 2.0), anchor
    assert len(bench.annotations()) == 1, "a pinch must not draw or move anything"

    # two fingers moving together pan without zooming
    start = bench.at(600, 250)
    fingers.drag([(start[0] - 50, start[1]), (start[0] + 50, start[1])],
                 [(start[0] - 50 - 80, start[1] + 40), (start[0] + 50 - 80, start[1] + 40)])
    panned = view(page)
    assert near(panned["scale"], after["scale"], 1e-6)
    moved = bench.at(600, 250)
    assert near(moved[0] - start[0], -80, 2) and near(moved[1] - start[1], 40, 2), (start, moved)

    # one finger off the annotations pans with the select tool
    start = bench.at(600, 250)
    fingers.drag([start], [(start[0] + 60, start[1] - 90)])
    moved = bench.at(600, 250)
    assert near(moved[0] - start[0], 60, 2) and near(moved[1] - start[1], -90, 2), (start, moved)
    assert near(view(page)["scale"], after["scale"], 1e-6)
    (still,) = bench.annotations()
    assert still["left"] == box["left"] and still["top"] == box["top"]

    # a tap selects the box; the action bar relabels, copies and pastes it
    page.touchscreen.tap(*bench.at(300, 225))
    assert bench.selection() == [box["uuid"]]
    bar_button = lambda action: page.locator(f".wb-actionbar [data-action={action}]")  # noqa: E731
    bar_button("enter").tap()
    bench.pick_label("truck")
    assert bench.annotations()[0]["label"] == "truck"
    assert bar_button("paste").is_disabled()
    bar_button("copy").tap()
    bar_button("paste").tap()
    pasted = bench.annotations()
    assert len(pasted) == 2 and pasted[1]["label"] == "truck"
    assert bench.selection() == [pasted[1]["uuid"]]
    # and deletes: the pasted copy (selected), then the box
    delete = bar_button("delete")
    assert delete.is_enabled()
    delete.tap()
    assert [a["uuid"] for a in bench.annotations()] == [box["uuid"]]
    assert delete.is_disabled()
    page.touchscreen.tap(*bench.at(300, 225))
    assert bench.selection() == [box["uuid"]]
    delete.tap()
    assert bench.annotations() == []
    assert delete.is_disabled()

    # a second finger drops the box the first one was drawing: nothing is added
    page.locator(".wb-toolbar [data-tool=box]").tap()
    centre = bench.at(500, 300)
    fingers.drag([(centre[0] - 40, centre[1] - 40), (centre[0] + 40, centre[1] + 40)],
                 [(centre[0] - 80, centre[1] - 80), (centre[0] + 80, centre[1] + 80)])
    assert not bench.picker().is_visible()
    assert bench.annotations() == []

    # Submit is on screen and works by touch
    assert inside_viewport(page, ".wb-toolbar .wb-button.primary")
    submit.tap()
    page.wait_for_url(f"{setup.root}/")  # no task left: back to the queue
    task = setup.task()
    assert task["status"] == "completed"
    assert task["response"]["annotations"] == []

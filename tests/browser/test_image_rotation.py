"""The image rotation tool: R turns the view, the global attribute image_rotation follows it
(and the view follows the attribute), and shapes drawn on the turned view are stored in image
coordinates."""

from __future__ import annotations

import pytest

from tests.browser.helpers import near

pytestmark = pytest.mark.browser

ROTATION = {"image_rotation": {"type": "category", "description": "How the image is turned",
                               "choices": ["0", "90", "180", "270"],
                               "conditions": {"is_global": True}}}


def view(page) -> dict:
    return page.evaluate("window.__workbench.view()")


def globals_(page) -> dict:
    return page.evaluate("window.__workbench.globals()")


def test_rotate_the_view_and_draw_in_image_coordinates(make_task, bench_for):
    setup = make_task({"geometries": {"box": {"objects_to_annotate": ["car"]}},
                       "annotation_attributes": ROTATION})
    bench = bench_for(setup)
    bench.start()
    page = bench.page
    assert view(page)["rotation"] == 0

    bench.focus_canvas()
    page.keyboard.press("r")
    assert view(page)["rotation"] == 1
    assert globals_(page) == {"image_rotation": "90"}
    assert "90°" in bench.status()

    # the image's x axis now runs down the screen: a drag in image coordinates moves the mouse
    # vertically on the page
    a, b = bench.at(100, 80), bench.at(220, 160)
    scale = bench.scale()
    assert near(b[0] - a[0], -80 * scale, 1.5) and near(b[1] - a[1], 120 * scale, 1.5)
    bench.tool("b")
    bench.drag((100, 80), (220, 160))
    bench.pick_label("car")
    (box,) = bench.annotations()
    for key, value in (("left", 100), ("top", 80), ("width", 120), ("height", 80)):
        assert near(box[key], value, 1.0), box

    # the toolbar button turns it on; Shift+R back
    page.locator(".wb-toolbar [data-command=rotateView]").click()
    assert view(page)["rotation"] == 2
    assert globals_(page) == {"image_rotation": "180"}
    bench.focus_canvas()
    page.keyboard.press("Shift+R")
    assert view(page)["rotation"] == 1

    # setting the attribute in the image panel turns the view; undo turns it back
    page.locator(".wb-panel-globals [data-attribute='image_rotation'] [data-choice='270']").click()
    assert view(page)["rotation"] == 3
    bench.focus_canvas()
    page.keyboard.press("Control+z")
    assert globals_(page) == {"image_rotation": "90"}
    assert view(page)["rotation"] == 1

    bench.submit()
    page.wait_for_url(f"{setup.root}/")
    response = setup.task()["response"]
    assert response["global_attributes"] == {"image_rotation": "90"}
    (stored,) = response["annotations"]
    assert (stored["left"], stored["top"], stored["width"], stored["height"]) == (
        box["left"], box["top"], box["width"], box["height"])

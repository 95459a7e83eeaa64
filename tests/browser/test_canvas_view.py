"""The view (fit, zoom keys, wheel, space+drag and middle-button pan, cursor readout), the
padding as a drawable margin, and dragging cuboid vertices and points."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import assert_points, near

pytestmark = pytest.mark.browser


def view(page) -> dict:
    return page.evaluate("window.__workbench.view()")


def test_zoom_pan_fit_and_cursor_position(make_task, bench_for):
    setup = make_task({"geometries": {"point": {"objects_to_annotate": []}}}, padding=40)
    bench = bench_for(setup)
    bench.start()
    page = bench.page
    fitted = view(page)
    # fitted: the padded image (720 × 480) fills the canvas with a 16 px margin
    assert near(min((fitted["width"] - 32) / 720, (fitted["height"] - 32) / 480),
                fitted["scale"], 1e-6)

    bench.move(320, 200)
    shown = re.fullmatch(r"x (-?[\d.]+) +y (-?[\d.]+) px",
                         page.locator(".wb-status-position").inner_text().strip())
    assert shown, page.locator(".wb-status-position").inner_text()
    assert near(float(shown[1]), 320) and near(float(shown[2]), 200)

    bench.focus_canvas()
    page.keyboard.press("+")
    assert near(view(page)["scale"], fitted["scale"] * 1.25, 1e-6)
    page.keyboard.press("-")
    page.keyboard.press("-")
    assert near(view(page)["scale"], fitted["scale"] * 0.8, 1e-6)
    assert "Zoom" in page.locator(".wb-status-zoom").inner_text()
    page.keyboard.press("f")
    assert near(view(page)["scale"], fitted["scale"], 1e-6)

    # space + drag pans by the drag, and draws nothing
    start = view(page)
    bench.move(300, 200)
    page.keyboard.down(" ")
    page.mouse.down()
    x, y = bench.at(300, 200)
    page.mouse.move(x + 120, y + 45, steps=5)
    page.mouse.up()
    page.keyboard.up(" ")
    moved = view(page)
    assert near(moved["x"] - start["x"], 120) and near(moved["y"] - start["y"], 45)
    assert bench.annotations() == []
    # the middle button pans too
    x, y = bench.at(300, 200)
    page.mouse.move(x, y)
    page.mouse.down(button="middle")
    page.mouse.move(x - 60, y - 30, steps=4)
    page.mouse.up(button="middle")
    again = view(page)
    assert near(again["x"] - moved["x"], -60) and near(again["y"] - moved["y"], -30)

    # the padding is a margin where shapes may be drawn: negative coordinates
    bench.tool("o")
    bench.click(-20, -10)
    (point,) = bench.annotations()
    assert near(point["x"], -20) and near(point["y"], -10)
    bench.submit()
    page.wait_for_url(f"{setup.root}/")
    (stored,) = setup.task()["response"]["annotations"]
    assert near(stored["x"], -20) and near(stored["y"], -10)


def test_drag_cuboid_vertices_and_points(make_task, bench_for):
    setup = make_task({"geometries": {"cuboid": {"objects_to_annotate": []},
                                      "point": {"objects_to_annotate": []}}})
    bench = bench_for(setup)
    bench.start()
    page = bench.page

    bench.tool("c")
    bench.drag((100, 100), (200, 180))
    bench.move(90, 80, steps=3)  # the depth goes to the left this time
    bench.click(90, 80)
    (cuboid,) = bench.annotations()
    corners = {v["description"]: (v["x"], v["y"]) for v in cuboid["vertices"]}
    assert near(corners["side-topcorner"][0], 90) and near(corners["side-topcorner"][1], 80)
    assert near(corners["side-bottomcorner"][0], 90)
    assert near(corners["side-bottomcorner"][1], 160)

    bench.tool("v")
    bench.drag((200, 180), (220, 200))  # the face's bottom-right corner resizes the face
    corners = {v["description"]: (v["x"], v["y"]) for v in bench.annotations()[0]["vertices"]}
    assert near(corners["face-bottomright"][0], 220) and near(corners["face-bottomright"][1], 200)
    assert near(corners["face-topleft"][0], 100) and near(corners["face-topleft"][1], 100)
    bench.drag((90, 80), (70, 70))  # a side corner moves the depth
    corners = {v["description"]: (v["x"], v["y"]) for v in bench.annotations()[0]["vertices"]}
    assert near(corners["side-topcorner"][0], 70) and near(corners["side-topcorner"][1], 70)
    assert near(corners["side-bottomcorner"][0], 70)

    bench.tool("o")
    bench.click(400, 300)
    bench.tool("v")
    bench.drag((400, 300), (430, 280))
    point = bench.annotations()[1]
    assert near(point["x"], 430) and near(point["y"], 280)

    bench.submit()
    page.wait_for_url(f"{setup.root}/")
    got = setup.task()["response"]["annotations"]
    stored = {v["description"]: (v["x"], v["y"]) for v in got[0]["vertices"]}
    assert_points([{"x": x, "y": y} for x, y in stored.values()],
                  list(corners.values()), 1e-6)
    assert near(got[1]["x"], 430) and near(got[1]["y"], 280)

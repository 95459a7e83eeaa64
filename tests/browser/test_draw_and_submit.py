"""Draw every geometry with the mouse, label it by typing, submit, read it back via the API."""

from __future__ import annotations

import math

import pytest

from tests.browser.helpers import assert_points, near
from tests.browser.labels import all_geometries

pytestmark = pytest.mark.browser


def by_label(annotations: list[dict]) -> dict[str, dict]:
    return {a["label"]: a for a in annotations}


def rotated_corners(box: dict) -> list[tuple[float, float]]:
    """A rotated box's corners (top-left, top-right, bottom-right, bottom-left of the unrotated
    box, turned by `rotation` about its centre), to two decimals as docs/task-format.md
    "Coordinates" stores them."""
    cx, cy = box["left"] + box["width"] / 2, box["top"] + box["height"] / 2
    cos, sin = math.cos(box["rotation"]), math.sin(box["rotation"])
    half_w, half_h = box["width"] / 2, box["height"] / 2
    offsets = ((-half_w, -half_h), (half_w, -half_h), (half_w, half_h), (-half_w, half_h))
    return [(round(cx + dx * cos - dy * sin, 2), round(cy + dx * sin + dy * cos, 2))
            for dx, dy in offsets]


def test_draw_every_geometry_label_by_typing_submit_and_read_back(make_task, bench_for):
    setup = make_task({"geometries": all_geometries()})
    bench = bench_for(setup)
    bench.start()
    assert bench.scale() >= 1, "the tests need at least one screen pixel per image pixel"
    page = bench.page

    # The toolbar offers the six geometries, select, the Assist tool (boxes and polygons) and
    # the ruler, each titled with its key.
    titles = page.locator(".wb-toolbar [data-tool]").evaluate_all(
        "els => els.map(e => e.title)")
    assert titles == ["Select / edit (V)", "Box (B)", "Polygon (P)", "Line (L)", "Point (O)",
                      "Ellipse (E)", "Cuboid (C)", "Assist (W)", "Ruler (M)"]

    bench.tool("b")
    bench.drag((100, 80), (220, 160))
    bench.pick_label("car")

    bench.tool("p")
    for x, y in [(300, 60), (420, 70), (400, 160), (310, 150)]:
        bench.click(x, y)
    page.keyboard.press("Enter")
    bench.pick_label("side")  # display "Sidewalk", choice "sidewalk"

    bench.tool("l")
    bench.click(50, 300)
    bench.click(150, 320)
    page.mouse.dblclick(*bench.at(260, 310))
    bench.pick_label("centre")

    bench.tool("o")
    bench.click(500, 300)
    bench.pick_label("head")

    bench.tool("e")
    bench.drag((450, 200), (550, 260))
    picker = bench.picker()
    picker.locator("input").type("adu")
    # the match shows where it sits in the tree; groups are never offered
    options = picker.locator(".wb-picker-option")
    assert options.locator(".wb-picker-name").all_inner_texts() == ["Adult"]
    assert options.locator(".wb-picker-path").all_inner_texts() == ["Pedestrian › Adult"]
    picker.locator("input").press("Enter")
    picker.wait_for(state="hidden")

    bench.tool("c")
    bench.drag((100, 220), (200, 300))
    bench.move(240, 200, steps=4)
    bench.click(240, 200)
    bench.pick_label("truck")

    drawn = bench.annotations()
    assert [a["type"] for a in drawn] == ["box", "polygon", "line", "point", "ellipse", "cuboid"]
    assert page.locator(".wb-panel-annotations .wb-panel-extra").inner_text() == "6"
    assert page.locator(".wb-row").nth(4).locator(".wb-row-label").inner_text() \
        == "Pedestrian › Adult"

    bench.submit()
    page.wait_for_url(f"{setup.root}/")  # no task left: back to the queue

    task = setup.task()
    assert task["status"] == "completed"
    got = task["response"]["annotations"]
    assert [a["uuid"] for a in got] == [a["uuid"] for a in drawn]
    ann = by_label(got)
    assert set(ann) == {"car", "sidewalk", "lane_center", "head", "ped_adult", "truck"}

    box = ann["car"]
    assert box["type"] == "box" and "rotation" not in box
    for key, value in {"left": 100, "top": 80, "width": 120, "height": 80}.items():
        assert near(box[key], value), (key, box)

    assert_points(ann["sidewalk"]["vertices"], [(300, 60), (420, 70), (400, 160), (310, 150)])
    assert_points(ann["lane_center"]["vertices"], [(50, 300), (150, 320), (260, 310)])
    point = ann["head"]
    assert near(point["x"], 500) and near(point["y"], 300)

    ellipse = ann["ped_adult"]
    assert ellipse["type"] == "ellipse"
    # the four axis ends: right, bottom, left, top of the dragged box
    assert_points(ellipse["vertices"], [(550, 230), (500, 260), (450, 230), (500, 200)])

    cuboid = ann["truck"]
    corners = {v["description"]: (v["x"], v["y"]) for v in cuboid["vertices"]}
    expected = {"face-topleft": (100, 220), "face-bottomleft": (100, 300),
                "face-topright": (200, 220), "face-bottomright": (200, 300),
                "side-topcorner": (240, 200), "side-bottomcorner": (240, 280)}
    assert set(corners) == set(expected)
    for name, (x, y) in expected.items():
        assert near(corners[name][0], x) and near(corners[name][1], y), (name, corners)
    assert [e["description"] for e in cuboid["edges"]] == [
        "face-top", "face-right", "face-bottom", "face-left", "side-bottom", "side-top"]


def test_rotated_box_and_ellipse_rotation_handles(make_task, bench_for):
    setup = make_task({"geometries": {
        "box": {"objects_to_annotate": ["car"], "can_rotate": True},
        "ellipse": {"objects_to_annotate": []},  # no labels: no picker
    }})
    bench = bench_for(setup)
    bench.start()
    page = bench.page

    bench.tool("b")
    bench.drag((200, 150), (300, 210))  # centre (250, 180), 100 × 60
    bench.pick_label("car")
    (box,) = bench.annotations()
    assert box["rotation"] == 0 and len(box["vertices"]) == 4

    # The rotation knob sits 26 screen px above the top edge's middle; drag it to the right
    # of the centre: a quarter turn clockwise.
    knob_y = 150 - 26 / bench.scale()
    bench.drag((250, knob_y), (400, 180))
    (box,) = bench.annotations()
    assert abs(box["rotation"] - 1.5708) < 0.02, box
    assert near(box["left"], 200) and near(box["top"], 150)
    assert near(box["width"], 100) and near(box["height"], 60)
    # rotated a quarter turn about (250, 180): the top-left corner goes to (280, 130)
    assert_points(box["vertices"][:1], [(280, 130)])

    bench.tool("e")
    bench.drag((400, 250), (500, 300))
    assert bench.picker().count() == 0, "no labels for ellipses: the picker is skipped"
    ellipse = bench.annotations()[1]
    assert "label" not in ellipse
    # rotate it with Shift (15° steps) to a quarter turn
    knob_y = 250 - 26 / bench.scale()
    bench.drag((450, knob_y), (600, 275), modifiers=("Shift",))
    ellipse = bench.annotations()[1]
    assert_points(ellipse["vertices"], [(450, 325), (425, 275), (450, 225), (475, 275)])

    bench.submit()
    page.wait_for_url(f"{setup.root}/")
    got = setup.task()["response"]["annotations"]
    # docs/task-format.md "Coordinates": the rotation is kept exact, the pixel keys are stored
    # to two decimals, and the vertices are the corners of the stored box, to two decimals.
    assert abs(got[0]["rotation"] - box["rotation"]) < 1e-6
    for key in ("left", "top", "width", "height"):
        assert near(got[0][key], round(box[key], 2), 1e-6), (key, got[0], box)
    assert_points(got[0]["vertices"], rotated_corners(got[0]), 1e-6)
    assert_points(got[0]["vertices"], [(v["x"], v["y"]) for v in box["vertices"]], 0.02)
    assert "label" not in got[1]
    assert_points(got[1]["vertices"], [(450, 325), (425, 275), (450, 225), (475, 275)])

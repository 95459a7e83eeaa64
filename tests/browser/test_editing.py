"""Editing with the mouse and the keys; undo and redo as one step per gesture."""

from __future__ import annotations

import pytest

from tests.browser.helpers import assert_points, near

pytestmark = pytest.mark.browser


def box_of(annotation: dict) -> tuple[float, float, float, float]:
    return annotation["left"], annotation["top"], annotation["width"], annotation["height"]


def assert_box(annotation: dict, expected: tuple[float, float, float, float]) -> None:
    for got, want in zip(box_of(annotation), expected, strict=True):
        assert near(got, want), (box_of(annotation), expected)


def test_move_resize_vertices_undo_redo_and_keys(make_task, bench_for):
    setup = make_task({"geometries": {
        "box": {"objects_to_annotate": ["car"]},
        "polygon": {"objects_to_annotate": ["road"], "min_vertices": 3},
    }})
    bench = bench_for(setup)
    bench.start()
    page = bench.page
    keys = page.keyboard

    bench.tool("b")
    bench.drag((100, 100), (200, 160))
    bench.pick_label("car")
    (box,) = bench.annotations()
    uuid = box["uuid"]
    assert bench.selection() == [uuid]
    assert_box(box, (100, 100, 100, 60))

    bench.tool("v")
    bench.drag((150, 130), (170, 150))  # move
    assert_box(bench.annotations()[0], (120, 120, 100, 60))
    bench.drag((220, 180), (260, 200))  # the south-east handle
    assert_box(bench.annotations()[0], (120, 120, 140, 80))

    # each drag is one undo step; undo past the drawing removes the box
    keys.press("Control+z")
    assert_box(bench.annotations()[0], (120, 120, 100, 60))
    keys.press("Control+z")
    assert_box(bench.annotations()[0], (100, 100, 100, 60))
    keys.press("Control+z")
    assert bench.annotations() == []
    assert page.locator(".wb-toolbar [title^='Undo']").is_disabled()
    keys.press("Control+Shift+z")
    keys.press("Control+y")
    keys.press("Control+Shift+Z")
    assert_box(bench.annotations()[0], (120, 120, 140, 80))
    assert page.locator(".wb-toolbar [title^='Redo']").is_disabled()

    # arrows nudge (Shift: 10 px); a run of nudges is one undo step
    bench.click(190, 160)
    assert bench.selection() == [uuid]
    for key in ("ArrowRight", "ArrowRight", "ArrowRight", "Shift+ArrowDown"):
        keys.press(key)
    assert_box(bench.annotations()[0], (123, 130, 140, 80))
    keys.press("Control+z")
    assert_box(bench.annotations()[0], (120, 120, 140, 80))

    # polygon: insert a vertex by clicking an edge, drag it, Alt+click deletes a vertex
    bench.tool("p")
    for x, y in [(300, 100), (400, 100), (400, 200), (300, 200)]:
        bench.click(x, y)
    keys.press("Enter")
    bench.pick_label("road")
    polygon = bench.annotations()[1]
    bench.tool("v")
    bench.move(350, 101)
    bench.click(350, 101)  # on the top edge: a new vertex there
    assert_points(bench.annotations()[1]["vertices"],
                  [(300, 100), (350, 100), (400, 100), (400, 200), (300, 200)])
    bench.drag((350, 100), (350, 70))
    assert_points(bench.annotations()[1]["vertices"],
                  [(300, 100), (350, 70), (400, 100), (400, 200), (300, 200)])
    bench.click(400, 200, modifiers=("Alt",))
    assert_points(bench.annotations()[1]["vertices"],
                  [(300, 100), (350, 70), (400, 100), (300, 200)])
    bench.click(300, 200, modifiers=("Alt",))
    assert len(bench.annotations()[1]["vertices"]) == 3
    bench.click(400, 100, modifiers=("Alt",))  # would leave two: refused, and it says why
    assert len(bench.annotations()[1]["vertices"]) == 3
    assert "at least 3 vertices" in bench.status()
    keys.press("Control+z")
    assert_points(bench.annotations()[1]["vertices"],
                  [(300, 100), (350, 70), (400, 100), (300, 200)])

    # Tab / Shift+Tab walk the annotations; copy, paste (offset 10 px), delete
    bench.focus_canvas()
    keys.press("Escape")
    assert bench.selection() == []
    keys.press("Tab")
    assert bench.selection() == [uuid]
    keys.press("Tab")
    assert bench.selection() == [polygon["uuid"]]
    keys.press("Shift+Tab")
    assert bench.selection() == [uuid]
    keys.press("Control+c")
    keys.press("Control+v")
    pasted = bench.annotations()[2]
    assert pasted["uuid"] not in (uuid, polygon["uuid"]) and pasted["label"] == "car"
    assert_box(pasted, (130, 130, 140, 80))
    assert bench.selection() == [pasted["uuid"]]
    keys.press("Delete")
    assert [a["uuid"] for a in bench.annotations()] == [uuid, polygon["uuid"]]

    # the list selects on click
    page.locator(".wb-row").nth(1).click()
    assert bench.selection() == [polygon["uuid"]]
    assert page.locator(".wb-row.selected .wb-row-label").inner_text() == "road"

    bench.submit()
    page.wait_for_url(f"{setup.root}/")
    got = setup.task()["response"]["annotations"]
    assert [a["uuid"] for a in got] == [uuid, polygon["uuid"]]
    assert_box(got[0], (120, 120, 140, 80))
    assert_points(got[1]["vertices"], [(300, 100), (350, 70), (400, 100), (300, 200)])

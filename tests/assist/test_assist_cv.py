"""The built-in assists (tasks/assist/cv.py) on generated images: each outline against the
true one (IoU with shapely), the vertex cap, and prompts that cannot be used."""

from __future__ import annotations

import pytest

from tasks.assist import cv
from tests.assist import scenes


@pytest.fixture(scope="module")
def ellipse():
    img, mask, centre, axes, angle = scenes.ellipse_scene(800, 600)
    return img, scenes.outline(mask), centre, axes, angle


@pytest.fixture(scope="module")
def star():
    points = scenes.star_points((420, 300), 200, 90)
    mask = scenes.star_mask(800, 600, points)
    img = scenes.paint(scenes.background(800, 600, seed=5), mask, colour=(40, 60, 220))
    return img, scenes.outline(mask), points


def bounds(truth, pad: float) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = truth.bounds
    return x0 - pad, y0 - pad, x1 + pad, y1 + pad


def test_box_to_polygon_outlines_the_ellipse(ellipse):
    img, truth, *_ = ellipse
    vertices = cv.box_to_polygon(img, bounds(truth, 12))
    assert scenes.iou(vertices, truth) >= 0.9
    assert all(isinstance(x, float) and isinstance(y, float) for x, y in vertices)


def test_box_to_polygon_outlines_the_star(star):
    img, truth, _ = star
    assert scenes.iou(cv.box_to_polygon(img, bounds(truth, 12)), truth) >= 0.9


def test_box_to_polygon_respects_max_vertices(ellipse):
    img, truth, *_ = ellipse
    vertices = cv.box_to_polygon(img, bounds(truth, 12), max_vertices=12)
    assert 3 <= len(vertices) <= 12
    assert scenes.iou(vertices, truth) >= 0.85


def test_a_positive_click_chooses_which_object_in_the_box():
    """Two red discs in one box: the larger is outlined, unless a click names the other."""
    import numpy as np
    from shapely.geometry import Point, Polygon

    mask = np.maximum(scenes.ellipse_mask(600, 400, (200, 200), (90, 90), 0),
                      scenes.ellipse_mask(600, 400, (420, 200), (60, 60), 0))
    img = scenes.paint(scenes.background(600, 400), mask)
    box = (90, 90, 500, 310)
    larger = Polygon(cv.box_to_polygon(img, box))
    chosen = Polygon(cv.box_to_polygon(img, box, positive=[(420, 200)]))
    assert larger.contains(Point(200, 200)) and not larger.contains(Point(420, 200))
    assert chosen.contains(Point(420, 200)) and not chosen.contains(Point(200, 200))
    assert scenes.iou(list(chosen.exterior.coords), Point(420, 200).buffer(60.5)) >= 0.9


def test_click_region_outlines_the_ellipse(ellipse):
    img, truth, centre, *_ = ellipse
    vertices = cv.click_region(img, centre)
    assert scenes.iou(vertices, truth) >= 0.9


def test_click_region_outlines_the_star(star):
    img, truth, _ = star
    assert scenes.iou(cv.click_region(img, (420, 300)), truth) >= 0.9


def test_click_region_grows_past_its_first_window():
    """A region wider than the first window (256 pixels) is found whole."""
    width, height = 1600, 1000
    centre, axes = (800, 500), (600, 300)
    mask = scenes.ellipse_mask(width, height, centre, axes, 0)
    img = scenes.paint(scenes.background(width, height), mask)
    truth = scenes.outline(mask)
    assert scenes.iou(cv.click_region(img, centre), truth) >= 0.9


def test_a_negative_click_splits_a_region_off(ellipse):
    img, truth, centre, axes, angle = ellipse
    whole = cv.click_region(img, centre)
    right = scenes.ellipse_outline_points(centre, axes, angle, 4, grow=(-30, -30))[0]
    split = cv.click_region(img, scenes.ellipse_outline_points(centre, axes, angle, 4,
                                                               grow=(-30, -30))[2],
                            negative=[right])
    from shapely.geometry import Point, Polygon

    assert Polygon(whole).contains(Point(right))
    assert not Polygon(split).contains(Point(right))
    assert Polygon(split).area < 0.9 * Polygon(whole).area


def test_scissors_around_the_ellipse(ellipse):
    img, truth, centre, axes, angle = ellipse
    clicks = scenes.ellipse_outline_points(centre, axes, angle, 6)
    assert scenes.iou(cv.scissors(img, clicks), truth) >= 0.9


def test_scissors_follow_the_star_between_its_tips(star):
    img, truth, points = star
    assert scenes.iou(cv.scissors(img, points), truth) >= 0.9


def test_snap_moves_a_sloppy_polygon_closer(ellipse):
    img, truth, centre, axes, angle = ellipse
    sloppy = scenes.ellipse_outline_points(centre, axes, angle, 24, grow=(7, -6))
    before = scenes.iou(sloppy, truth)
    after = scenes.iou(cv.snap_polygon(img, sloppy, radius=12), truth)
    assert after > before + 0.02, (before, after)


def test_snap_respects_max_vertices(ellipse):
    img, truth, centre, axes, angle = ellipse
    sloppy = scenes.ellipse_outline_points(centre, axes, angle, 40, grow=(5, 5))
    assert len(cv.snap_polygon(img, sloppy, max_vertices=20)) <= 20


@pytest.mark.parametrize("cap", [3, 4, 10, 50])
def test_simplify_respects_max_vertices(cap):
    circle = scenes.ellipse_outline_points((100, 100), (80, 60), 0, 400)
    out = cv.simplify(circle, cap)
    assert 3 <= len(out) <= cap
    assert cv.simplify(circle, None) == circle
    assert cv.simplify(circle[:5], 10) == circle[:5]


def test_a_uniform_image_has_nothing_to_outline():
    import numpy as np

    img = np.full((200, 200, 3), 128, np.uint8)
    with pytest.raises(cv.NothingFound):
        cv.box_to_polygon(img, (50, 50, 150, 150))


@pytest.mark.parametrize("call", [
    lambda img: cv.box_to_polygon(img, (10, 10, 12, 12)),
    lambda img: cv.box_to_polygon(img, (900, 900, 990, 990)),
    lambda img: cv.box_to_polygon(img, (1, 2, 3)),
    lambda img: cv.click_region(img, (-5, 10)),
    lambda img: cv.click_region(img, (float("nan"), 10)),
    lambda img: cv.click_region(img, (10, 10), tolerance=101),
    lambda img: cv.scissors(img, [(1, 1), (20, 20)]),
    lambda img: cv.snap_polygon(img, [(1, 1), (20, 20)]),
    lambda img: cv.simplify([(0, 0), (1, 0), (1, 1), (0, 1)], 2),
])
def test_unusable_prompts_are_bad_prompts(ellipse, call):
    with pytest.raises(cv.BadPrompt):
        call(ellipse[0])


def test_cv_needs_no_django():
    import ast
    from pathlib import Path

    tree = ast.parse(Path(cv.__file__).read_text())
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
             for alias in node.names}
    names |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(name.startswith(("django", "tasks")) for name in names), names

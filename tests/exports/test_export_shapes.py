"""The geometry behind the polygon formats, and the export's image file names."""

from __future__ import annotations

import math

import pytest

from tasks.exports import shapes
from tasks.exports.names import NameBook, safe_path
from tasks.rules.geometry import ellipse_extremes


def test_shoelace_and_bounds():
    square = [(0, 0), (4, 0), (4, 4), (0, 4)]
    assert shapes.shoelace(square) == 16 == shapes.shoelace(square[::-1])
    assert shapes.bounds(square) == (0, 0, 4, 4)


def test_convex_hull_drops_inner_points():
    pts = [(0, 0), (2, 1), (4, 0), (4, 4), (0, 4), (1, 3)]
    assert sorted(shapes.convex_hull(pts)) == [(0, 0), (0, 4), (4, 0), (4, 4)]
    assert shapes.convex_hull([(1, 1), (1, 1)]) == [(1, 1)]


def test_line_goes_there_and_back():
    vertices = [{"x": 0, "y": 0}, {"x": 5, "y": 5}]
    assert shapes.line_outline(vertices) == [(0, 0), (5, 5), (0, 0)]
    assert shapes.shoelace(shapes.line_outline(vertices + [{"x": 9, "y": 0}])) == 0


@pytest.mark.parametrize("rotation", [0.0, 0.7, -1.2])
def test_ellipse_outline_passes_through_its_extremes(rotation):
    extremes = ellipse_extremes(50, 40, 30, 10, rotation)
    outline = shapes.ellipse_outline(extremes)
    assert len(outline) == shapes.ELLIPSE_SAMPLES
    for k, vertex in zip((0, 8, 16, 24), extremes, strict=True):
        assert outline[k] == pytest.approx((vertex["x"], vertex["y"]))
    assert shapes.shoelace(outline) == pytest.approx(math.pi * 300, rel=0.01)


def test_rotated_box_outline():
    box = {"left": 0, "top": 0, "width": 4, "height": 2, "rotation": math.pi / 2}
    corners = shapes.box_outline(box)
    assert shapes.bounds(corners) == pytest.approx((1, -1, 3, 3))
    assert shapes.shoelace(corners) == pytest.approx(8)


def test_file_names_are_safe_and_unique():
    book = NameBook()
    assert safe_path("../../etc/passwd") == "etc/passwd"
    assert book.take("dir/a.png", "t1", ".png") == "dir/a.png"
    assert book.take("dir/A.PNG", "t2", ".png") == "dir/A_t2.PNG"
    assert book.take("", "t3", ".jpg") == "t3.jpg"
    assert book.take("download", "t4", ".png") == "download.png"
    assert book.take("..\\x.gif", "t5", ".png") == "x.gif"
    assert book.take("x.jpg", "t6", ".png") == "x_t6.jpg"


def test_broken_or_degenerate_geometry_has_no_outline():
    assert shapes.outline({"type": "polygon", "vertices": [{"x": 1}]}) is None
    assert shapes.outline({"type": "box", "left": "a"}) is None
    assert shapes.outline({"type": "point", "x": 1, "y": 2}) is None
    assert shapes.outline({"type": "cuboid", "vertices": [{"x": 1, "y": 1}] * 6}) is None

"""tasks.quality.similarity: each geometry's similarity against hand-computed values."""

import math

import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

from tasks.quality.options import DEFAULT_DISTANCE, QualityOptions
from tasks.quality.similarity import similarities, similarity
from tasks.rules.geometry import ellipse_extremes

OPTIONS = QualityOptions(distance=20)


def box(left, top, width, height, **extra):
    return {"type": "box", "left": left, "top": top, "width": width, "height": height, **extra}


def polygon(*xy, kind="polygon"):
    return {"type": kind, "vertices": [{"x": x, "y": y} for x, y in xy]}


def point(x, y):
    return {"type": "point", "x": x, "y": y}


def ellipse(cx, cy, rx, ry, rotation=0.0):
    return {"type": "ellipse", "vertices": ellipse_extremes(cx, cy, rx, ry, rotation)}


def cuboid(face, side):
    (x0, y0, x1, y1), (sx, st_y, sb_y) = face, side
    names = {"face-topleft": (x0, y0), "face-bottomleft": (x0, y1), "face-topright": (x1, y0),
             "face-bottomright": (x1, y1), "side-topcorner": (sx, st_y),
             "side-bottomcorner": (sx, sb_y)}
    return {"type": "cuboid", "vertices": [{"x": x, "y": y, "description": name,
                                            "type": "vertex"} for name, (x, y) in names.items()]}


def test_box_iou_by_hand():
    assert similarity(box(0, 0, 10, 10), box(5, 0, 10, 10), OPTIONS) == pytest.approx(50 / 150)
    assert similarity(box(0, 0, 10, 10), box(0, 0, 10, 10), OPTIONS) == 1
    assert similarity(box(0, 0, 10, 10), box(10, 0, 10, 10), OPTIONS) == 0  # touching
    assert similarity(box(0, 0, 10, 10), box(2, 2, 4, 4), OPTIONS) == pytest.approx(16 / 100)


def test_rotated_boxes_are_compared_as_polygons():
    # a 10 x 10 square turned a quarter turn is the same square
    assert similarity(box(0, 0, 10, 10, rotation=math.pi / 2), box(0, 0, 10, 10),
                      OPTIONS) == pytest.approx(1)
    # turned 45°: the overlap of a square and its own diamond, by shapely's exact polygons
    square = shapely.box(0, 0, 10, 10)
    diamond = shapely.affinity.rotate(square, 45)
    expected = square.intersection(diamond).area / square.union(diamond).area
    assert similarity(box(0, 0, 10, 10, rotation=math.pi / 4), box(0, 0, 10, 10),
                      OPTIONS) == pytest.approx(expected)


def test_polygon_iou_by_hand_and_a_self_crossing_polygon_does_not_fail():
    square = polygon((0, 0), (10, 0), (10, 10), (0, 10))
    triangle = polygon((0, 0), (10, 0), (0, 10))
    assert similarity(square, triangle, OPTIONS) == pytest.approx(0.5)
    bowtie = polygon((0, 0), (10, 10), (10, 0), (0, 10))
    assert 0 <= similarity(square, bowtie, OPTIONS) <= 1


def test_ellipse_iou_through_its_extremes():
    # the 64-gon of a circle has area 64/2 sin(2π/64) r² ≈ 0.9984 π r²
    circle, same = ellipse(0, 0, 10, 10), ellipse(0, 0, 10, 10, rotation=1.0)
    assert similarity(circle, same, OPTIONS) == pytest.approx(1, abs=0.01)
    inner = ellipse(0, 0, 5, 5)
    assert similarity(circle, inner, OPTIONS) == pytest.approx(0.25, abs=0.001)
    wide, tall = ellipse(0, 0, 20, 10), ellipse(0, 0, 20, 10, rotation=math.pi / 2)
    # the two ellipses' overlap, computed from fine polygons
    def fine(rx, ry, turn):
        return shapely.affinity.rotate(shapely.affinity.scale(
            shapely.Point(0, 0).buffer(1, 1024), rx, ry), turn, use_radians=True)
    a, b = fine(20, 10, 0), fine(20, 10, math.pi / 2)
    assert similarity(wide, tall, OPTIONS) == pytest.approx(
        a.intersection(b).area / a.union(b).area, abs=0.005)


def test_cuboid_iou_is_that_of_the_whole_outline():
    # hull (0,0) (10,0) (15,5) (15,15) (0,10): 175 by the shoelace formula
    near = cuboid((0, 0, 10, 10), (15, 5, 15))
    assert similarity(near, near, OPTIONS) == pytest.approx(1)
    flat = cuboid((0, 0, 10, 10), (10, 0, 10))  # no depth drawn: the face alone
    assert similarity(near, flat, OPTIONS) == pytest.approx(100 / 175)


def test_point_similarity_falls_linearly_with_distance():
    assert similarity(point(0, 0), point(0, 0), OPTIONS) == 1
    assert similarity(point(0, 0), point(3, 4), OPTIONS) == pytest.approx(1 - 5 / 20)
    assert similarity(point(0, 0), point(20, 0), OPTIONS) == 0
    assert similarity(point(0, 0), point(50, 0), OPTIONS) == 0


def test_the_distance_scale_comes_from_the_image_diagonal_or_a_default():
    assert QualityOptions().distance_px == DEFAULT_DISTANCE
    assert QualityOptions(image_size=(3000, 4000)).distance_px == pytest.approx(100)
    assert QualityOptions(distance=7, image_size=(3000, 4000)).distance_px == 7
    with pytest.raises(ValueError):
        QualityOptions(min_similarity=0)


def test_line_similarity_ignores_direction_and_vertex_count():
    line = polygon((0, 0), (100, 0), kind="line")
    denser = polygon((0, 0), (25, 0), (50, 0), (100, 0), kind="line")
    backwards = polygon((100, 0), (0, 0), kind="line")
    shifted = polygon((0, 5), (100, 5), kind="line")
    assert similarity(line, denser, OPTIONS) == pytest.approx(1)
    assert similarity(line, backwards, OPTIONS) == pytest.approx(1)
    assert similarity(line, shifted, OPTIONS) == pytest.approx(1 - 5 / 20)
    assert similarity(line, polygon((0, 50), (100, 50), kind="line"), OPTIONS) == 0


def test_similarities_are_sparse_and_agree_with_the_pairwise_values():
    boxes = [box(0, 0, 10, 10), box(5, 0, 10, 10), box(100, 100, 10, 10)]
    found = similarities("box", boxes, boxes, OPTIONS)
    assert sorted(zip(found.rows.tolist(), found.cols.tolist(), strict=True)) == [
        (0, 0), (0, 1), (1, 0), (1, 1), (2, 2)]
    dense = found.dense()
    for i, a in enumerate(boxes):
        for j, b in enumerate(boxes):
            assert dense[i, j] == pytest.approx(similarity(a, b, OPTIONS))


coordinate = st.floats(-1000, 1000, allow_nan=False)
size = st.floats(0.5, 300, allow_nan=False)
boxes = st.builds(box, coordinate, coordinate, size, size)


@given(boxes, boxes)
def test_box_iou_matches_shapely_and_is_symmetric(a, b):
    value = similarity(a, b, OPTIONS)
    pa = shapely.box(a["left"], a["top"], a["left"] + a["width"], a["top"] + a["height"])
    pb = shapely.box(b["left"], b["top"], b["left"] + b["width"], b["top"] + b["height"])
    assert 0 <= value <= 1
    assert value == pytest.approx(pa.intersection(pb).area / pa.union(pb).area, abs=1e-9)
    assert similarity(b, a, OPTIONS) == pytest.approx(value, abs=1e-12)


@given(st.lists(st.tuples(coordinate, coordinate), min_size=2, max_size=8),
       st.floats(-50, 50, allow_nan=False), st.floats(-50, 50, allow_nan=False))
def test_a_line_moved_by_d_has_similarity_one_minus_d_over_the_scale(xy, dx, dy):
    line = polygon(*xy, kind="line")
    moved = polygon(*[(x + dx, y + dy) for x, y in xy], kind="line")
    expected = max(0.0, 1 - math.hypot(dx, dy) / 20)
    # the reversed direction can only be closer
    assert similarity(line, moved, OPTIONS) >= expected - 1e-9
    assert similarity(line, line, OPTIONS) == pytest.approx(1)


vertex = st.tuples(st.integers(-50, 50), st.integers(-50, 50))


@given(st.lists(vertex, min_size=3, max_size=8), st.lists(vertex, min_size=3, max_size=8))
def test_any_polygons_give_a_similarity_in_range(a, b):
    pa, pb = polygon(*a), polygon(*b)
    value = similarity(pa, pb, OPTIONS)
    assert 0 <= value <= 1 + 1e-9
    assert similarity(pb, pa, OPTIONS) == pytest.approx(value, abs=1e-9)
    if shapely.Polygon(a).is_valid and shapely.Polygon(a).area > 0:
        assert similarity(pa, pa, OPTIONS) == pytest.approx(1)

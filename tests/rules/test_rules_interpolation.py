"""Tracks expanded into per-frame geometries (tasks/rules/interpolation.py).

The shared fixture tests/fixtures/rules/interpolation.json is also read by
tests/js/interpolate.test.mjs: both sides must give exactly these frames."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from tasks.rules.interpolation import lerp_angle, round_half_up, track_frames

CASES = json.loads((Path(__file__).parents[1] / "fixtures" / "rules" / "interpolation.json")
                   .read_text())


def close(actual: object, expected: object) -> bool:
    """Equal JSON, numbers within 1e-6 (the fixture's tolerance)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and actual.keys() == expected.keys() and all(
            close(actual[key], expected[key]) for key in expected)
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) == len(expected) and all(
            close(a, e) for a, e in zip(actual, expected, strict=True))
    if isinstance(expected, int | float) and not isinstance(expected, bool):
        return isinstance(actual, int | float) and abs(actual - expected) <= 1e-6
    return actual == expected


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_shared_fixture(case):
    frames = track_frames(case["track"], case["frame_count"], case.get("geometries"))
    assert len(frames) == case["frame_count"]
    for index, (actual, expected) in enumerate(zip(frames, case["expected"], strict=True)):
        assert close(actual, expected), (index, actual, expected)


def test_fixture_covers_every_geometry_and_the_edge_cases():
    types = {case["track"]["type"] for case in CASES}
    assert types == {"box", "point", "polygon", "line", "ellipse", "cuboid"}
    names = " ".join(case["name"] for case in CASES)
    for words in ("outside", "re-entry", "different vertex counts", "short way", "half up"):
        assert words in names


BOX = {"left": 0, "top": 0, "width": 10, "height": 10}


def box_track(*keyframes: dict) -> dict:
    return {"uuid": "t", "type": "box", "label": "car", "keyframes": list(keyframes)}


def test_a_box_between_two_keyframes_is_linear_and_holds_after_the_last():
    track = box_track({"frame": 0, **BOX}, {"frame": 29, **BOX, "left": 290})
    frames = track_frames(track, 35)
    assert [f["left"] for f in frames[:3]] == [0, 10, 20]
    assert frames[15]["left"] == 150
    assert all(f["left"] == 290 for f in frames[29:])
    assert all(f["width"] == 10 for f in frames)


def test_outside_hides_the_object_until_it_reenters():
    track = box_track({"frame": 2, **BOX}, {"frame": 4, **BOX, "left": 20},
                      {"frame": 5, "outside": True}, {"frame": 8, **BOX, "left": 80})
    frames = track_frames(track, 10)
    assert frames[0] is None and frames[1] is None
    assert [f["left"] for f in frames[2:5]] == [0, 10, 20]
    assert frames[5:8] == [None, None, None]
    # Re-entry starts from the re-entry keyframe: no interpolation across the outside stretch.
    assert frames[8]["left"] == frames[9]["left"] == 80


def test_polygons_with_different_vertex_counts_hold_the_earlier_keyframe():
    triangle = [{"x": 0, "y": 0}, {"x": 4, "y": 0}, {"x": 0, "y": 4}]
    square = [{"x": 0, "y": 0}, {"x": 8, "y": 0}, {"x": 8, "y": 8}, {"x": 0, "y": 8}]
    track = {"uuid": "p", "type": "polygon", "label": "lake", "keyframes": [
        {"frame": 0, "vertices": triangle}, {"frame": 4, "vertices": square}]}
    frames = track_frames(track, 5)
    assert all(f["vertices"] == triangle for f in frames[:4])
    assert frames[4]["vertices"] == square


def test_rotation_turns_the_short_way_round():
    track = box_track({"frame": 0, **BOX, "rotation": math.radians(350)},
                      {"frame": 2, **BOX, "rotation": math.radians(10)})
    middle = track_frames(track, 3)[1]["rotation"]
    # Half-way between 350° and 10° the short way is 360° (0°), not 180°.
    assert math.isclose(middle % (2 * math.pi), 0, abs_tol=1e-3) or math.isclose(
        middle % (2 * math.pi), 2 * math.pi, abs_tol=1e-3)
    assert lerp_angle(0.1, -0.1, 0.5) == pytest.approx(0)
    assert lerp_angle(3.0, -3.0, 0.5) == pytest.approx(math.pi)


def test_attributes_hold_from_keyframe_a_and_merge_key_by_key():
    track = box_track({"frame": 0, **BOX, "attributes": {"moving": "no", "color": "red"}},
                      {"frame": 2, **BOX, "attributes": {"moving": "yes"}})
    frames = track_frames(track, 4)
    assert frames[1]["attributes"] == {"moving": "no", "color": "red"}
    assert frames[2]["attributes"] == frames[3]["attributes"] == {"moving": "yes",
                                                                  "color": "red"}


def test_integer_pixels_gives_whole_pixels():
    track = box_track({"frame": 0, **BOX}, {"frame": 3, **BOX, "left": 10})
    frames = track_frames(track, 4, {"box": {"integer_pixels": True}})
    assert [f["left"] for f in frames] == [0, 3, 7, 10]
    assert all(isinstance(f["left"], int) for f in frames)


@pytest.mark.parametrize(("value", "decimals", "expected"), [
    (0.125, 2, 0.13), (-0.125, 2, -0.12), (3.3333333, 2, 3.33), (1.00005, 4, 1.0001),
    (2.675, 2, 2.68),
])
def test_rounding_is_half_up_as_in_javascript(value, decimals, expected):
    assert round_half_up(value, decimals) == expected

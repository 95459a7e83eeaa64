"""Label Studio regions to Scale annotations: a rotated box about the right centre, a brush
mask's outline, and the labelling config (docs/assist.md)."""

from __future__ import annotations

import pytest

from tasks.model_backends.ls_config import label_config
from tasks.model_backends.ls_regions import convert_regions
from tasks.rules.geometry import box_corners


def encode_rle(values: list[int]) -> list[int]:
    """Label Studio's brush RLE of `values` (runs only: 8-bit words, 16-bit run lengths)."""
    bits = format(len(values), "032b") + format(7, "05b") + format(15, "04b") * 4
    i = 0
    while i < len(values):
        j = i
        while j < len(values) and values[j] == values[i] and j - i < 65536:
            j += 1
        bits += "1" + "00" + format(j - i - 1, "016b") + format(values[i], "08b")
        i = j
    bits += "0" * (-len(bits) % 8)
    return [int(bits[k:k + 8], 2) for k in range(0, len(bits), 8)]


def test_a_rotated_box_turns_about_its_top_left_corner_in_label_studio():
    params = {"geometries": {"box": {"objects_to_annotate": ["car"], "can_rotate": True}}}
    region = {"type": "rectanglelabels", "original_width": 100, "original_height": 100,
              "value": {"x": 10, "y": 10, "width": 20, "height": 10, "rotation": 90,
                        "rectanglelabels": ["car"]}}
    (box,) = convert_regions([region], params, 100, 100).annotations
    assert (box["left"], box["top"], box["width"], box["height"]) == (-5, 15, 20, 10)
    assert box["rotation"] == pytest.approx(1.570796, abs=1e-6)
    corner = box_corners(box["left"], box["top"], box["width"], box["height"],
                         box["rotation"])[0]
    assert (corner["x"], corner["y"]) == pytest.approx((10, 10))  # Label Studio's pivot


def test_a_brush_mask_becomes_its_outline_polygon():
    width, height = 20, 10
    pixels = []
    for y in range(height):
        for x in range(width):
            inside = 5 <= x <= 14 and 2 <= y <= 7
            pixels += [255, 0, 0, 255 if inside else 0]
    region = {"type": "brushlabels", "original_width": width, "original_height": height,
              "value": {"format": "rle", "rle": encode_rle(pixels), "brushlabels": ["road"]}}
    out = convert_regions([region, {"type": "choices", "value": {"choices": ["x"]}}],
                          {}, width, height)
    (polygon,) = out.annotations
    assert polygon["label"] == "road" and polygon["type"] == "polygon"
    assert sorted((v["x"], v["y"]) for v in polygon["vertices"]) == [
        (5, 2), (5, 7), (14, 2), (14, 7)]
    assert out.notes == ["region 1: the region type 'choices' has no Scale geometry here"]


def test_the_label_config_follows_the_geometries():
    config = label_config({"geometries": {
        "box": {"objects_to_annotate": ["car", "a \"quoted\" <label>"], "can_rotate": True},
        "point": {"objects_to_annotate": ["sign"]}}})
    assert '<RectangleLabels name="box" toName="image" canRotate="true">' in config
    assert "<Label value='a \"quoted\" &lt;label&gt;'/>" in config
    assert '<KeyPointLabels name="point" toName="image">' in config
    assert "PolygonLabels" not in config and "BrushLabels" not in config

"""The pure rules of segmentation: the points codec, the label table (indices, colours,
instance labels inherited from a group), the hypothesis translation and the codec's
refusals."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from tasks.rules.errors import RuleError
from tasks.rules.segmentation import (
    color,
    hypothesis_translation,
    label_table,
    normalize_hypothesis,
)
from tasks.rules.segmentation_ops import decode_points, encode_points
from tasks.segmentation.codec import MaskError, decode_png, encode_png, one_bit_png


def test_points_round_trip_with_negative_steps_and_large_coordinates():
    points = [(0, 0), (3999, 2999), (5, 2999), (5, 0), (1000, 1000)]
    text = encode_points(points)
    assert "=" not in text and "+" not in text and "/" not in text
    assert decode_points(text) == points
    # a 200-point stroke of small steps stays small (SPEC: ~400-600 bytes)
    stroke = [(1000 + n * 3, 800 + (n % 7)) for n in range(200)]
    assert len(encode_points(stroke)) < 600


def test_a_five_byte_varint_is_the_longest_taken():
    with pytest.raises(RuleError, match="too long"):
        decode_points(encode_points([(2**40, 0)]))


def test_the_label_table_numbers_leaves_and_inherits_instance_groups():
    table = label_table(["sky", {"choice": "vehicle", "instance_label": True,
                                 "subchoices": ["car", {"choice": "bus", "display": "Bus"}]},
                         {"choice": "person", "instance_label": True}])
    assert [(e.label, e.index, e.instance) for e in table] == [
        ("sky", 1, False), ("car", 2, True), ("bus", 3, True), ("person", 4, True)]
    assert table[2].path == ("vehicle", "Bus")
    assert [e.color for e in table] == [color(n) for n in range(1, 5)]


def test_colours_are_hex_and_the_first_twenty_distinct():
    colours = [color(n) for n in range(1, 256)]
    assert all(len(c) == 7 and c.startswith("#") for c in colours)
    assert len(set(colours[:20])) == 20


def test_the_hypothesis_translation_numbers_instances_after_the_labels():
    table = label_table(["road", {"choice": "car", "instance_label": True}])
    hypothesis = normalize_hypothesis({"labelMapping": {
        "car": [{"index": 7}, {"index": 9}], "road": {"index": 200}},
        "annotations": {"combined": {"indexedImage": "https://example.com/m.png"}}},
        table, {})
    values, instances = hypothesis_translation(hypothesis, table)
    assert values == {7: 3, 9: 4, 200: 1}
    assert [(i["index"], i["label"]) for i in instances] == [(3, "car"), (4, "car")]


def test_too_many_hypothesis_instances_are_refused():
    table = label_table(["road", {"choice": "car", "instance_label": True}])
    many = [{"index": n} for n in range(1, 256)]
    with pytest.raises(RuleError, match="255 instances; this task has room for 253"):
        normalize_hypothesis({"labelMapping": {"car": many}, "annotations": {
            "combined": {"indexedImage": "https://example.com/m.png"}}}, table, {})


def test_the_codec_round_trips_and_refuses_colour_and_wide_values():
    mask = np.arange(256, dtype=np.uint8).reshape(16, 16)
    assert (decode_png(encode_png(mask)) == mask).all()
    rgb = io.BytesIO()
    Image.new("RGB", (4, 4)).save(rgb, "PNG")
    with pytest.raises(MaskError, match="is a RGB PNG"):
        decode_png(rgb.getvalue())
    wide = io.BytesIO()
    Image.fromarray(np.full((2, 2), 300, dtype=np.uint16)).save(wide, "PNG")
    with pytest.raises(MaskError, match="holds the value 300"):
        decode_png(wide.getvalue())
    with pytest.raises(MaskError, match="not a readable PNG"):
        decode_png(b"not an image")


def test_the_one_bit_writer_gives_the_colour_and_transparency():
    where = np.zeros((7, 13), dtype=bool)  # a width that is not a multiple of 8
    where[2:5, 3:12] = True
    image = Image.open(io.BytesIO(one_bit_png(where, (10, 20, 30)))).convert("RGBA")
    pixels = np.asarray(image)
    assert image.size == (13, 7)
    assert (pixels[where] == (10, 20, 30, 255)).all() and (pixels[~where][:, 3] == 0).all()

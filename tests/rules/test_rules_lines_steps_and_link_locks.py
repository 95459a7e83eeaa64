"""Number steps, x_line / y_line offsets, links named by their annotation, links of locked
base annotations, and `required` on base annotations the tasker may not edit."""

from __future__ import annotations

import pytest

from tasks.rules.annotations import validate_response
from tasks.rules.attributes import check_value, validate_attribute_definitions
from tasks.rules.errors import RuleError
from tasks.rules.locks import check_link_locks
from tasks.rules.params import normalize_image_params


def number(**definition) -> dict:
    return validate_attribute_definitions({"n": {"type": "number", **definition}}, set())["n"]


@pytest.mark.parametrize(("definition", "good", "bad"), [
    ({"step": 5}, [0, 5, -10, 125], [1, 2.5]),
    ({"step": 5, "min": 2}, [2, 7, 127], [5, 6]),
    ({"step": 0.1}, [0.3, 1.7, 2], [0.25]),
    ({}, [0.123, 7], []),  # no step given: any number
])
def test_number_steps(definition, good, bad):
    d = number(**definition)
    for value in good:
        assert check_value(value, d, "v") == value
    for value in bad:
        with pytest.raises(RuleError, match="steps of"):
            check_value(value, d, "v")


def test_default_must_follow_the_step():
    with pytest.raises(RuleError, match="n.default must go in steps of 5"):
        validate_attribute_definitions({"n": {"type": "number", "step": 5, "default": 3}},
                                       set(), "")


PARAMS = normalize_image_params({
    "attachment": "https://example.com/a.png",
    "geometries": {
        "box": {"objects_to_annotate": ["car", "truck"], "can_rotate": True},
        "cuboid": {"objects_to_annotate": ["car"]},
        "polygon": {"objects_to_annotate": ["road"]},
    },
    "annotation_attributes": {
        "centre": {"type": "x_line", "required": True},
        "horizon": {"type": "y_line"},
        "color": {"choices": ["red", "blue"], "required": True,
                  "conditions": {"label_condition": {"label": ["car", "truck"]}}},
    },
    "links": {"tows": [{"from_allowed_labels": ["truck"], "to_allowed_labels": ["car"]}]},
    "base_annotations": {"annotations": [
        {"uuid": "locked", "type": "box", "label": "truck", "left": 0, "top": 0, "width": 10,
         "height": 10, "rotation": 0, "locked": True},
        {"uuid": "open", "type": "box", "label": "truck", "left": 20, "top": 0, "width": 10,
         "height": 10, "rotation": 0, "attributes": {"centre": 5, "color": "red"}},
    ]},
})
BOX = {"uuid": "b", "type": "box", "label": "car", "left": 100, "top": 50, "width": 80,
       "height": 40, "rotation": 0.5, "attributes": {"centre": 80, "horizon": 0, "color": "red"}}
CUBOID = {"uuid": "c", "type": "cuboid", "label": "car", "attributes": {
    "centre": 30, "horizon": 20, "color": "blue"}, "vertices": [
    {"x": 10, "y": 10, "description": "face-topleft"},
    {"x": 10, "y": 30, "description": "face-bottomleft"},
    {"x": 40, "y": 10, "description": "face-topright"},
    {"x": 40, "y": 30, "description": "face-bottomright"},
    {"x": 50, "y": 5, "description": "side-topcorner"},
    {"x": 50, "y": 25, "description": "side-bottomcorner"}]}
ROAD = {"uuid": "r", "type": "polygon", "label": "road", "attributes": {},
        "vertices": [{"x": 0, "y": 0}, {"x": 10, "y": 0}, {"x": 10, "y": 10}]}
BASES = [
    {"uuid": "locked", "type": "box", "label": "truck", "left": 0, "top": 0, "width": 10,
     "height": 10, "rotation": 0, "attributes": {}},
    {"uuid": "open", "type": "box", "label": "truck", "left": 20, "top": 0, "width": 10,
     "height": 10, "rotation": 0, "attributes": {"centre": 5, "color": "red"}},
]


def response(*annotations, links=None) -> dict:
    body = {"annotations": [*annotations, *BASES]}
    if links is not None:
        body["links"] = links
    return body


def check(body: dict) -> dict:
    return validate_response(body, PARAMS)


def refused(body: dict) -> RuleError:
    with pytest.raises(RuleError) as info:
        check(body)
    return info.value


def test_lines_inside_boxes_and_cuboid_faces_pass():
    result = check(response(BOX, CUBOID, ROAD))
    assert result["annotations"][0]["attributes"] == BOX["attributes"]
    assert result["annotations"][1]["attributes"] == CUBOID["attributes"]


@pytest.mark.parametrize(("item", "key", "value", "words"), [
    (BOX, "centre", 80.01, "inside the box: an offset from its left edge between 0 and 80"),
    (BOX, "horizon", 41, "top edge between 0 and 40"),
    (BOX, "centre", -0.5, "between 0 and 80"),
    (CUBOID, "centre", 31, "cuboid's front face: an offset from its left edge between 0 and 30"),
    (CUBOID, "horizon", 21, "top edge between 0 and 20"),
])
def test_lines_outside_are_refused(item, key, value, words):
    changed = {**item, "attributes": {**item["attributes"], key: value}}
    error = refused(response(changed))
    assert error.annotation_uuid == item["uuid"]
    assert error.path.endswith(f"attributes.{key}") and words in error.message


def test_lines_are_for_boxes_and_cuboids_only():
    error = refused(response({**ROAD, "attributes": {"horizon": 3}}))
    assert error.annotation_uuid == "r" and "boxes and cuboids only" in error.message
    # `required` x_line is not asked of a polygon, but is of a box
    check(response(ROAD))
    error = refused(response({**BOX, "attributes": {"color": "red"}}))
    assert error.path.endswith("attributes.centre") and error.message == "is required"


def test_required_is_not_asked_of_base_annotations_the_tasker_cannot_edit():
    # "locked" lacks both required values; "open" may be edited, so it is asked
    check(response())
    bases = [BASES[0], {**BASES[1], "attributes": {"color": "red"}}]
    with pytest.raises(RuleError, match="centre is required") as info:
        validate_response({"annotations": bases}, PARAMS)
    assert info.value.annotation_uuid == "open"
    frozen = {**PARAMS, "can_edit_base_annotations": False}
    validate_response({"annotations": bases}, frozen)


def test_link_errors_name_an_annotation():
    truck = {**BOX, "uuid": "t", "label": "truck"}
    bad = response(BOX, truck, links=[{"label": "tows", "from": "b", "to": "t"}])
    error = refused(bad)
    assert error.annotation_uuid == "b" and "cannot link" in error.message
    bad = response(BOX, truck, links=[{"label": "tows", "from": "gone", "to": "t"}])
    assert refused(bad).annotation_uuid == "t"
    bad = response(BOX, truck, links=[{"label": "tows", "from": "t", "to": "b"}] * 2)
    assert "duplicates" in refused(bad).message and refused(bad).annotation_uuid == "t"


def test_links_may_not_start_at_base_annotations_the_tasker_cannot_edit():
    links = [{"label": "tows", "from": "open", "to": "b"}]
    check_link_locks(links, PARAMS)
    with pytest.raises(RuleError, match="cannot be edited") as info:
        check_link_locks(links, {**PARAMS, "can_edit_base_annotations": False}, "response.links")
    assert info.value.path == "response.links[0]" and info.value.annotation_uuid == "open"
    with pytest.raises(RuleError, match="base annotation locked: this base annotation is locked"):
        check_link_locks([{"label": "tows", "from": "locked", "to": "b"}], PARAMS)
    # the other end may be locked
    check_link_locks([{"label": "tows", "from": "b", "to": "locked"}], PARAMS)

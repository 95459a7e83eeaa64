"""tasks.rules.annotations: annotations and responses in the response format."""

import contextlib
import copy
import math
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tasks.rules.annotations import MAX_ANNOTATIONS, validate_annotations, validate_response
from tasks.rules.errors import RuleError
from tasks.rules.geometry import CUBOID_VERTEX_NAMES, box_corners, cuboid_from_3d
from tasks.rules.params import normalize_image_params

HALF = math.sqrt(0.5)
CAMERA = {
    "camera_intrinsics": {"fx": 1000, "fy": 1000, "cx": 640, "cy": 360},
    "camera_rotation_quaternion": {"w": HALF, "x": -HALF, "y": 0, "z": 0},
    "camera_height": 1.5,
}


def make_params(**overrides):
    params = {
        "attachment": "https://example.com/img.jpg",
        "geometries": {
            "box": {
                "objects_to_annotate": [
                    "car",
                    {"choice": "vehicle", "subchoices": ["truck", "bus"]},
                ],
                "min_width": 5,
                "min_height": 4,
            },
            "polygon": {"objects_to_annotate": ["road"], "min_vertices": 4, "max_vertices": 6},
            "line": {},
            "point": {"objects_to_annotate": ["nose", "eye"]},
            "ellipse": {"objects_to_annotate": ["face"]},
            "cuboid": {"objects_to_annotate": ["car"], "min_width": 3, "min_height": 3},
        },
        "annotation_attributes": {
            "occluded": {"choices": ["yes", "no"]},
            "plate": {
                "type": "text",
                "required": True,
                "conditions": {"label_condition": {"label": "car"}},
            },
            "parent": {"type": "linked", "allowed_labels": ["car", "truck"]},
            "weather": {
                "choices": ["sun", "rain"],
                "conditions": {"is_global": True},
                "required": True,
            },
        },
        "links": {
            "towing": [{"from_allowed_labels": ["truck"], "to_allowed_labels": ["car"]}],
            "near": [
                {
                    "is_bidirectional": True,
                    "from_allowed_labels": ["bus"],
                    "to_allowed_labels": ["road"],
                }
            ],
        },
    }
    if "geometries" in overrides:  # attributes and links refer to the default labels
        params.pop("annotation_attributes")
        params.pop("links")
    params.update(overrides)
    return normalize_image_params(params)


PARAMS = make_params()
A = "response.annotations"


def validate(annotations, kind="response", params=PARAMS, **kwargs):
    return validate_annotations(annotations, params, path=A, kind=kind, **kwargs)


def error_at(path, annotations, kind="response", params=PARAMS, **kwargs):
    with pytest.raises(RuleError) as info:
        validate(annotations, kind, params, **kwargs)
    assert info.value.path == path, str(info.value)
    return info.value


def box(**overrides):
    item = {
        "uuid": "b1",
        "type": "box",
        "label": "car",
        "left": 10,
        "top": 20,
        "width": 30,
        "height": 40,
        "attributes": {"plate": "AB"},
    }
    item.update(overrides)
    return {key: value for key, value in item.items() if value is not ...}


def polygon(n=4, **overrides):
    item = {
        "uuid": "p1",
        "type": "polygon",
        "label": "road",
        "vertices": [{"x": i, "y": i * i} for i in range(n)],
    }
    item.update(overrides)
    return item


def cuboid_vertices(width=10, height=10):
    points = [(0, 0), (0, height), (width, 0), (width, height), (width + 5, -3), (width + 5, 7)]
    return [
        {"x": x, "y": y, "description": name}
        for (x, y), name in zip(points, CUBOID_VERTEX_NAMES, strict=True)
    ]


def cuboid(**overrides):
    item = {
        "uuid": "c1",
        "type": "cuboid",
        "label": "car",
        "vertices": cuboid_vertices(),
        "attributes": {"plate": "X"},
    }
    item.update(overrides)
    return item


# ---------------------------------------------------------------- box


def test_box_output_shape_and_key_order():
    [result] = validate([box(extra="dropped", locked=True)])
    assert result == {
        "uuid": "b1",
        "type": "box",
        "label": "car",
        "left": 10,
        "top": 20,
        "width": 30,
        "height": 40,
        "attributes": {"plate": "AB"},
    }
    assert list(result) == ["uuid", "type", "label", "left", "top", "width", "height", "attributes"]


def test_uuid_generated_when_absent():
    [first, second] = validate([box(uuid=None), box(uuid=...)], kind="hypothesis")
    assert uuid.UUID(first["uuid"]).version == 4
    assert first["uuid"] != second["uuid"]


def test_attributes_default_empty():
    [result] = validate([box(label="bus", attributes=...)])
    assert result["attributes"] == {}


def test_input_not_mutated():
    items = [box(vertices=[1]), polygon()]
    before = copy.deepcopy(items)
    validate(items)
    assert items == before


@pytest.mark.parametrize(
    ("overrides", "path"),
    [
        ({"left": None}, f"{A}[0].left"),
        ({"left": ...}, f"{A}[0].left"),
        ({"top": "20"}, f"{A}[0].top"),
        ({"top": True}, f"{A}[0].top"),
        ({"left": float("nan")}, f"{A}[0].left"),
        ({"left": float("inf")}, f"{A}[0].left"),
        ({"left": 1e7 + 1}, f"{A}[0].left"),
        ({"left": -1e7 - 1}, f"{A}[0].left"),
        ({"width": 0}, f"{A}[0].width"),
        ({"height": -5}, f"{A}[0].height"),
        ({"width": 4.5}, f"{A}[0].width"),
        ({"height": 3}, f"{A}[0].height"),
        ({"rotation": 0.5}, f"{A}[0].rotation"),
        ({"rotation": "0"}, f"{A}[0].rotation"),
        ({"label": None}, f"{A}[0].label"),
        ({"label": "vehicle"}, f"{A}[0].label"),
        ({"label": "road"}, f"{A}[0].label"),
        ({"label": 3}, f"{A}[0].label"),
        ({"type": None}, f"{A}[0].type"),
        ({"type": "circle"}, f"{A}[0].type"),
        ({"type": ["box"]}, f"{A}[0].type"),
        ({"uuid": 5}, f"{A}[0].uuid"),
        ({"uuid": ""}, f"{A}[0].uuid"),
        ({"attributes": "x"}, f"{A}[0].attributes"),
        ({"attributes": {"occluded": "maybe", "plate": "x"}}, f"{A}[0].attributes.occluded"),
        ({"attributes": {"size": 1, "plate": "x"}}, f"{A}[0].attributes.size"),
        ({"attributes": {}}, f"{A}[0].attributes.plate"),
    ],
)
def test_box_errors(overrides, path):
    error_at(path, [box(**overrides)])


def test_errors_carry_the_annotation_uuid():
    error = error_at(f"{A}[0].width", [box(width=0)])
    assert error.annotation_uuid == "b1"
    error = error_at(f"{A}[0].attributes.plate", [box(attributes={})])
    assert error.annotation_uuid == "b1"


def test_generated_uuids_are_not_named_in_errors():
    error = error_at(f"{A}[0].width", [box(uuid=None, width=0)])
    assert error.annotation_uuid is None


def test_min_size_message():
    error = error_at(f"{A}[0].width", [box(width=4.5)])
    assert str(error) == f"{A}[0].width must be at least geometries.box.min_width (5)"


def test_min_size_applies_to_pre_labels():
    error_at("response.annotations[0].width", [box(width=1)], kind="hypothesis")
    error_at("response.annotations[0].width", [box(width=1)], kind="base")


def test_rotation_zero_dropped_without_can_rotate():
    [result] = validate([box(rotation=0, vertices=[{"x": 1, "y": 2}])])
    assert "rotation" not in result and "vertices" not in result


ROTATING = make_params(geometries={"box": {"objects_to_annotate": ["car"], "can_rotate": True}})


def test_can_rotate_defaults_rotation_and_computes_vertices():
    [result] = validate([box(attributes=None)], params=ROTATING)
    assert result["rotation"] == 0
    assert result["vertices"] == [
        {"x": 10, "y": 20},
        {"x": 40, "y": 20},
        {"x": 40, "y": 60},
        {"x": 10, "y": 60},
    ]
    assert list(result) == [
        "uuid",
        "type",
        "label",
        "left",
        "top",
        "width",
        "height",
        "rotation",
        "vertices",
        "attributes",
    ]


def test_can_rotate_recomputes_given_vertices():
    bogus = [{"x": 0, "y": 0}] * 4
    [result] = validate(
        [box(attributes=None, rotation=math.pi / 2, vertices=bogus)], params=ROTATING
    )
    assert result["rotation"] == math.pi / 2
    assert result["vertices"] == box_corners(10, 20, 30, 40, math.pi / 2)


INTEGER = make_params(geometries={"box": {"objects_to_annotate": ["car"], "integer_pixels": True}})
INTEGER_ROTATING = make_params(
    geometries={"box": {"objects_to_annotate": ["car"], "integer_pixels": True, "can_rotate": True}}
)


def test_integer_pixels_rounds():
    [result] = validate(
        [box(left=10.5, top=-2.5, width=30.4, height=0.3, attributes=None)], params=INTEGER
    )
    assert (result["left"], result["top"], result["width"], result["height"]) == (11, -2, 30, 1)
    assert all(isinstance(result[key], int) for key in ("left", "top", "width", "height"))


def test_integer_pixels_not_applied_to_rotated_boxes():
    [rotated] = validate([box(left=10.5, rotation=0.3, attributes=None)], params=INTEGER_ROTATING)
    assert rotated["left"] == 10.5
    [straight] = validate([box(left=10.5, attributes=None)], params=INTEGER_ROTATING)
    assert straight["left"] == 11
    assert straight["vertices"][0] == {"x": 11, "y": 20}


# ---------------------------------------------------------------- labels and types


UNLABELLED = make_params(geometries={"box": {}, "line": {"objects_to_annotate": []}})


def test_geometry_without_labels_has_no_label_key():
    [result] = validate([box(label=..., attributes=None)], params=UNLABELLED)
    assert "label" not in result
    assert list(result) == ["uuid", "type", "left", "top", "width", "height", "attributes"]
    [null_label] = validate([box(label=None, attributes=None)], params=UNLABELLED)
    assert "label" not in null_label


def test_label_on_unlabelled_geometry_rejected():
    error = error_at(f"{A}[0].label", [box(attributes=None)], params=UNLABELLED)
    assert "must be omitted" in error.message


def test_disabled_geometry_rejected():
    error = error_at(f"{A}[0].type", [box(type="box")], params=make_params(geometries={"line": {}}))
    assert "line" in error.message


def test_group_label_message_lists_leaves():
    error = error_at(f"{A}[0].label", [box(label="vehicle")])
    assert '"truck"' in error.message


def test_duplicate_uuids():
    error = error_at(f"{A}[1].uuid", [box(), polygon(uuid="b1")])
    assert f"{A}[0]" in error.message
    assert error.annotation_uuid == "b1"


def test_not_a_list_or_object():
    error_at(A, {"annotations": []})
    error_at(f"{A}[1]", [box(), "box"])


def test_too_many_annotations():
    error = error_at(A, [{}] * (MAX_ANNOTATIONS + 1))
    assert str(MAX_ANNOTATIONS) in error.message


def test_unknown_kind():
    with pytest.raises(ValueError):
        validate([], kind="frame")


# ---------------------------------------------------------------- polygon, line, point, ellipse


def test_polygon():
    [result] = validate([polygon(5, extra=1)])
    assert result == {
        "uuid": "p1",
        "type": "polygon",
        "label": "road",
        "vertices": [{"x": i, "y": i * i} for i in range(5)],
        "attributes": {},
    }


@pytest.mark.parametrize(
    ("item", "path"),
    [
        (polygon(3), f"{A}[0].vertices"),
        (polygon(7), f"{A}[0].vertices"),
        (polygon(vertices=None), f"{A}[0].vertices"),
        (polygon(vertices={"x": 1}), f"{A}[0].vertices"),
        (
            polygon(vertices=[{"x": 0, "y": 0}, {"x": 1, "y": 1}, {"x": 2, "y": 2}, [3, 3]]),
            f"{A}[0].vertices[3]",
        ),
        (
            polygon(vertices=[{"x": 0, "y": 0}, {"x": 1, "y": 1}, {"x": 2, "y": 2}, {"x": 3}]),
            f"{A}[0].vertices[3].y",
        ),
        (
            polygon(
                vertices=[{"x": 0, "y": 0}, {"x": 1, "y": 1}, {"x": "2", "y": 2}, {"x": 3, "y": 3}]
            ),
            f"{A}[0].vertices[2].x",
        ),
    ],
)
def test_polygon_errors(item, path):
    error_at(path, [item])


def test_polygon_count_messages():
    assert error_at(f"{A}[0].vertices", [polygon(3)]).message == "must have at least 4 vertices"
    assert error_at(f"{A}[0].vertices", [polygon(7)]).message == "must have at most 6 vertices"


def test_polygon_needs_three_whatever_min_vertices_says():
    params = make_params(geometries={"polygon": {}})
    error_at(f"{A}[0].vertices", [polygon(2, label=None)], params=params)
    assert validate([polygon(3, label=None)], params=params)


def test_line_needs_two():
    line = {"type": "line", "vertices": [{"x": 0, "y": 0}]}
    error_at(f"{A}[0].vertices", [line])
    line["vertices"].append({"x": 5, "y": 5})
    [result] = validate([line])
    assert result["vertices"] == [{"x": 0, "y": 0}, {"x": 5, "y": 5}]


def test_vertex_limit():
    params = make_params(geometries={"line": {}})
    many = {"type": "line", "vertices": [{"x": 0, "y": 0}] * 10_001}
    error = error_at(f"{A}[0].vertices", [many], params=params)
    assert "10000" in error.message
    many["vertices"] = many["vertices"][:10_000]
    assert len(validate([many], params=params)[0]["vertices"]) == 10_000


def test_point():
    [result] = validate([{"type": "point", "label": "eye", "x": 1.5, "y": -2, "vertices": []}])
    assert result["x"] == 1.5 and result["y"] == -2 and "vertices" not in result
    error_at(f"{A}[0].y", [{"type": "point", "label": "eye", "x": 1.5}])


def test_ellipse_exactly_four():
    vertices = [{"x": 10, "y": 0}, {"x": 0, "y": 5}, {"x": -10, "y": 0}, {"x": 0, "y": -5}]
    [result] = validate([{"type": "ellipse", "label": "face", "vertices": vertices}])
    assert result["vertices"] == vertices
    error_at(f"{A}[0].vertices", [{"type": "ellipse", "label": "face", "vertices": vertices[:3]}])
    error_at(f"{A}[0].vertices", [{"type": "ellipse", "label": "face", "vertices": vertices * 2}])


# ---------------------------------------------------------------- cuboid


def test_cuboid_canonical_vertices_and_edges():
    shuffled = list(reversed(cuboid_vertices()))
    shuffled[0] = {**shuffled[0], "type": "vertex"}
    [result] = validate([cuboid(vertices=shuffled, edges="ignored")])
    assert [v["description"] for v in result["vertices"]] == list(CUBOID_VERTEX_NAMES)
    assert all(v["type"] == "vertex" for v in result["vertices"])
    assert result["vertices"][0] == {
        "x": 0,
        "y": 0,
        "description": "face-topleft",
        "type": "vertex",
    }
    assert [e["description"] for e in result["edges"]] == [
        "face-top",
        "face-right",
        "face-bottom",
        "face-left",
        "side-bottom",
        "side-top",
    ]
    assert list(result) == ["uuid", "type", "label", "vertices", "edges", "attributes"]


@pytest.mark.parametrize(
    ("item", "path"),
    [
        (cuboid(vertices=None), f"{A}[0].vertices"),
        (cuboid(vertices=cuboid_vertices()[:5]), f"{A}[0].vertices"),
        (
            cuboid(vertices=[*cuboid_vertices()[:5], {"x": 1, "y": 1}]),
            f"{A}[0].vertices[5].description",
        ),
        (
            cuboid(vertices=[*cuboid_vertices()[:5], {"x": 1, "y": 1, "description": "back"}]),
            f"{A}[0].vertices[5].description",
        ),
        (
            cuboid(
                vertices=[*cuboid_vertices()[:5], {"x": 1, "y": 1, "description": "face-topleft"}]
            ),
            f"{A}[0].vertices[5].description",
        ),
        (
            cuboid(vertices=[*cuboid_vertices()[:5], {**cuboid_vertices()[5], "type": "edge"}]),
            f"{A}[0].vertices[5].type",
        ),
        (
            cuboid(vertices=[*cuboid_vertices()[:5], {**cuboid_vertices()[5], "x": None}]),
            f"{A}[0].vertices[5].x",
        ),
        (cuboid(vertices=cuboid_vertices(width=2)), f"{A}[0]"),
        (cuboid(vertices=cuboid_vertices(height=2)), f"{A}[0]"),
        (cuboid(position={"x": 0, "y": 1.5, "z": 10}), f"{A}[0].position"),
    ],
)
def test_cuboid_errors(item, path):
    error_at(path, [item])


def test_cuboid_min_size_message():
    error = error_at(f"{A}[0]", [cuboid(vertices=cuboid_vertices(width=2))])
    assert error.message == "face width (2) must be at least geometries.cuboid.min_width (3)"


CAMERA_PARAMS = make_params(geometries={"cuboid": {"objects_to_annotate": ["car"], **CAMERA}})
THREE_D = {
    "position": {"x": 3, "y": 1.5, "z": 10},
    "dimensions": {"length": 4, "width": 2, "height": 1.5},
    "yaw": 0.25,
}


def projected(box: dict) -> list[dict]:
    """The vertices the camera sees for a 3D box (a submit must send those)."""
    camera = CAMERA_PARAMS["geometries"]["cuboid"]
    return cuboid_from_3d(box["position"], box["dimensions"], box["yaw"], camera)["vertices"]


def test_cuboid_3d_fields_kept_with_camera():
    item = cuboid(attributes=None, vertices=projected(THREE_D), **THREE_D)
    [result] = validate([item], params=CAMERA_PARAMS)
    assert result["position"] == THREE_D["position"]
    assert result["dimensions"] == THREE_D["dimensions"]
    assert result["yaw"] == 0.25
    assert list(result)[-4:] == ["position", "dimensions", "yaw", "attributes"]


@pytest.mark.parametrize(
    ("overrides", "path"),
    [
        ({"yaw": None}, f"{A}[0].yaw"),
        ({"position": None}, f"{A}[0].position"),
        ({"position": [3, 1.5, 10]}, f"{A}[0].position"),
        ({"position": {"x": 3, "y": 1.5}}, f"{A}[0].position.z"),
        ({"dimensions": {"length": 4, "width": 0, "height": 1.5}}, f"{A}[0].dimensions.width"),
        ({"dimensions": {"length": "4", "width": 2, "height": 1.5}}, f"{A}[0].dimensions.length"),
        ({"yaw": "0"}, f"{A}[0].yaw"),
    ],
)
def test_cuboid_3d_errors(overrides, path):
    item = cuboid(attributes=None, vertices=projected(THREE_D), **{**THREE_D, **overrides})
    error_at(path, [item], params=CAMERA_PARAMS)


# ---------------------------------------------------------------- attributes across the list


def test_linked_attribute_may_point_to_a_later_annotation():
    items = [
        box(uuid="w", label="bus", attributes={"parent": "t"}),
        box(uuid="t", label="truck", attributes=None),
    ]
    [first, _] = validate(items)
    assert first["attributes"] == {"parent": "t"}


def test_linked_attribute_wrong_label():
    items = [box(uuid="w", label="bus", attributes={"parent": "r"}), polygon(uuid="r")]
    error_at(f"{A}[0].attributes.parent", items)


def test_required_attributes_only_for_responses():
    for kind in ("hypothesis", "base"):
        [result] = validate([box(attributes=None)], kind=kind)
        assert result["attributes"] == {}
    error_at(f"{A}[0].attributes.plate", [box(attributes=None)])


def test_attribute_that_does_not_apply():
    error = error_at(f"{A}[0].attributes.plate", [box(label="bus", attributes={"plate": "x"})])
    assert "does not apply to this annotation" in error.message


def test_global_attribute_on_annotation():
    error_at(f"{A}[0].attributes.weather", [box(attributes={"plate": "x", "weather": "sun"})])


# ---------------------------------------------------------------- base and layers


def test_base_locked():
    [plain, locked] = validate([box(uuid="a"), box(uuid="b", locked=True)], kind="base")
    assert plain["locked"] is False
    assert locked["locked"] is True
    assert list(locked)[-2:] == ["attributes", "locked"]
    error_at(f"{A}[0].locked", [box(locked="yes")], kind="base")


def test_layers_ignore_options_and_labels():
    items = [
        {"type": "box", "left": 0, "top": 0, "width": 1, "height": 1, "label": "anything"},
        {"type": "polygon", "vertices": [{"x": 0, "y": 0}, {"x": 1, "y": 0}, {"x": 1, "y": 1}]},
        {"type": "cuboid", "vertices": cuboid_vertices(width=1, height=1), **THREE_D},
        {
            "type": "box",
            "left": 0,
            "top": 0,
            "width": 1,
            "height": 1,
            "rotation": 0.5,
            "attributes": {"free": ["form"]},
        },
    ]
    params = make_params(geometries={"line": {}})
    result = validate(items, kind="layer", params=params)
    assert result[0]["label"] == "anything"
    assert "label" not in result[1]
    assert result[2]["yaw"] == 0.25
    assert result[3]["rotation"] == 0.5 and len(result[3]["vertices"]) == 4
    assert result[3]["attributes"] == {"free": ["form"]}
    assert all("locked" not in item for item in result)


def test_layer_expected_type():
    items = [{"left": 0, "top": 0, "width": 1, "height": 1}]
    [result] = validate(items, kind="layer", expected_type="box")
    assert result["type"] == "box"
    error_at(f"{A}[0].type", [{"type": "polygon"}], kind="layer", expected_type="box")


@pytest.mark.parametrize(
    ("item", "path"),
    [
        ({"type": "circle"}, f"{A}[0].type"),
        (
            {"type": "box", "left": 0, "top": 0, "width": 1, "height": 1, "label": 3},
            f"{A}[0].label",
        ),
        (
            {"type": "box", "left": 0, "top": 0, "width": 1, "height": 1, "attributes": []},
            f"{A}[0].attributes",
        ),
        ({"type": "polygon", "vertices": [{"x": 0, "y": 0}] * 2}, f"{A}[0].vertices"),
    ],
)
def test_layer_errors(item, path):
    error_at(path, [item], kind="layer")


# ---------------------------------------------------------------- responses

R = "response"


def response_error(path, response, params=PARAMS, kind="response"):
    with pytest.raises(RuleError) as info:
        validate_response(response, params, kind=kind)
    assert info.value.path == path, str(info.value)
    return info.value


def test_response_full():
    response = {
        "annotations": [
            box(uuid="car1"),
            box(uuid="truck1", label="truck", attributes=None),
            box(uuid="bus1", label="bus", attributes=None),
            polygon(uuid="road1"),
        ],
        "global_attributes": {"weather": "rain"},
        "links": [
            {"label": "towing", "from": "truck1", "to": "car1"},
            {"label": "near", "from": "bus1", "to": "road1"},
            {"label": "near", "from": "road1", "to": "bus1", "extra": 1},
        ],
        "extra": "dropped",
    }
    result = validate_response(response, PARAMS)
    assert list(result) == ["annotations", "global_attributes", "links"]
    assert result["global_attributes"] == {"weather": "rain"}
    assert result["links"][2] == {"label": "near", "from": "road1", "to": "bus1"}


def test_response_defaults_when_defined():
    result = validate_response({"annotations": []}, PARAMS, kind="hypothesis")
    assert result == {"annotations": [], "global_attributes": {}, "links": []}


def test_response_without_globals_or_links_defined():
    params = make_params(annotation_attributes=None, links=None)
    assert validate_response({"annotations": []}, params) == {"annotations": []}
    given_empty = validate_response(
        {"annotations": [], "global_attributes": {}, "links": []}, params
    )
    assert given_empty == {"annotations": [], "global_attributes": {}, "links": []}
    response_error(
        f"{R}.global_attributes.weather",
        {"annotations": [], "global_attributes": {"weather": "sun"}},
        params,
    )
    response_error(
        f"{R}.links[0].label",
        {"annotations": [], "links": [{"label": "x", "from": "a", "to": "b"}]},
        params,
    )


def test_required_global_attribute():
    response_error(f"{R}.global_attributes.weather", {"annotations": []})


TWO = [
    box(uuid="car1"),
    box(uuid="truck1", label="truck", attributes=None),
    box(uuid="car2", attributes={"plate": "Y"}),
]


def with_links(*links):
    return {"annotations": TWO, "global_attributes": {"weather": "sun"}, "links": list(links)}


@pytest.mark.parametrize(
    ("response", "path"),
    [
        ("x", R),
        ({}, f"{R}.annotations"),
        ({"annotations": None}, f"{R}.annotations"),
        ({"annotations": {}}, f"{R}.annotations"),
        ({"annotations": [], "global_attributes": []}, f"{R}.global_attributes"),
        (
            {"annotations": [], "global_attributes": {"weather": "snow"}},
            f"{R}.global_attributes.weather",
        ),
        (with_links("x"), f"{R}.links[0]"),
        ({**with_links(), "links": {}}, f"{R}.links"),
        (with_links({"from": "truck1", "to": "car1"}), f"{R}.links[0].label"),
        (with_links({"label": "pulls", "from": "truck1", "to": "car1"}), f"{R}.links[0].label"),
        (with_links({"label": "towing", "to": "car1"}), f"{R}.links[0].from"),
        (with_links({"label": "towing", "from": "truck1"}), f"{R}.links[0].to"),
        (with_links({"label": "towing", "from": "nope", "to": "car1"}), f"{R}.links[0].from"),
        (with_links({"label": "towing", "from": "truck1", "to": 5}), f"{R}.links[0].to"),
        (with_links({"label": "towing", "from": "car1", "to": "car1"}), f"{R}.links[0].to"),
        (with_links({"label": "towing", "from": "car1", "to": "truck1"}), f"{R}.links[0]"),
        (with_links({"label": "towing", "from": "car1", "to": "car2"}), f"{R}.links[0]"),
        (
            with_links(
                {"label": "towing", "from": "truck1", "to": "car1"},
                {"label": "towing", "from": "truck1", "to": "car1"},
            ),
            f"{R}.links[1]",
        ),
    ],
)
def test_response_errors(response, path):
    response_error(path, response)


def test_link_rule_message():
    error = response_error(
        f"{R}.links[0]", with_links({"label": "towing", "from": "car1", "to": "truck1"})
    )
    assert '"car"' in error.message and '"truck"' in error.message


def test_links_may_point_across_to_another_link_target():
    result = validate_response(
        with_links(
            {"label": "towing", "from": "truck1", "to": "car1"},
            {"label": "towing", "from": "truck1", "to": "car2"},
        ),
        PARAMS,
    )
    assert len(result["links"]) == 2


# ---------------------------------------------------------------- robustness

KEYS = [
    "uuid",
    "type",
    "label",
    "left",
    "top",
    "width",
    "height",
    "rotation",
    "vertices",
    "x",
    "y",
    "description",
    "attributes",
    "locked",
    "position",
    "dimensions",
    "yaw",
    "plate",
    "parent",
    "occluded",
    "weather",
    "length",
    "z",
    "annotations",
    "global_attributes",
    "links",
    "from",
    "to",
]
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**9), max_value=10**9)
    | st.floats()
    | st.sampled_from(
        [
            "box",
            "polygon",
            "line",
            "point",
            "ellipse",
            "cuboid",
            "car",
            "truck",
            "road",
            "b1",
            "yes",
            "towing",
            "face-topleft",
            "vertex",
        ]
    )
    | st.text(max_size=4)
)
JSON_LIKE = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=7)
        | st.dictionaries(st.sampled_from(KEYS), children, max_size=8)
    ),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(JSON_LIKE, st.sampled_from(["hypothesis", "base", "layer", "response"]))
def test_arbitrary_annotations_only_raise_rule_error(annotations, kind):
    for params in (PARAMS, ROTATING, INTEGER_ROTATING, CAMERA_PARAMS):
        with contextlib.suppress(RuleError):
            validate(annotations, kind, params)


COORD = st.integers(min_value=-1000, max_value=1000) | st.floats(min_value=-1000, max_value=1000)
SIZE = st.floats(min_value=5, max_value=500)
POINT = st.fixed_dictionaries({"x": COORD, "y": COORD})
ATTRIBUTES = st.fixed_dictionaries(
    {},
    optional={
        "occluded": st.sampled_from(["yes", "no"]),
        "plate": st.text(max_size=3),
        "parent": st.sampled_from(["a", "b", "c"]),
    },
)
COMMON = {"uuid": st.sampled_from(["a", "b", "c", "d"]), "attributes": ATTRIBUTES}


def shape(kind, labels, required, **optional):
    return st.fixed_dictionaries(
        {"type": st.just(kind), "label": st.sampled_from(labels), **required},
        optional={**COMMON, **optional},
    )


CUBOID_POINTS = (
    st.permutations(CUBOID_VERTEX_NAMES)
    .flatmap(
        lambda names: st.tuples(
            *[POINT.map(lambda p, n=name: {**p, "description": n}) for name in names]
        )
    )
    .map(list)
)
VALID_SHAPE = st.one_of(
    shape(
        "box",
        ["car", "truck", "bus"],
        {"left": COORD, "top": COORD, "width": SIZE, "height": SIZE},
        rotation=COORD,
    ),
    shape("polygon", ["road"], {"vertices": st.lists(POINT, min_size=4, max_size=6)}),
    shape("line", ["car"], {"vertices": st.lists(POINT, min_size=2, max_size=5)}),
    shape("point", ["nose", "eye"], {"x": COORD, "y": COORD}),
    shape("ellipse", ["face"], {"vertices": st.lists(POINT, min_size=4, max_size=4)}),
    shape(
        "cuboid",
        ["car"],
        {"vertices": CUBOID_POINTS},
        yaw=COORD,
        position=st.fixed_dictionaries({"x": COORD, "y": COORD, "z": COORD}),
        dimensions=st.fixed_dictionaries({"length": SIZE, "width": SIZE, "height": SIZE}),
    ),
)
MUTATION = st.none() | st.tuples(st.sampled_from(KEYS), JSON_LIKE)


def mutate(item, mutation):
    if mutation is not None:
        item = {**item, mutation[0]: mutation[1]}
    return item


NEAR_VALID = st.builds(mutate, VALID_SHAPE, MUTATION)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(NEAR_VALID, max_size=4), st.sampled_from(["hypothesis", "base", "layer", "response"])
)
def test_near_valid_annotations_only_raise_rule_error(annotations, kind):
    for params in (PARAMS, ROTATING, INTEGER_ROTATING, CAMERA_PARAMS):
        try:
            result = validate(annotations, kind, params)
        except RuleError:
            continue
        assert len(result) == len(annotations)
        assert validate(result, kind, params) == result  # the output is a fixed point


@settings(max_examples=200, deadline=None)
@given(JSON_LIKE)
def test_arbitrary_responses_only_raise_rule_error(response):
    with contextlib.suppress(RuleError):
        validate_response(response, PARAMS)


def test_drafts_leave_minimum_sizes_to_the_submit():
    from tasks.rules.params import normalize_image_params

    params = normalize_image_params({
        "attachment": "https://example.com/a.png",
        "geometries": {"box": {"objects_to_annotate": ["car"], "min_width": 10}},
    })
    small = {"type": "box", "label": "car", "left": 0, "top": 0, "width": 2, "height": 2}
    (kept,) = validate_annotations([small], params, path="a", kind="draft")
    assert kept["width"] == 2
    with pytest.raises(RuleError, match="width"):
        validate_annotations([small], params, path="a", kind="response")

"""tasks.rules.geometry: geometry options and the math of the response format."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tasks.rules.errors import RuleError
from tasks.rules.geometry import (
    CUBOID_VERTEX_NAMES,
    Camera,
    box_corners,
    cuboid_edges,
    cuboid_from_3d,
    ellipse_extremes,
    label_tree,
    leaf_labels,
    normalize_geometries,
    project_point,
    quaternion_matrix,
)

G = "geometries"


def error_at(path, geoms):
    with pytest.raises(RuleError) as info:
        normalize_geometries(geoms)
    assert info.value.path == path, str(info.value)
    return info.value


def approx_points(points, expected):
    assert len(points) == len(expected)
    for point, (x, y) in zip(points, expected, strict=True):
        assert point["x"] == pytest.approx(x, abs=1e-9)
        assert point["y"] == pytest.approx(y, abs=1e-9)


# ---------------------------------------------------------------- options: defaults


def test_defaults_for_every_geometry():
    result = normalize_geometries(
        {"box": {}, "polygon": {}, "line": {}, "point": {}, "cuboid": {}, "ellipse": {}}
    )
    assert result == {
        "box": {
            "objects_to_annotate": [],
            "min_height": 0,
            "min_width": 0,
            "can_rotate": False,
            "integer_pixels": False,
        },
        "polygon": {"objects_to_annotate": [], "min_vertices": 1, "max_vertices": None},
        "line": {"objects_to_annotate": [], "min_vertices": 1, "max_vertices": None},
        "point": {"objects_to_annotate": [], "connections": []},
        "cuboid": {
            "objects_to_annotate": [],
            "min_height": 0,
            "min_width": 0,
            "camera_intrinsics": None,
            "camera_rotation_quaternion": None,
            "camera_height": None,
        },
        "ellipse": {"objects_to_annotate": []},
    }


def test_null_valued_options_take_defaults():
    result = normalize_geometries(
        {
            "box": {
                "min_height": None,
                "min_width": None,
                "can_rotate": None,
                "integer_pixels": None,
            },
            "polygon": {"min_vertices": None, "max_vertices": None, "objects_to_annotate": None},
        }
    )
    assert result["box"]["min_height"] == 0
    assert result["box"]["can_rotate"] is False
    assert result["polygon"] == {"objects_to_annotate": [], "min_vertices": 1, "max_vertices": None}


def test_explicit_values_kept():
    result = normalize_geometries(
        {
            "box": {
                "objects_to_annotate": [
                    "car",
                    {"choice": "vehicle", "subchoices": ["truck", "bus"]},
                ],
                "min_width": 5,
                "min_height": 5.5,
                "can_rotate": True,
                "integer_pixels": True,
            },
            "polygon": {"objects_to_annotate": ["road"], "min_vertices": 3, "max_vertices": 3},
            "line": {"min_vertices": 2.0, "max_vertices": 9},
        }
    )
    assert result["box"] == {
        "objects_to_annotate": ["car", {"choice": "vehicle", "subchoices": ["truck", "bus"]}],
        "min_height": 5.5,
        "min_width": 5,
        "can_rotate": True,
        "integer_pixels": True,
    }
    assert result["polygon"]["max_vertices"] == 3
    assert result["line"]["min_vertices"] == 2 and isinstance(result["line"]["min_vertices"], int)


def test_null_geometry_is_not_enabled():
    assert list(normalize_geometries({"box": {}, "polygon": None})) == ["box"]


def test_unknown_option_keys_are_kept():
    result = normalize_geometries({"box": {"colour": "red", "hint": None}})
    assert result["box"]["colour"] == "red"
    assert "hint" not in result["box"]


def test_same_label_in_two_geometries_is_fine():
    result = normalize_geometries(
        {"box": {"objects_to_annotate": ["car"]}, "polygon": {"objects_to_annotate": ["car"]}}
    )
    assert leaf_labels(result) == {"car"}


def test_input_not_mutated():
    geoms = {"box": {"min_height": None}, "cuboid": {"camera_intrinsics": {"fx": None}}}
    normalize_geometries(geoms)
    assert geoms == {"box": {"min_height": None}, "cuboid": {"camera_intrinsics": {"fx": None}}}


def test_label_helpers():
    result = normalize_geometries(
        {
            "box": {"objects_to_annotate": ["car", {"choice": "g", "subchoices": ["bus"]}]},
            "point": {"objects_to_annotate": ["eye"]},
            "line": {},
        }
    )
    assert label_tree(result, "box").leaves == ["car", "bus"]
    assert label_tree(result, "line").is_empty
    assert label_tree(result, "ellipse").is_empty
    assert leaf_labels(result) == {"car", "bus", "eye"}


# ---------------------------------------------------------------- options: errors


@pytest.mark.parametrize(
    ("geoms", "path"),
    [
        (None, G),
        ([], G),
        ({}, G),
        ({"box": None}, G),
        ({"circle": {}}, f"{G}.circle"),
        ({"box": {}, "Box": {}}, f"{G}.Box"),
        ({"box": []}, f"{G}.box"),
        ({"box": True}, f"{G}.box"),
        ({"box": {"objects_to_annotate": "car"}}, f"{G}.box.objects_to_annotate"),
        ({"box": {"objects_to_annotate": ["a", ""]}}, f"{G}.box.objects_to_annotate[1]"),
        ({"box": {"objects_to_annotate": ["a", "a"]}}, f"{G}.box.objects_to_annotate[1]"),
        ({"box": {"min_height": -1}}, f"{G}.box.min_height"),
        ({"box": {"min_width": "5"}}, f"{G}.box.min_width"),
        ({"box": {"min_width": True}}, f"{G}.box.min_width"),
        ({"box": {"min_width": float("inf")}}, f"{G}.box.min_width"),
        ({"box": {"can_rotate": "false"}}, f"{G}.box.can_rotate"),
        ({"box": {"can_rotate": 0}}, f"{G}.box.can_rotate"),
        ({"box": {"integer_pixels": 1}}, f"{G}.box.integer_pixels"),
        ({"polygon": {"min_vertices": 0}}, f"{G}.polygon.min_vertices"),
        ({"polygon": {"min_vertices": 2.5}}, f"{G}.polygon.min_vertices"),
        ({"polygon": {"min_vertices": "3"}}, f"{G}.polygon.min_vertices"),
        ({"polygon": {"min_vertices": 10_001}}, f"{G}.polygon.min_vertices"),
        ({"polygon": {"max_vertices": "9"}}, f"{G}.polygon.max_vertices"),
        ({"polygon": {"min_vertices": 5, "max_vertices": 4}}, f"{G}.polygon.max_vertices"),
        ({"polygon": {"max_vertices": 2}}, f"{G}.polygon.max_vertices"),
        ({"line": {"max_vertices": 1}}, f"{G}.line.max_vertices"),
        ({"line": {"min_vertices": True}}, f"{G}.line.min_vertices"),
        ({"point": {"connections": {}}}, f"{G}.point.connections"),
        ({"cuboid": {"min_height": -0.1}}, f"{G}.cuboid.min_height"),
        ({"cuboid": {"min_width": "1"}}, f"{G}.cuboid.min_width"),
    ],
)
def test_option_errors(geoms, path):
    error_at(path, geoms)


def test_max_vertices_message():
    error = error_at(
        f"{G}.polygon.max_vertices", {"polygon": {"min_vertices": 5, "max_vertices": 4}}
    )
    assert error.message == "must be >= min_vertices"
    assert str(error) == "geometries.polygon.max_vertices must be >= min_vertices"


def test_custom_path():
    with pytest.raises(RuleError) as info:
        normalize_geometries({"circle": {}}, "params.geometries")
    assert info.value.path == "params.geometries.circle"


# ---------------------------------------------------------------- point connections

POINTS = {"objects_to_annotate": ["left_eye", "right_eye", "nose"]}


def point_with(connections):
    return {"point": {**POINTS, "connections": connections}}


def test_connections_valid():
    connections = [
        {"pair": ["left_eye", "right_eye"], "connection_attribute": "face"},
        {"pair": ["nose", "left_eye"], "connection_attribute": None, "colour": "red"},
    ]
    result = normalize_geometries(point_with(connections))
    assert result["point"]["connections"] == [
        {"pair": ["left_eye", "right_eye"], "connection_attribute": "face"},
        {"pair": ["nose", "left_eye"], "colour": "red"},
    ]


@pytest.mark.parametrize(
    ("connection", "path"),
    [
        ("x", f"{G}.point.connections[0]"),
        ({}, f"{G}.point.connections[0].pair"),
        ({"pair": None}, f"{G}.point.connections[0].pair"),
        ({"pair": "nose"}, f"{G}.point.connections[0].pair"),
        ({"pair": ["nose"]}, f"{G}.point.connections[0].pair"),
        ({"pair": ["nose", "nose", "nose"]}, f"{G}.point.connections[0].pair"),
        ({"pair": ["nose", "ear"]}, f"{G}.point.connections[0].pair[1]"),
        ({"pair": [1, "nose"]}, f"{G}.point.connections[0].pair[0]"),
        ({"pair": ["nose", "nose"]}, f"{G}.point.connections[0].pair"),
        (
            {"pair": ["nose", "left_eye"], "connection_attribute": ""},
            f"{G}.point.connections[0].connection_attribute",
        ),
        (
            {"pair": ["nose", "left_eye"], "connection_attribute": 3},
            f"{G}.point.connections[0].connection_attribute",
        ),
    ],
)
def test_connection_errors(connection, path):
    error_at(path, point_with([connection]))


def test_connections_need_point_labels():
    error_at(
        f"{G}.point.connections[0].pair[0]", {"point": {"connections": [{"pair": ["a", "b"]}]}}
    )


# ---------------------------------------------------------------- cuboid camera

INTRINSICS = {"fx": 1000, "fy": 1000, "cx": 640, "cy": 360}
HALF = math.sqrt(0.5)
LEVEL = {"w": HALF, "x": -HALF, "y": 0, "z": 0}  # camera looking horizontally along world +y


def cuboid(**options):
    return {"cuboid": options}


def test_full_camera():
    result = normalize_geometries(
        cuboid(camera_intrinsics=INTRINSICS, camera_rotation_quaternion=LEVEL, camera_height=1.5)
    )["cuboid"]
    assert result["camera_intrinsics"] == {**INTRINSICS, "skew": 0, "scalefactor": 1}
    assert result["camera_rotation_quaternion"] == LEVEL
    assert result["camera_height"] == 1.5


def test_scale_factor_alias():
    intrinsics = {**INTRINSICS, "scale_factor": 2, "skew": 0.5}
    result = normalize_geometries(
        cuboid(camera_intrinsics=intrinsics, camera_rotation_quaternion=LEVEL, camera_height=1)
    )["cuboid"]["camera_intrinsics"]
    assert result == {**INTRINSICS, "skew": 0.5, "scalefactor": 2}
    both = {**INTRINSICS, "scale_factor": 2, "scalefactor": 2}
    assert (
        normalize_geometries(
            cuboid(camera_intrinsics=both, camera_rotation_quaternion=LEVEL, camera_height=1)
        )["cuboid"]["camera_intrinsics"]["scalefactor"]
        == 2
    )


def test_all_null_camera_objects_are_absent():
    result = normalize_geometries(
        cuboid(
            camera_intrinsics={
                key: None for key in ("fx", "fy", "cx", "cy", "skew", "scalefactor")
            },
            camera_rotation_quaternion={"w": None, "x": None, "y": None, "z": None},
            camera_height=None,
        )
    )["cuboid"]
    assert result["camera_intrinsics"] is None
    assert result["camera_rotation_quaternion"] is None
    assert result["camera_height"] is None
    assert normalize_geometries(cuboid(camera_intrinsics={}))["cuboid"]["camera_intrinsics"] is None


def full_camera(**overrides):
    options = {
        "camera_intrinsics": INTRINSICS,
        "camera_rotation_quaternion": LEVEL,
        "camera_height": 1.5,
    }
    options.update(overrides)
    return cuboid(**options)


C = f"{G}.cuboid"


@pytest.mark.parametrize(
    ("geoms", "path"),
    [
        (cuboid(camera_intrinsics=INTRINSICS), f"{C}.camera_rotation_quaternion"),
        (cuboid(camera_height=1.5), f"{C}.camera_intrinsics"),
        (
            cuboid(camera_intrinsics=INTRINSICS, camera_rotation_quaternion=LEVEL),
            f"{C}.camera_height",
        ),
        (full_camera(camera_intrinsics="x"), f"{C}.camera_intrinsics"),
        (full_camera(camera_intrinsics={**INTRINSICS, "fy": None}), f"{C}.camera_intrinsics.fy"),
        (full_camera(camera_intrinsics={"fx": 1}), f"{C}.camera_intrinsics.fy"),
        (full_camera(camera_intrinsics={**INTRINSICS, "fx": 0}), f"{C}.camera_intrinsics.fx"),
        (full_camera(camera_intrinsics={**INTRINSICS, "fx": "9"}), f"{C}.camera_intrinsics.fx"),
        (full_camera(camera_intrinsics={**INTRINSICS, "cx": True}), f"{C}.camera_intrinsics.cx"),
        (full_camera(camera_intrinsics={**INTRINSICS, "skew": "0"}), f"{C}.camera_intrinsics.skew"),
        (
            full_camera(camera_intrinsics={**INTRINSICS, "scalefactor": 0}),
            f"{C}.camera_intrinsics.scalefactor",
        ),
        (
            full_camera(camera_intrinsics={**INTRINSICS, "scale_factor": -2}),
            f"{C}.camera_intrinsics.scale_factor",
        ),
        (
            full_camera(camera_intrinsics={**INTRINSICS, "scalefactor": 1, "scale_factor": 2}),
            f"{C}.camera_intrinsics.scale_factor",
        ),
        (full_camera(camera_rotation_quaternion=[1, 0, 0, 0]), f"{C}.camera_rotation_quaternion"),
        (
            full_camera(camera_rotation_quaternion={"w": 1, "x": 0, "y": 0}),
            f"{C}.camera_rotation_quaternion.z",
        ),
        (
            full_camera(camera_rotation_quaternion={"w": 1, "x": 0, "y": 0, "z": "0"}),
            f"{C}.camera_rotation_quaternion.z",
        ),
        (
            full_camera(camera_rotation_quaternion={"w": 1, "x": 1, "y": 0, "z": 0}),
            f"{C}.camera_rotation_quaternion",
        ),
        (full_camera(camera_height=0), f"{C}.camera_height"),
        (full_camera(camera_height=-1), f"{C}.camera_height"),
        (full_camera(camera_height="1.5"), f"{C}.camera_height"),
    ],
)
def test_camera_errors(geoms, path):
    error_at(path, geoms)


def test_quaternion_tolerance():
    near = {"w": 1.0005, "x": 0, "y": 0, "z": 0}
    assert normalize_geometries(full_camera(camera_rotation_quaternion=near))
    far = {"w": 1.002, "x": 0, "y": 0, "z": 0}
    error = error_at(f"{C}.camera_rotation_quaternion", full_camera(camera_rotation_quaternion=far))
    assert "unit length" in error.message


def test_camera_together_message():
    error = error_at(
        f"{C}.camera_height", cuboid(camera_intrinsics=INTRINSICS, camera_rotation_quaternion=LEVEL)
    )
    assert "together" in error.message


# ---------------------------------------------------------------- box_corners


def test_box_corners_unrotated():
    approx_points(box_corners(0, 0, 10, 20, 0), [(0, 0), (10, 0), (10, 20), (0, 20)])
    approx_points(box_corners(5, 7, 2, 3), [(5, 7), (7, 7), (7, 10), (5, 10)])


def test_box_corners_quarter_turn_clockwise():
    # A 10x20 box at the origin, centre (5, 10), turned 90 degrees clockwise on screen:
    # its top-left corner (offset -5, -10) goes to offset (+10, -5), i.e. (15, 5).
    approx_points(box_corners(0, 0, 10, 20, math.pi / 2), [(15, 5), (15, 15), (-5, 15), (-5, 5)])


def test_box_corners_half_turn():
    approx_points(box_corners(0, 0, 10, 20, math.pi), [(10, 20), (0, 20), (0, 0), (10, 0)])


def test_box_corners_small_clockwise_turn_moves_top_right_down():
    corners = box_corners(0, 0, 10, 10, 0.1)
    assert corners[1]["y"] > 0  # top-right corner goes down on screen
    assert corners[0]["y"] < 0  # top-left corner goes up


finite = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False)
positive = st.floats(min_value=0.1, max_value=1e4)
angle = st.floats(min_value=-10, max_value=10)


@given(finite, finite, positive, positive, angle)
def test_box_corners_preserve_sides_and_centre(left, top, width, height, rotation):
    corners = box_corners(left, top, width, height, rotation)

    def dist(a, b):
        return math.hypot(a["x"] - b["x"], a["y"] - b["y"])

    tolerance = 1e-6 * (1 + abs(left) + abs(top) + width + height)
    assert dist(corners[0], corners[1]) == pytest.approx(width, abs=tolerance)
    assert dist(corners[1], corners[2]) == pytest.approx(height, abs=tolerance)
    assert dist(corners[2], corners[3]) == pytest.approx(width, abs=tolerance)
    assert dist(corners[3], corners[0]) == pytest.approx(height, abs=tolerance)
    assert sum(c["x"] for c in corners) / 4 == pytest.approx(left + width / 2, abs=tolerance)
    assert sum(c["y"] for c in corners) / 4 == pytest.approx(top + height / 2, abs=tolerance)


# ---------------------------------------------------------------- ellipse_extremes


def test_ellipse_extremes_unrotated():
    approx_points(ellipse_extremes(100, 50, 30, 10, 0), [(130, 50), (100, 60), (70, 50), (100, 40)])


def test_ellipse_extremes_quarter_turn():
    approx_points(
        ellipse_extremes(100, 50, 30, 10, math.pi / 2), [(100, 80), (90, 50), (100, 20), (110, 50)]
    )


@given(finite, finite, positive, positive, angle)
def test_ellipse_extremes_are_symmetric_and_perpendicular(cx, cy, rx, ry, rotation):
    a, b, c, d = ellipse_extremes(cx, cy, rx, ry, rotation)
    tolerance = 1e-6 * (1 + abs(cx) + abs(cy) + rx + ry)
    assert (a["x"] + c["x"]) / 2 == pytest.approx(cx, abs=tolerance)
    assert (b["y"] + d["y"]) / 2 == pytest.approx(cy, abs=tolerance)
    assert math.hypot(a["x"] - c["x"], a["y"] - c["y"]) == pytest.approx(2 * rx, abs=tolerance)
    assert math.hypot(b["x"] - d["x"], b["y"] - d["y"]) == pytest.approx(2 * ry, abs=tolerance)
    dot = (a["x"] - c["x"]) * (b["x"] - d["x"]) + (a["y"] - c["y"]) * (b["y"] - d["y"])
    assert dot == pytest.approx(0, abs=tolerance * (rx + ry + 1) * 4)


# ---------------------------------------------------------------- cuboid_edges


def vertices(points):
    return [
        {"x": x, "y": y, "description": name, "type": "vertex"}
        for (x, y), name in zip(points, CUBOID_VERTEX_NAMES, strict=True)
    ]


def test_cuboid_edges_side_on_the_right():
    # face 0..10 x 0..10, side corners at x = 15 (right of the face centre x = 5)
    verts = vertices([(0, 0), (0, 10), (10, 0), (10, 10), (15, -3), (15, 7)])
    assert cuboid_edges(verts) == [
        {"x1": 0, "y1": 0, "x2": 10, "y2": 0, "description": "face-top", "type": "edge"},
        {"x1": 10, "y1": 0, "x2": 10, "y2": 10, "description": "face-right", "type": "edge"},
        {"x1": 10, "y1": 10, "x2": 0, "y2": 10, "description": "face-bottom", "type": "edge"},
        {"x1": 0, "y1": 10, "x2": 0, "y2": 0, "description": "face-left", "type": "edge"},
        {"x1": 10, "y1": 10, "x2": 15, "y2": 7, "description": "side-bottom", "type": "edge"},
        {"x1": 10, "y1": 0, "x2": 15, "y2": -3, "description": "side-top", "type": "edge"},
    ]


def test_cuboid_edges_side_on_the_left():
    verts = vertices([(0, 0), (0, 10), (10, 0), (10, 10), (-5, -3), (-5, 7)])
    edges = {edge["description"]: edge for edge in cuboid_edges(verts)}
    assert (edges["side-bottom"]["x1"], edges["side-bottom"]["y1"]) == (0, 10)
    assert (edges["side-top"]["x1"], edges["side-top"]["y1"]) == (0, 0)
    assert (edges["side-top"]["x2"], edges["side-top"]["y2"]) == (-5, -3)


def test_cuboid_edges_order_independent_of_vertex_order():
    verts = vertices([(0, 0), (0, 10), (10, 0), (10, 10), (15, -3), (15, 7)])
    assert cuboid_edges(list(reversed(verts))) == cuboid_edges(verts)


def test_cuboid_edges_missing_vertex():
    verts = vertices([(0, 0), (0, 10), (10, 0), (10, 10), (15, -3), (15, 7)])[:5]
    with pytest.raises(ValueError, match="side-bottomcorner"):
        cuboid_edges(verts)


# ---------------------------------------------------------------- camera model

CAMERA = Camera(
    fx=1000,
    fy=1000,
    cx=640,
    cy=360,
    skew=0,
    scalefactor=1,
    rotation=(HALF, -HALF, 0, 0),
    height=1.5,
)


def test_quaternion_matrix_level_camera():
    # camera x -> world x, camera y (down) -> world -z, camera z (forward) -> world y
    matrix = quaternion_matrix((HALF, -HALF, 0, 0))
    expected = ((1, 0, 0), (0, 0, 1), (0, -1, 0))
    for row, want in zip(matrix, expected, strict=True):
        assert row == pytest.approx(want, abs=1e-12)


def test_quaternion_identity():
    assert quaternion_matrix((1, 0, 0, 0)) == ((1, 0, 0), (0, 1, 0), (0, 0, 1))
    # normalized before use
    assert quaternion_matrix((2, 0, 0, 0)) == ((1, 0, 0), (0, 1, 0), (0, 0, 1))


def test_camera_frames_round_trip():
    assert CAMERA.to_world((0, 0, 0)) == pytest.approx((0, 0, 1.5))
    assert CAMERA.to_world((0, 1.5, 10)) == pytest.approx((0, 10, 0))  # on the ground
    assert CAMERA.to_camera((3, 10, 0)) == pytest.approx((3, 1.5, 10))


def test_project_point():
    assert project_point((0, 0, 10), CAMERA) == pytest.approx((640, 360))
    assert project_point((1, 0.5, 10), CAMERA) == pytest.approx((740, 410))


def test_project_point_skew_and_scalefactor():
    camera = Camera(
        fx=1000, fy=800, cx=640, cy=360, skew=2, scalefactor=2, rotation=(1, 0, 0, 0), height=1
    )
    # u = (1000*1 + 2*0.5)/10 + 640 = 740.1, v = 800*0.5/10 + 360 = 400; then halved
    assert project_point((1, 0.5, 10), camera) == pytest.approx((370.05, 200))


def test_project_point_behind_camera():
    with pytest.raises(ValueError):
        project_point((0, 0, 0), CAMERA)
    with pytest.raises(ValueError):
        project_point((0, 0, -1), CAMERA)


def test_camera_from_options():
    options = normalize_geometries(full_camera(camera_intrinsics={**INTRINSICS, "scale_factor": 2}))
    camera = Camera.from_options(options["cuboid"])
    assert camera == Camera(
        fx=1000,
        fy=1000,
        cx=640,
        cy=360,
        skew=0,
        scalefactor=2,
        rotation=(HALF, -HALF, 0, 0),
        height=1.5,
    )
    assert Camera.from_options(normalize_geometries(cuboid())["cuboid"]) is None


def by_name(result):
    return {vertex["description"]: (vertex["x"], vertex["y"]) for vertex in result["vertices"]}


def test_cuboid_from_3d_straight_ahead_to_the_right():
    # A 4 m long, 2 m wide, 1.5 m tall box 10 m ahead and 3 m right, heading away (yaw 0).
    # Its back face (world y = 8, x 2..4) is nearest: u = 1000*2/8+640 = 890 and 1140,
    # v = 360 (top, at camera height) and 1000*1.5/8+360 = 547.5. The visible side is its
    # left face (x = 2), whose far edge at 12 m projects to u = 2000/12+640, v 360 / 485.
    result = cuboid_from_3d(
        {"x": 3, "y": 1.5, "z": 10}, {"length": 4, "width": 2, "height": 1.5}, 0, CAMERA
    )
    points = by_name(result)
    assert points["face-topleft"] == pytest.approx((890, 360))
    assert points["face-bottomleft"] == pytest.approx((890, 547.5))
    assert points["face-topright"] == pytest.approx((1140, 360))
    assert points["face-bottomright"] == pytest.approx((1140, 547.5))
    assert points["side-topcorner"] == pytest.approx((2000 / 12 + 640, 360))
    assert points["side-bottomcorner"] == pytest.approx((2000 / 12 + 640, 485))
    assert [v["description"] for v in result["vertices"]] == list(CUBOID_VERTEX_NAMES)
    assert all(v["type"] == "vertex" for v in result["vertices"])
    edges = {edge["description"]: edge for edge in result["edges"]}
    assert (edges["side-top"]["x1"], edges["side-top"]["y1"]) == pytest.approx((890, 360))
    assert (edges["side-bottom"]["x1"], edges["side-bottom"]["y1"]) == pytest.approx((890, 547.5))


def test_cuboid_from_3d_yaw_quarter_turn():
    # yaw pi/2: heading points left (world -x), so the 4 m length spans x -2..2 and the
    # near face is its right-hand long side at y = 9: u = 640 -+ 2000/9.
    result = cuboid_from_3d(
        {"x": 0, "y": 1.5, "z": 10}, {"length": 4, "width": 2, "height": 1.5}, math.pi / 2, CAMERA
    )
    points = by_name(result)
    assert points["face-topleft"] == pytest.approx((640 - 2000 / 9, 360))
    assert points["face-topright"] == pytest.approx((640 + 2000 / 9, 360))
    assert points["face-bottomleft"] == pytest.approx((640 - 2000 / 9, 360 + 1500 / 9))
    # the two short ends are equally near; the far edge of the nose (x = -2, y = 11) is used
    assert points["side-topcorner"] == pytest.approx((640 - 2000 / 11, 360))
    assert points["side-bottomcorner"] == pytest.approx((640 - 2000 / 11, 360 + 1500 / 11))


def test_cuboid_from_3d_accepts_options_dict():
    options = normalize_geometries(full_camera())["cuboid"]
    result = cuboid_from_3d(
        {"x": 3, "y": 1.5, "z": 10}, {"length": 4, "width": 2, "height": 1.5}, 0, options
    )
    assert by_name(result)["face-topleft"] == pytest.approx((890, 360))


def test_cuboid_from_3d_without_camera():
    with pytest.raises(RuleError) as info:
        cuboid_from_3d(
            {"x": 0, "y": 0, "z": 1}, {"length": 1, "width": 1, "height": 1}, 0, {}, path="p"
        )
    assert info.value.path == "p"


def test_cuboid_from_3d_behind_camera():
    with pytest.raises(RuleError) as info:
        cuboid_from_3d(
            {"x": 0, "y": 1.5, "z": -10},
            {"length": 4, "width": 2, "height": 1.5},
            0,
            CAMERA,
            path="response.annotations[0]",
        )
    assert info.value.path == "response.annotations[0]"
    assert "in front of the camera" in info.value.message


@given(
    st.floats(min_value=-math.pi, max_value=math.pi),
    st.floats(min_value=-5, max_value=5),
    st.floats(min_value=8, max_value=40),
)
def test_cuboid_from_3d_shape_properties(yaw, x, z):
    result = cuboid_from_3d(
        {"x": x, "y": 1.5, "z": z}, {"length": 4, "width": 2, "height": 1.5}, yaw, CAMERA
    )
    points = by_name(result)
    # left/right of the face as seen on screen
    assert points["face-topleft"][0] <= points["face-topright"][0] + 1e-9
    # the camera is level at 1.5 m: the top (1.5 m high) projects onto the horizon v = 360
    for name in ("face-topleft", "face-topright", "side-topcorner"):
        assert points[name][1] == pytest.approx(360)
    for name in ("face-bottomleft", "face-bottomright", "side-bottomcorner"):
        assert points[name][1] > 360
    assert len(result["edges"]) == 6

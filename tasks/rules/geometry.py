"""Geometry options (docs/task-format.md) and the pure math behind the response format.

Options: `normalize_geometries` validates `params.geometries` and fills the defaults. Null
option values mean "not given"; a geometry whose whole value is null is not enabled. Unknown
option keys are kept (forward compatibility); unknown geometry names are an error.

Math (image coordinates: x right, y down, so a positive angle turns clockwise on screen):
`box_corners`, `ellipse_extremes`, `cuboid_edges`, and the 3D camera model
(docs/task-format.md "3D cuboids": `Camera`, `project_point`, `cuboid_from_3d`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .constants import FLOOR_VERTICES, LIMITS
from .errors import RuleError, join
from .labels import LabelTree
from .values import require_bool, require_dict, require_int, require_number, require_string

GEOMETRY_NAMES = ("box", "polygon", "line", "point", "cuboid", "ellipse")
# Shared with the page (static/js/lib/rules-constants.json, docs/rules.md).
MAX_VERTICES = int(LIMITS["max_vertices"])
CUBOID_VERTEX_NAMES = (
    "face-topleft",
    "face-bottomleft",
    "face-topright",
    "face-bottomright",
    "side-topcorner",
    "side-bottomcorner",
)
CUBOID_EDGE_NAMES = (
    "face-top",
    "face-right",
    "face-bottom",
    "face-left",
    "side-bottom",
    "side-top",
)
CAMERA_FIELDS = ("camera_intrinsics", "camera_rotation_quaternion", "camera_height")
QUATERNION_TOLERANCE = 1e-3

Point = dict[str, float]

# ---------------------------------------------------------------- options


def normalize_geometries(geoms: Any, path: str = "geometries") -> dict[str, Any]:
    """Validate `geometries` and return a new dict with every option's default filled in."""
    if geoms is None:
        raise RuleError(path, "is required")
    require_dict(geoms, path)
    result = {}
    for name, options in geoms.items():
        if name not in GEOMETRY_NAMES:
            names = ", ".join(GEOMETRY_NAMES)
            raise RuleError(join(path, str(name)), f"is not a geometry (use {names})")
        if options is not None:
            result[name] = _normalize_geometry(name, options, join(path, name))
    if not result:
        raise RuleError(path, f"must enable at least one of {', '.join(GEOMETRY_NAMES)}")
    return result


def label_tree(geometries: dict[str, Any], name: str) -> LabelTree:
    """The label tree of an enabled geometry in normalized `geometries` (empty if disabled)."""
    options = geometries.get(name) or {}
    return LabelTree.parse(options.get("objects_to_annotate") or [], "")


def leaf_labels(geometries: dict[str, Any]) -> set[str]:
    """Every leaf label of every geometry in normalized `geometries`."""
    return {leaf for name in geometries for leaf in label_tree(geometries, name).leaves}


def _normalize_geometry(name: str, options: Any, path: str) -> dict[str, Any]:
    require_dict(options, path)
    given = {key: value for key, value in options.items() if value is not None}
    tree = LabelTree.parse(given.get("objects_to_annotate"), join(path, "objects_to_annotate"))
    result: dict[str, Any] = {"objects_to_annotate": tree.to_json()}
    result.update(_OPTION_RULES[name](given, tree, path))
    for key, value in given.items():
        result.setdefault(key, value)
    return result


def _box(given: dict[str, Any], tree: LabelTree, path: str) -> dict[str, Any]:
    return {
        **_min_size(given, path),
        "can_rotate": require_bool(given.get("can_rotate", False), join(path, "can_rotate")),
        "integer_pixels": require_bool(
            given.get("integer_pixels", False), join(path, "integer_pixels")
        ),
    }


def _min_size(given: dict[str, Any], path: str) -> dict[str, Any]:
    return {
        key: require_number(given.get(key, 0), join(path, key), minimum=0)
        for key in ("min_height", "min_width")
    }


def _vertices_options(given: dict[str, Any], path: str, name: str) -> dict[str, Any]:
    floor = FLOOR_VERTICES[name]
    minimum = require_int(
        given.get("min_vertices", 1), join(path, "min_vertices"), minimum=1, maximum=MAX_VERTICES
    )
    maximum = given.get("max_vertices")
    if maximum is not None:
        max_path = join(path, "max_vertices")
        maximum = require_int(maximum, max_path)
        if maximum < minimum:
            raise RuleError(max_path, "must be >= min_vertices")
        if maximum < floor:
            raise RuleError(max_path, f"must be at least {floor}: a {name} needs {floor} vertices")
    return {"min_vertices": minimum, "max_vertices": maximum}


def _polygon(given: dict[str, Any], tree: LabelTree, path: str) -> dict[str, Any]:
    return _vertices_options(given, path, "polygon")


def _line(given: dict[str, Any], tree: LabelTree, path: str) -> dict[str, Any]:
    return _vertices_options(given, path, "line")


def _point(given: dict[str, Any], tree: LabelTree, path: str) -> dict[str, Any]:
    connections_path = join(path, "connections")
    connections = given.get("connections", [])
    if not isinstance(connections, list):
        raise RuleError(connections_path, "must be a list")
    return {
        "connections": [
            _connection(item, tree, join(connections_path, index))
            for index, item in enumerate(connections)
        ]
    }


def _connection(item: Any, tree: LabelTree, path: str) -> dict[str, Any]:
    require_dict(item, path)
    result = {key: value for key, value in item.items() if value is not None}
    pair_path = join(path, "pair")
    pair = result.get("pair")
    if pair is None:
        raise RuleError(pair_path, "is required")
    if not isinstance(pair, list) or len(pair) != 2:
        raise RuleError(pair_path, "must be a list of two point labels")
    for index, label in enumerate(pair):
        if not tree.is_leaf(label):
            raise RuleError(join(pair_path, index), "must be a label of the point geometry")
    if pair[0] == pair[1]:
        raise RuleError(pair_path, "must name two different labels")
    result["pair"] = list(pair)
    if "connection_attribute" in result:
        require_string(result["connection_attribute"], join(path, "connection_attribute"))
    return result


def _cuboid(given: dict[str, Any], tree: LabelTree, path: str) -> dict[str, Any]:
    camera = {
        "camera_intrinsics": _intrinsics(given.get("camera_intrinsics"), path),
        "camera_rotation_quaternion": _quaternion(given.get("camera_rotation_quaternion"), path),
        "camera_height": _camera_height(given.get("camera_height"), path),
    }
    present = [key for key in CAMERA_FIELDS if camera[key] is not None]
    if present and len(present) < len(CAMERA_FIELDS):
        missing = next(key for key in CAMERA_FIELDS if camera[key] is None)
        raise RuleError(
            join(path, missing),
            "is required: camera_intrinsics, camera_rotation_quaternion and camera_height "
            "must be given together",
        )
    return {**_min_size(given, path), **camera}


def _all_null(value: Any) -> bool:
    return value is None or (isinstance(value, dict) and all(v is None for v in value.values()))


def _intrinsics(value: Any, path: str) -> dict[str, Any] | None:
    if _all_null(value):
        return None
    path = join(path, "camera_intrinsics")
    require_dict(value, path)
    result = {key: item for key, item in value.items() if item is not None}
    for key in ("fx", "fy"):
        _required_number(result, key, path, positive=True)
    for key in ("cx", "cy"):
        _required_number(result, key, path)
    result["skew"] = require_number(result.get("skew", 0), join(path, "skew"))
    result["scalefactor"] = _scalefactor(result, path)
    result.pop("scale_factor", None)
    return result


def _scalefactor(values: dict[str, Any], path: str) -> float:
    plain, alias = values.get("scalefactor"), values.get("scale_factor")
    for key, value in (("scalefactor", plain), ("scale_factor", alias)):
        if value is not None:
            require_number(value, join(path, key), minimum=0, exclusive_minimum=True)
    if plain is not None and alias is not None and plain != alias:
        raise RuleError(join(path, "scale_factor"), "must equal scalefactor when both are given")
    return plain if plain is not None else alias if alias is not None else 1


def _required_number(values: dict[str, Any], key: str, path: str, *,
                     positive: bool = False) -> None:
    item_path = join(path, key)
    if key not in values:
        raise RuleError(item_path, "is required")
    if positive:
        require_number(values[key], item_path, minimum=0, exclusive_minimum=True)
    else:
        require_number(values[key], item_path)


def _quaternion(value: Any, path: str) -> dict[str, Any] | None:
    if _all_null(value):
        return None
    path = join(path, "camera_rotation_quaternion")
    require_dict(value, path)
    result = {key: item for key, item in value.items() if item is not None}
    for key in ("w", "x", "y", "z"):
        _required_number(result, key, path)
    norm = math.sqrt(sum(result[key] ** 2 for key in ("w", "x", "y", "z")))
    if abs(norm - 1) > QUATERNION_TOLERANCE:
        raise RuleError(path, f"must have unit length (its length is {norm:.6g})")
    return result


def _camera_height(value: Any, path: str) -> float | None:
    if value is None:
        return None
    return require_number(value, join(path, "camera_height"), minimum=0, exclusive_minimum=True)


def _ellipse(given: dict[str, Any], tree: LabelTree, path: str) -> dict[str, Any]:
    return {}


_OPTION_RULES = {
    "box": _box,
    "polygon": _polygon,
    "line": _line,
    "point": _point,
    "cuboid": _cuboid,
    "ellipse": _ellipse,
}


# ---------------------------------------------------------------- 2D math


def box_corners(
    left: float, top: float, width: float, height: float, rotation: float = 0.0
) -> list[Point]:
    """The corners of a box rotated clockwise (on screen) by `rotation` radians about its
    centre, in the order top-left, top-right, bottom-right, bottom-left of the unrotated box."""
    cx, cy = left + width / 2, top + height / 2
    cos, sin = math.cos(rotation), math.sin(rotation)
    offsets: tuple[tuple[float, float], ...] = ((-width / 2, -height / 2), (width / 2, -height / 2))
    offsets += ((width / 2, height / 2), (-width / 2, height / 2))
    return [{"x": cx + dx * cos - dy * sin, "y": cy + dx * sin + dy * cos} for dx, dy in offsets]


def ellipse_extremes(
    cx: float, cy: float, rx: float, ry: float, rotation: float = 0.0
) -> list[Point]:
    """The 4 ends of an ellipse's axes. `rx` is the semi-axis along the ellipse's own x axis,
    which is the image x axis turned clockwise (on screen) by `rotation` radians.

    Order: +rx end, +ry end, -rx end, -ry end; with rotation 0 that is right, bottom, left,
    top (clockwise on screen)."""
    cos, sin = math.cos(rotation), math.sin(rotation)
    ux, uy = cos, sin  # the ellipse's x axis
    vx, vy = -sin, cos  # its y axis
    return [
        {"x": cx + rx * ux, "y": cy + rx * uy},
        {"x": cx + ry * vx, "y": cy + ry * vy},
        {"x": cx - rx * ux, "y": cy - rx * uy},
        {"x": cx - ry * vx, "y": cy - ry * vy},
    ]


def cuboid_edges(vertices: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The 6 edges of a 2D cuboid from its 6 described vertices.

    The face edges go clockwise round the face: face-top topleft->topright, face-right
    topright->bottomright, face-bottom bottomright->bottomleft, face-left bottomleft->topleft.
    The side edges run from a face corner to a side corner (side-bottom to side-bottomcorner,
    side-top to side-topcorner). The side is taken to be on the face's right when the side
    corners' mean x is greater than the face centre's x, else on its left."""
    by_name = {vertex["description"]: vertex for vertex in vertices}
    missing = [name for name in CUBOID_VERTEX_NAMES if name not in by_name]
    if missing:
        raise ValueError(f"cuboid vertices lack {', '.join(missing)}")
    tl, bl = by_name["face-topleft"], by_name["face-bottomleft"]
    tr, br = by_name["face-topright"], by_name["face-bottomright"]
    st, sb = by_name["side-topcorner"], by_name["side-bottomcorner"]
    face_x = (tl["x"] + bl["x"] + tr["x"] + br["x"]) / 4
    right = (st["x"] + sb["x"]) / 2 > face_x
    return [
        _edge(tl, tr, "face-top"),
        _edge(tr, br, "face-right"),
        _edge(br, bl, "face-bottom"),
        _edge(bl, tl, "face-left"),
        _edge(br if right else bl, sb, "side-bottom"),
        _edge(tr if right else tl, st, "side-top"),
    ]


def _edge(start: dict[str, Any], end: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "x1": start["x"],
        "y1": start["y"],
        "x2": end["x"],
        "y2": end["y"],
        "description": description,
        "type": "edge",
    }


# ---------------------------------------------------------------- 3D camera model

Vector = tuple[float, float, float]


@dataclass(frozen=True)
class Camera:
    """Pinhole camera of a cuboid geometry (docs/task-format.md "3D cuboids").

    Camera frame: x right, y down, z forward. World frame: z up, ground z = 0, camera at
    (0, 0, height). `rotation` (w, x, y, z) turns camera-frame vectors into world vectors."""

    fx: float
    fy: float
    cx: float
    cy: float
    skew: float
    scalefactor: float
    rotation: tuple[float, float, float, float]
    height: float

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> Camera | None:
        """The camera of normalized cuboid options, or None when it has none."""
        intrinsics = options.get("camera_intrinsics")
        quaternion = options.get("camera_rotation_quaternion")
        height = options.get("camera_height")
        if intrinsics is None or quaternion is None or height is None:
            return None
        scale = intrinsics.get("scalefactor", intrinsics.get("scale_factor", 1))
        return cls(
            fx=intrinsics["fx"],
            fy=intrinsics["fy"],
            cx=intrinsics["cx"],
            cy=intrinsics["cy"],
            skew=intrinsics.get("skew", 0),
            scalefactor=scale,
            rotation=(quaternion["w"], quaternion["x"], quaternion["y"], quaternion["z"]),
            height=height,
        )

    def matrix(self) -> tuple[Vector, Vector, Vector]:
        return quaternion_matrix(self.rotation)

    def to_world(self, point: Sequence[float]) -> Vector:
        rotated = _mul(self.matrix(), point)
        return (rotated[0], rotated[1], rotated[2] + self.height)

    def to_camera(self, point: Sequence[float]) -> Vector:
        shifted = (point[0], point[1], point[2] - self.height)
        return _mul(_transpose(self.matrix()), shifted)


def quaternion_matrix(q: Sequence[float]) -> tuple[Vector, Vector, Vector]:
    """The rotation matrix (rows) of quaternion (w, x, y, z), normalized first."""
    norm = math.sqrt(sum(c * c for c in q))
    w, x, y, z = (c / norm for c in q)
    return (
        (1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)),
        (2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)),
        (2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)),
    )


def _mul(matrix: Sequence[Sequence[float]], v: Sequence[float]) -> Vector:
    return tuple(sum(row[i] * v[i] for i in range(3)) for row in matrix)  # type: ignore[return-value]


def _transpose(matrix: Sequence[Sequence[float]]) -> tuple[Vector, Vector, Vector]:
    return tuple(tuple(matrix[r][c] for r in range(3)) for c in range(3))  # type: ignore[return-value]


def project_point(point: Sequence[float], camera: Camera) -> tuple[float, float]:
    """Pixel (u, v) of camera-frame point (X, Y, Z): u = (fx·X + skew·Y) / Z + cx,
    v = fy·Y / Z + cy, both divided by scalefactor. ValueError when Z <= 0."""
    x, y, z = point
    if z <= 0:
        raise ValueError("the point is not in front of the camera")
    u = (camera.fx * x + camera.skew * y) / z + camera.cx
    v = camera.fy * y / z + camera.cy
    return u / camera.scalefactor, v / camera.scalefactor


def _heading_axes(camera: Camera, yaw: float) -> tuple[Vector, Vector]:
    """World-frame unit vectors (heading, left of heading) of a cuboid with `yaw`."""
    matrix = camera.matrix()
    forward = (matrix[0][2], matrix[1][2])  # camera z axis in world, on the ground
    if math.hypot(*forward) < 1e-9:  # looking straight down or up: use the image's up
        forward = (-matrix[0][1], -matrix[1][1])
    length = math.hypot(*forward)
    fx, fy = forward[0] / length, forward[1] / length
    lx, ly = -fy, fx  # forward turned 90 degrees counter-clockwise seen from above
    hx = math.cos(yaw) * fx + math.sin(yaw) * lx
    hy = math.cos(yaw) * fy + math.sin(yaw) * ly
    return (hx, hy, 0.0), (-hy, hx, 0.0)


def _corner(base: Vector, heading: Vector, left: Vector, a: float, b: float, z: float) -> Vector:
    return (
        base[0] + a * heading[0] + b * left[0],
        base[1] + a * heading[1] + b * left[1],
        base[2] + z,
    )


def cuboid_from_3d(
    position: dict[str, Any], dimensions: dict[str, Any], yaw: float,
    camera: Camera | dict[str, Any], *, path: str = "",
) -> dict[str, Any]:
    """The 2D `vertices` and `edges` of a cuboid standing on the ground.

    `position` {x, y, z}: centre of its bottom face in the camera frame (metres);
    `dimensions` {length, width, height} (metres, length along its heading); `yaw` (radians)
    its heading about the world's up axis, 0 = the camera's forward direction on the ground,
    counter-clockwise seen from above. The `face-*` vertices are the vertical face whose
    centre is nearest the camera; the side corners are the far edge of the nearer of the two
    adjacent faces. Raises RuleError(path) when a used corner is not in front of the camera."""
    if isinstance(camera, dict):
        found = Camera.from_options(camera)
        if found is None:
            raise RuleError(path, "needs a cuboid geometry with camera parameters")
        camera = found
    base = camera.to_world((position["x"], position["y"], position["z"]))
    heading, left = _heading_axes(camera, yaw)
    half_l, half_w, tall = dimensions["length"] / 2, dimensions["width"] / 2, dimensions["height"]

    def corner(a: int, b: int, top: bool) -> Vector:
        return camera.to_camera(_corner(base, heading, left, a * half_l, b * half_w, tall * top))

    faces = {  # vertical face -> its two vertical edges as (a, b) signs
        "front": ((1, 1), (1, -1)),
        "back": ((-1, 1), (-1, -1)),
        "left": ((1, 1), (-1, 1)),
        "right": ((1, -1), (-1, -1)),
    }

    def distance(face: str) -> float:
        points = [corner(a, b, top) for a, b in faces[face] for top in (False, True)]
        return math.dist((0, 0, 0), [sum(p[i] for p in points) / 4 for i in range(3)])

    face = min(faces, key=distance)
    neighbours = ("left", "right") if face in ("front", "back") else ("front", "back")
    side = min(neighbours, key=distance)
    far_edge = next(edge for edge in faces[side] if edge not in faces[face])
    return _cuboid_2d(camera, corner, faces[face], far_edge, path)


def _cuboid_2d(camera: Camera, corner: Any, face_edges: tuple[Any, ...], far_edge: tuple[Any, ...],
               path: str) -> dict[str, Any]:
    def pixel(edge: tuple[Any, ...], top: bool) -> Point:
        try:
            u, v = project_point(corner(*edge, top), camera)
        except ValueError:
            raise RuleError(path, "is not entirely in front of the camera") from None
        return {"x": u, "y": v}

    def mean_x(edge: tuple[Any, ...]) -> float:
        return (pixel(edge, True)["x"] + pixel(edge, False)["x"]) / 2

    first, second = face_edges
    if mean_x(first) > mean_x(second):
        first, second = second, first
    points = (
        pixel(first, True),
        pixel(first, False),
        pixel(second, True),
        pixel(second, False),
        pixel(far_edge, True),
        pixel(far_edge, False),
    )
    vertices = [
        {"x": p["x"], "y": p["y"], "description": name, "type": "vertex"}
        for p, name in zip(points, CUBOID_VERTEX_NAMES, strict=True)
    ]
    return {"vertices": vertices, "edges": cuboid_edges(vertices)}


# Largest distance (image pixels) between a sent cuboid vertex and the projection of its 3D
# keys: rounding a client's floats is fine, another box is not.
VERTEX_TOLERANCE = 0.5


def check_cuboid_3d(
    vertices: Sequence[dict[str, Any]],
    position: dict[str, Any],
    dimensions: dict[str, Any],
    yaw: float,
    camera: Camera,
    *,
    path: str = "",
) -> None:
    """Refuse (RuleError at `path`.vertices) 2D vertices that are not the projection of the
    cuboid's `position`, `dimensions` and `yaw` (within VERTEX_TOLERANCE pixels, matched by
    description): a cuboid's 3D keys and its vertices must describe the same box."""
    expected = cuboid_from_3d(position, dimensions, yaw, camera, path=path)["vertices"]
    sent = {vertex["description"]: vertex for vertex in vertices}
    for want in expected:
        got = sent[want["description"]]
        if not math.dist((got["x"], got["y"]), (want["x"], want["y"])) <= VERTEX_TOLERANCE:
            raise RuleError(
                join(path, "vertices"),
                f"disagree with position, dimensions and yaw: {want['description']} is at "
                f"({got['x']:.2f}, {got['y']:.2f}) but the 3D cuboid projects it to "
                f"({want['x']:.2f}, {want['y']:.2f}); send the projected vertices or drop "
                "the 3D keys",
            )

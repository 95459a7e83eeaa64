"""Annotations in the response format (docs/task-format.md) and whole responses.

`kind` says where a list comes from:
* "response": a submitted response. Every rule applies, `required` attributes included.
* "hypothesis" / "base": pre-labels. As a response, but `required` attributes may be missing;
  base annotations may carry `locked` (bool, default false; kept only for "base").
* "draft": a tasker's work in progress (one autosaved operation). As a hypothesis, but minimum
  box and cuboid sizes wait for the submit, so a too-small shape stays on screen to be fixed.
* "layer": read-only overlays. Any of the six types, `label` optional free text, geometry
  options (min sizes, vertex counts, can_rotate) and attribute definitions do not apply;
  `attributes`, if given, must be an object and is kept as sent.

The output is a new list of new dicts with keys in the order uuid, type, label, geometry keys,
attributes (+ locked for base). Unknown annotation keys are dropped; a missing `uuid` is
generated (uuid4). Computed fields (box `vertices` when it can rotate, cuboid `edges`) are
always recomputed from the other fields.
"""

from __future__ import annotations

import math
import uuid as uuid_module
from dataclasses import dataclass, field
from typing import Any

from .attributes import LINE_TYPES, global_definitions, validate_attribute_values
from .constants import FLOOR_VERTICES, TOLERANCES, message
from .errors import RuleError, join
from .geometry import (
    CUBOID_VERTEX_NAMES,
    GEOMETRY_NAMES,
    MAX_VERTICES,
    Camera,
    box_corners,
    check_cuboid_3d,
    cuboid_edges,
    label_tree,
)
from .labels import LabelTree
from .values import is_number, require_bool, require_dict, require_list, require_string

ANNOTATION_KINDS = ("hypothesis", "base", "draft", "layer", "response")
MAX_ANNOTATIONS = 20_000
MAX_LINKS = 100_000
MAX_COORDINATE = 1e7
MAX_UUID_LENGTH = 256
MAX_LAYER_LABEL_LENGTH = 1000
# Shared with the page (static/js/lib/rules-constants.json, docs/rules.md).
SIZE_TOLERANCE = TOLERANCES["min_size"]
LINE_OFFSET_TOLERANCE = TOLERANCES["line_offset"]


@dataclass
class _Context:
    params: dict[str, Any]
    kind: str
    expected_type: str | None
    trees: dict[str, LabelTree] = field(default_factory=dict)
    # Base annotations the tasker may not edit: their `required` attributes are not asked.
    fixed: set[str] = field(default_factory=set)

    @property
    def geometries(self) -> dict[str, Any]:
        return self.params.get("geometries") or {}

    @property
    def is_layer(self) -> bool:
        return self.kind == "layer"

    @property
    def checks_min_size(self) -> bool:
        return self.kind not in ("layer", "draft")

    def options(self, geometry: str) -> dict[str, Any]:
        return {} if self.is_layer else self.geometries.get(geometry) or {}

    def tree(self, geometry: str) -> LabelTree:
        if geometry not in self.trees:
            self.trees[geometry] = label_tree(self.geometries, geometry)
        return self.trees[geometry]


# ---------------------------------------------------------------- lists


def validate_annotations(
    annotations: Any,
    params: dict[str, Any],
    *,
    path: str,
    kind: str,
    expected_type: str | None = None,
    known_labels: dict[str, str | None] | None = None,
) -> list[dict[str, Any]]:
    """Validate a list of annotations against NORMALIZED params; returns a new list.

    `expected_type` (layers) fills in a missing `type` and rejects any other. `known_labels`
    (uuid -> label) names annotations outside the list that linked attributes may point to
    (a draft checks the annotations an operation touches, beside the others)."""
    if kind not in ANNOTATION_KINDS:
        raise ValueError(f"unknown annotation kind {kind!r}")
    require_list(annotations, path)
    if len(annotations) > MAX_ANNOTATIONS:
        raise RuleError(path, f"must have at most {MAX_ANNOTATIONS} annotations")
    context = _Context(params, kind, expected_type)
    if kind == "response":
        context.fixed = _fixed_base_uuids(params)
    shaped = [_shape(item, join(path, index), context) for index, item in enumerate(annotations)]
    _check_unique_uuids(shaped, path)
    uuid_labels = {**(known_labels or {}), **{item["uuid"]: item.get("label") for item in shaped}}
    for index, (item, result) in enumerate(zip(annotations, shaped, strict=True)):
        attributes = _attributes(item, result, uuid_labels, join(path, index), context)
        result["attributes"] = attributes
        if kind == "base":
            result["locked"] = _locked(item, join(path, index))
    return shaped


def _fixed_base_uuids(params: dict[str, Any]) -> set[str]:
    """uuids of the base annotations whose attributes the tasker may not change (locked, or
    can_edit_base_annotations false): a `required` value they lack cannot be asked for."""
    from .locks import can

    result = set()
    for item in (params.get("base_annotations") or {}).get("annotations") or []:
        if not isinstance(item, dict) or not isinstance(item.get("uuid"), str):
            continue
        row = {"source": "base", "locked": bool(item.get("locked"))}
        if not can("edit_attributes", row, params)[0]:
            result.add(item["uuid"])
    return result


def _check_unique_uuids(shaped: list[dict[str, Any]], path: str) -> None:
    first: dict[str, int] = {}
    for index, item in enumerate(shaped):
        if item["uuid"] in first:
            where = join(path, first[item["uuid"]])
            raise RuleError(
                join(join(path, index), "uuid"),
                f"duplicates the uuid of {where}",
                annotation_uuid=item["uuid"],
            )
        first[item["uuid"]] = index


def _shape(item: Any, path: str, context: _Context) -> dict[str, Any]:
    require_dict(item, path)
    geometry = _type(item, path, context)
    result: dict[str, Any] = {"uuid": _uuid(item, path), "type": geometry}
    try:
        label = _label(item, geometry, path, context)
        if label is not None:
            result["label"] = label
        result.update(_GEOMETRY_RULES[geometry](item, path, context))
    except RuleError as error:
        error.annotation_uuid = error.annotation_uuid or _sent_uuid(item)
        raise
    return result


def _sent_uuid(item: dict[str, Any]) -> str | None:
    """The uuid the client sent (errors name it); None when it was generated here."""
    value = item.get("uuid")
    return value if isinstance(value, str) else None


def _type(item: dict[str, Any], path: str, context: _Context) -> str:
    type_path = join(path, "type")
    value = item.get("type")
    if value is None and context.expected_type is not None:
        return context.expected_type
    if value is None:
        raise RuleError(type_path, "is required")
    if context.expected_type is not None and value != context.expected_type:
        raise RuleError(type_path, f'must be "{context.expected_type}" here')
    if context.is_layer:
        if not isinstance(value, str) or value not in GEOMETRY_NAMES:
            raise RuleError(type_path, f"must be one of {', '.join(GEOMETRY_NAMES)}")
        return value
    if not isinstance(value, str) or value not in context.geometries:
        enabled = ", ".join(context.geometries)
        raise RuleError(type_path, f"must be one of the task's geometries ({enabled})")
    return value


def _uuid(item: dict[str, Any], path: str) -> str:
    value = item.get("uuid")
    if value is None:
        return str(uuid_module.uuid4())
    return require_string(value, join(path, "uuid"), max_length=MAX_UUID_LENGTH)


def _label(item: dict[str, Any], geometry: str, path: str, context: _Context) -> str | None:
    label_path = join(path, "label")
    value = item.get("label")
    if context.is_layer:
        if value is None:
            return None
        return require_string(value, label_path, max_length=MAX_LAYER_LABEL_LENGTH)
    tree = context.tree(geometry)
    if tree.is_empty:
        if value is not None:
            raise RuleError(label_path, f"must be omitted: the {geometry} geometry has no labels")
        return None
    if value is None:
        raise RuleError(label_path, "is required")
    if not tree.is_leaf(value):
        shown = ", ".join(f'"{leaf}"' for leaf in tree.leaves[:20])
        raise RuleError(label_path, f"must be one of the {geometry} labels: {shown}")
    return value


def _attributes(item: dict[str, Any], result: dict[str, Any], uuid_labels: dict[str, Any],
                path: str, context: _Context) -> dict[str, Any]:
    attributes_path = join(path, "attributes")
    value = item.get("attributes")
    if context.is_layer:
        return dict(require_dict(value, attributes_path)) if value is not None else {}
    defs = context.params.get("annotation_attributes") or {}
    try:
        values = validate_attribute_values(
            value,
            defs,
            label=result.get("label"),
            uuid_labels=uuid_labels,
            own_uuid=result["uuid"],
            path=attributes_path,
            check_required=context.kind == "response" and result["uuid"] not in context.fixed,
            geometry=result["type"],
        )
        _check_line_offsets(values, defs, result, attributes_path)
        return values
    except RuleError as error:
        error.annotation_uuid = error.annotation_uuid or _sent_uuid(item)
        raise


def _check_line_offsets(values: dict[str, Any], defs: dict[str, Any], result: dict[str, Any],
                        path: str) -> None:
    """x_line / y_line offsets lie inside the box (or the cuboid's front face): 0 at its left
    (top) edge, its width (height) at the right (bottom) one (docs/task-format.md, Attributes)."""
    lines = [key for key in values if defs[key]["type"] in LINE_TYPES]
    if not lines:
        return
    width, height = _line_extent(result)
    for key in lines:
        kind = defs[key]["type"]
        extent = width if kind == "x_line" else height
        edge = "left" if kind == "x_line" else "top"
        if not -LINE_OFFSET_TOLERANCE <= values[key] <= extent + LINE_OFFSET_TOLERANCE:
            shape = "box" if result["type"] == "box" else "cuboid's front face"
            raise RuleError(join(path, key), message("line_offset_inside", shape=shape,
                                                     edge=edge, extent=f"{extent:g}"))


def _line_extent(result: dict[str, Any]) -> tuple[float, float]:
    if result["type"] == "box":
        return result["width"], result["height"]
    face = result["vertices"][:4]
    xs, ys = [v["x"] for v in face], [v["y"] for v in face]
    return max(xs) - min(xs), max(ys) - min(ys)


def _locked(item: dict[str, Any], path: str) -> bool:
    value = item.get("locked")
    return False if value is None else require_bool(value, join(path, "locked"))


# ---------------------------------------------------------------- coordinates


def _coordinate(value: Any, path: str) -> int | float:
    if value is None:
        raise RuleError(path, "is required")
    if not is_number(value) or abs(value) > MAX_COORDINATE:
        limit = f"{MAX_COORDINATE:.0f}"
        raise RuleError(path, f"must be a number between -{limit} and {limit}")
    return value


def _size(value: Any, path: str) -> int | float:
    size = _coordinate(value, path)
    if size <= 0:
        raise RuleError(path, "must be greater than 0")
    return size


def _point(value: Any, path: str) -> dict[str, Any]:
    require_dict(value, path)
    return {key: _coordinate(value.get(key), join(path, key)) for key in ("x", "y")}


def _vertex_list(item: dict[str, Any], path: str, minimum: int,
                 maximum: int | None) -> list[dict[str, Any]]:
    vertices_path = join(path, "vertices")
    vertices = item.get("vertices")
    if vertices is None:
        raise RuleError(vertices_path, "is required")
    require_list(vertices, vertices_path)
    limit = MAX_VERTICES if maximum is None else min(maximum, MAX_VERTICES)
    if len(vertices) < minimum:
        raise RuleError(vertices_path, message("min_vertices", count=minimum))
    if len(vertices) > limit:
        raise RuleError(vertices_path, message("max_vertices", count=limit))
    return [_point(vertex, join(vertices_path, index)) for index, vertex in enumerate(vertices)]


# ---------------------------------------------------------------- geometries


def _box(item: dict[str, Any], path: str, context: _Context) -> dict[str, Any]:
    options = context.options("box")
    result: dict[str, Any] = {key: _coordinate(item.get(key), join(path, key))
                              for key in ("left", "top")}
    for key in ("width", "height"):
        result[key] = _size(item.get(key), join(path, key))
    if context.checks_min_size:
        _check_min_size(result["width"], result["height"], "box", options, path)
    rotation = _rotation(item, path, context, options)
    if options.get("integer_pixels") and not rotation:
        result = {key: _round(value) for key, value in result.items()}
        result["width"], result["height"] = max(result["width"], 1), max(result["height"], 1)
    if rotation is not None:
        result["rotation"] = rotation
        sides = (result["left"], result["top"], result["width"], result["height"])
        result["vertices"] = box_corners(*sides, rotation)
    return result


def _rotation(item: dict[str, Any], path: str, context: _Context,
              options: dict[str, Any]) -> float | None:
    """The box's rotation when it may have one (None otherwise); 0 when can_rotate and absent."""
    value = item.get("rotation")
    rotation_path = join(path, "rotation")
    if value is not None and (not is_number(value) or abs(value) > MAX_COORDINATE):
        raise RuleError(rotation_path, "must be a number (radians, clockwise)")
    if context.is_layer:
        return value
    if options.get("can_rotate"):
        return 0 if value is None else value
    if value:
        raise RuleError(rotation_path, "is not allowed: geometries.box.can_rotate is false")
    return None


def _round(value: float) -> int:
    return math.floor(value + 0.5)


def _check_min_size(width: float, height: float, geometry: str, options: dict[str, Any],
                    path: str) -> None:
    for key, size in (("width", width), ("height", height)):
        minimum = options.get(f"min_{key}") or 0
        if size + SIZE_TOLERANCE >= minimum:
            continue
        option = f"geometries.{geometry}.min_{key} ({minimum:g})"
        if geometry == "box":
            raise RuleError(join(path, key), f"must be at least {option}")
        raise RuleError(path, f"face {key} ({size:g}) must be at least {option}")


def vertex_limits(geometry: str, options: dict[str, Any]) -> tuple[int, int]:
    """The fewest and most vertices a polygon or line of these options may have (the page's
    `vertexLimits` in static/js/lib/geometry.js)."""
    minimum = max(FLOOR_VERTICES.get(geometry, 1), options.get("min_vertices") or 1)
    maximum = options.get("max_vertices")
    return minimum, MAX_VERTICES if maximum is None else min(maximum, MAX_VERTICES)


def _polyline(geometry: str) -> Any:
    def rule(item: dict[str, Any], path: str, context: _Context) -> dict[str, Any]:
        minimum, maximum = vertex_limits(geometry, context.options(geometry))
        return {"vertices": _vertex_list(item, path, minimum, maximum)}

    return rule


def _point_geometry(item: dict[str, Any], path: str, context: _Context) -> dict[str, Any]:
    return {key: _coordinate(item.get(key), join(path, key)) for key in ("x", "y")}


def _ellipse(item: dict[str, Any], path: str, context: _Context) -> dict[str, Any]:
    return {"vertices": _vertex_list(item, path, 4, 4)}


def _cuboid(item: dict[str, Any], path: str, context: _Context) -> dict[str, Any]:
    vertices = _cuboid_vertices(item, path)
    if context.checks_min_size:
        face = vertices[:4]
        width = max(v["x"] for v in face) - min(v["x"] for v in face)
        height = max(v["y"] for v in face) - min(v["y"] for v in face)
        _check_min_size(width, height, "cuboid", context.options("cuboid"), path)
    result = {"vertices": vertices, "edges": cuboid_edges(vertices)}
    box = _cuboid_3d(item, path, context)
    camera = Camera.from_options(context.options("cuboid"))
    if box and camera is not None:
        check_cuboid_3d(vertices, **box, camera=camera, path=path)
    result.update(box)
    return result


def _cuboid_vertices(item: dict[str, Any], path: str) -> list[dict[str, Any]]:
    vertices_path = join(path, "vertices")
    vertices = item.get("vertices")
    if vertices is None:
        raise RuleError(vertices_path, "is required")
    require_list(vertices, vertices_path)
    if len(vertices) != len(CUBOID_VERTEX_NAMES):
        names = ", ".join(CUBOID_VERTEX_NAMES)
        raise RuleError(vertices_path, f"must have exactly 6 vertices ({names})")
    by_name: dict[str, dict[str, Any]] = {}
    for index, vertex in enumerate(vertices):
        vertex_path = join(vertices_path, index)
        point = _point(vertex, vertex_path)
        name = _vertex_name(vertex, vertex_path, by_name)
        by_name[name] = {**point, "description": name, "type": "vertex"}
    return [by_name[name] for name in CUBOID_VERTEX_NAMES]


def _vertex_name(vertex: dict[str, Any], path: str, seen: dict[str, Any]) -> str:
    name_path = join(path, "description")
    name = vertex.get("description")
    if name is None:
        raise RuleError(name_path, "is required")
    if not isinstance(name, str) or name not in CUBOID_VERTEX_NAMES:
        raise RuleError(name_path, f"must be one of {', '.join(CUBOID_VERTEX_NAMES)}")
    if name in seen:
        raise RuleError(name_path, f'repeats "{name}"')
    if vertex.get("type") not in (None, "vertex"):
        raise RuleError(join(path, "type"), 'must be "vertex"')
    return name


CUBOID_3D_FIELDS = ("position", "dimensions", "yaw")


def _cuboid_3d(item: dict[str, Any], path: str, context: _Context) -> dict[str, Any]:
    present = [key for key in CUBOID_3D_FIELDS if item.get(key) is not None]
    if not present:
        return {}
    if not context.is_layer and Camera.from_options(context.options("cuboid")) is None:
        raise RuleError(
            join(path, present[0]),
            "is only allowed when the cuboid geometry has camera parameters",
        )
    for key in CUBOID_3D_FIELDS:
        if item.get(key) is None:
            raise RuleError(join(path, key), "is required with " + ", ".join(present))
    position_path, dimensions_path = join(path, "position"), join(path, "dimensions")
    require_dict(item["position"], position_path)
    require_dict(item["dimensions"], dimensions_path)
    return {
        "position": {
            key: _coordinate(item["position"].get(key), join(position_path, key))
            for key in ("x", "y", "z")
        },
        "dimensions": {
            key: _size(item["dimensions"].get(key), join(dimensions_path, key))
            for key in ("length", "width", "height")
        },
        "yaw": _coordinate(item["yaw"], join(path, "yaw")),
    }


_GEOMETRY_RULES = {
    "box": _box,
    "polygon": _polyline("polygon"),
    "line": _polyline("line"),
    "point": _point_geometry,
    "ellipse": _ellipse,
    "cuboid": _cuboid,
}


# ---------------------------------------------------------------- responses


def validate_response(
    response: Any, params: dict[str, Any], path: str = "response", *, kind: str = "response"
) -> dict[str, Any]:
    """Validate a submitted response (kind "response") or a hypothesis (kind "hypothesis")
    against NORMALIZED params: {annotations, global_attributes?, links?}. Returns a new dict;
    `global_attributes` is present only when global attributes are defined or given, `links`
    only when links are defined or given. Other keys are dropped."""
    require_dict(response, path)
    annotations_path = join(path, "annotations")
    if response.get("annotations") is None:
        raise RuleError(annotations_path, "is required")
    annotations = validate_annotations(
        response["annotations"], params, path=annotations_path, kind=kind
    )
    result: dict[str, Any] = {"annotations": annotations}
    uuid_labels = {item["uuid"]: item.get("label") for item in annotations}
    defs = params.get("annotation_attributes") or {}
    given = response.get("global_attributes")
    if given is not None or global_definitions(defs):
        result["global_attributes"] = validate_attribute_values(
            given,
            defs,
            label=None,
            uuid_labels=uuid_labels,
            own_uuid=None,
            path=join(path, "global_attributes"),
            is_global=True,
            check_required=kind == "response",
        )
    links = response.get("links")
    if links is not None or params.get("links"):
        result["links"] = validate_links(links, params, uuid_labels, join(path, "links"))
    return result


def validate_links(
    links: Any, params: dict[str, Any], uuid_labels: dict[str, str | None], path: str
) -> list[dict[str, Any]]:
    """Validate response links [{label, from, to}] against params.links and the annotations'
    uuid -> label map; returns a new list."""
    if links is None:
        return []
    require_list(links, path)
    if len(links) > MAX_LINKS:
        raise RuleError(path, f"must have at most {MAX_LINKS} links")
    rules = params.get("links") or {}
    result: list[dict[str, Any]] = []
    seen: dict[tuple[Any, ...], int] = {}
    for index, link in enumerate(links):
        link_path = join(path, index)
        try:
            clean = _link(link, rules, uuid_labels, link_path)
        except RuleError as error:
            error.annotation_uuid = error.annotation_uuid or _link_end(link, uuid_labels)
            raise
        key = (clean["label"], clean["from"], clean["to"])
        if key in seen:
            raise RuleError(link_path, f"duplicates {join(path, seen[key])}",
                            annotation_uuid=clean["from"])
        seen[key] = index
        result.append(clean)
    return result


def _link(link: Any, rules: dict[str, Any], uuid_labels: dict[str, Any], path: str) -> dict[str,
          Any]:
    require_dict(link, path)
    label = link.get("label")
    if label is None:
        raise RuleError(join(path, "label"), "is required")
    if not isinstance(label, str) or label not in rules:
        raise RuleError(join(path, "label"), "must be one of the task's link labels")
    ends = {}
    for key in ("from", "to"):
        value = link.get(key)
        if value is None:
            raise RuleError(join(path, key), "is required")
        if not isinstance(value, str) or value not in uuid_labels:
            raise RuleError(join(path, key), "must be the uuid of an annotation in this response")
        ends[key] = value
    if ends["from"] == ends["to"]:
        raise RuleError(join(path, "to"), "must differ from from")
    source, target = uuid_labels[ends["from"]], uuid_labels[ends["to"]]
    if not any(_rule_allows(rule, source, target) for rule in rules[label]):
        raise RuleError(path, message("link_rule", label=label, **{
            "from": _name(source), "to": _name(target)}))
    return {"label": label, "from": ends["from"], "to": ends["to"]}


def _link_end(link: Any, uuid_labels: dict[str, Any]) -> str | None:
    """The annotation a broken link is named by: its `from` end, else its `to` end."""
    if not isinstance(link, dict):
        return None
    for key in ("from", "to"):
        value = link.get(key)
        if isinstance(value, str) and value in uuid_labels:
            return value
    return None


def _rule_allows(rule: dict[str, Any], source: str | None, target: str | None) -> bool:
    allowed_from = rule.get("from_allowed_labels") or []
    allowed_to = rule.get("to_allowed_labels") or []
    if source in allowed_from and target in allowed_to:
        return True
    return bool(rule.get("is_bidirectional")) and target in allowed_from and source in allowed_to


def _name(label: str | None) -> str:
    return f'"{label}"' if label is not None else "unlabelled"

"""What the scenes hold, as annotations in the response format."""

from __future__ import annotations

import uuid
from typing import Any

from tasks.demo.scenes import UUID_NAMESPACE, Person, Point, Scene, Sign, Vehicle
from tasks.rules.geometry import box_corners


def r1(value: float) -> float:
    return round(value, 1)


def xy(point: Point) -> dict:
    return {"x": r1(point[0]), "y": r1(point[1])}


def ann_uuid(scene: Scene, *parts: object) -> str:
    return str(uuid.uuid5(UUID_NAMESPACE, "/".join(map(str, (scene.index, *parts)))))


def vehicle_bounds(v: Vehicle) -> tuple[float, float, float, float]:
    left, top, right, bottom = v.face
    return min(left, v.side_x), top, max(right, v.side_x), bottom


def vehicle_attributes(v: Vehicle, *, plate: bool = False) -> dict:
    values: dict = {"occlusion": "visible", "color": [v.color_name],
                    "is_parked": "yes" if v.parked else "no"}
    if not v.parked:
        values["speed_kmh"] = 30 if v.label == "Bus" else 50
    if plate:
        values["plate"] = f"AN-{int(v.face[0]) % 900 + 100}"
    return values


def box_ann(scene: Scene, i: int, v: Vehicle, *, rotation: float | None = None,
            attributes: dict | None = None) -> dict:
    left, top, right, bottom = vehicle_bounds(v)
    ann: dict[str, Any] = {"uuid": ann_uuid(scene, "vehicle", i), "type": "box", "label": v.label,
           "left": r1(left), "top": r1(top), "width": r1(right - left),
           "height": r1(bottom - top), "attributes": attributes or {}}
    if rotation is not None:
        ann["rotation"] = rotation
        ann["vertices"] = box_corners(ann["left"], ann["top"], ann["width"], ann["height"],
                                      rotation)
    return ann


def cuboid_ann(scene: Scene, i: int, v: Vehicle) -> dict:
    left, top, right, bottom = v.face
    near_x = right if v.side_x > right else left
    corners = {"face-topleft": (left, top), "face-bottomleft": (left, bottom),
               "face-topright": (right, top), "face-bottomright": (right, bottom),
               "side-topcorner": (v.side_x, v.side_top),
               "side-bottomcorner": (v.side_x, v.side_bottom)}
    edge_ends = {"face-top": ("face-topleft", "face-topright"),
                 "face-right": ("face-topright", "face-bottomright"),
                 "face-bottom": ("face-bottomleft", "face-bottomright"),
                 "face-left": ("face-topleft", "face-bottomleft")}
    near = "right" if near_x == right else "left"
    edge_ends["side-bottom"] = (f"face-bottom{near}", "side-bottomcorner")
    edge_ends["side-top"] = (f"face-top{near}", "side-topcorner")
    vertices = [{**xy(point), "description": name, "type": "vertex"}
                for name, point in corners.items()]
    edges = [{"x1": r1(corners[a][0]), "y1": r1(corners[a][1]), "x2": r1(corners[b][0]),
              "y2": r1(corners[b][1]), "description": name, "type": "edge"}
             for name, (a, b) in edge_ends.items()]
    return {"uuid": ann_uuid(scene, "cuboid", i), "type": "cuboid", "label": v.label,
            "vertices": vertices, "edges": edges, "attributes": {}}


def ellipse_ann(scene: Scene, i: int, p: Person, *, attributes: dict | None = None) -> dict:
    vertices = [(p.cx, p.cy - p.ry), (p.cx + p.rx, p.cy), (p.cx, p.cy + p.ry),
                (p.cx - p.rx, p.cy)]
    return {"uuid": ann_uuid(scene, "person", i), "type": "ellipse", "label": p.label,
            "vertices": [xy(point) for point in vertices], "attributes": attributes or {}}


def keypoint_anns(scene: Scene, i: int, p: Person) -> list[dict]:
    owner = ann_uuid(scene, "person", i)
    points = {"head": p.head, "left_foot": p.feet[0], "right_foot": p.feet[1]}
    return [{"uuid": ann_uuid(scene, "keypoint", i, name), "type": "point", "label": name,
             **xy(point), "attributes": {"person": owner}} for name, point in points.items()]


def sign_ann(scene: Scene, i: int, s: Sign) -> dict:
    return {"uuid": ann_uuid(scene, "sign", i), "type": "point", "label": s.label,
            **xy((s.x, s.y)), "attributes": {}}


def road_ann(scene: Scene, **extra: object) -> dict:
    return {"uuid": ann_uuid(scene, "road"), "type": "polygon", "label": "road",
            "vertices": [xy(point) for point in scene.road()], "attributes": {}, **extra}


def lane_anns(scene: Scene) -> list[dict]:
    return [{"uuid": ann_uuid(scene, name), "type": "line",
             "label": "lane_center" if name == "lane_center" else "lane_edge",
             "vertices": [xy(point) for point in points], "attributes": {}}
            for name, points in scene.lanes().items()]


def follow_links(scene: Scene) -> list[dict]:
    """A child follows the first adult, when the scene has both."""
    adults = [i for i, p in enumerate(scene.people) if p.label == "ped_adult"]
    children = [i for i, p in enumerate(scene.people) if p.label == "ped_child"]
    if not adults or not children:
        return []
    return [{"label": "follows", "from": ann_uuid(scene, "person", children[0]),
             "to": ann_uuid(scene, "person", adults[0])}]



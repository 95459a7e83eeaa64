"""Demo data: accounts, the project "demo", a batch and twenty street scenes drawn with Pillow.

Each scene is generated from its index (so every run draws the same pictures) and keeps the
exact geometry of what it drew, which is what the tasks' hypothesis, base annotations and
layers are made of. The tasks are created through `tasks.lifecycle`, with the JSON bodies an
API client would send, so the demo is also a worked example of the create call.
"""

from __future__ import annotations

import io
import math
import random
import uuid
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from PIL import Image, ImageDraw

from tasks import lifecycle
from tasks.accounts import TASKERS_GROUP, ensure_tasker, get_or_create_account
from tasks.files import store_file
from tasks.models import ApiKey, Project

ACCOUNT = "demo"
PROJECT = "demo"
BATCH = "demo-batch-1"
SCENE_COUNT = 20
DEFAULT_SIZE = (960, 640)
BIG_SIZES = {6: (1600, 1067), 13: (1920, 1280)}
UUID_NAMESPACE = uuid.UUID("6f1c2a56-0d7e-4c55-9a53-3c2b1f0de5a1")

Point = tuple[float, float]
RGB = tuple[int, int, int]


# --- scenes ---------------------------------------------------------------------------------

@dataclass
class Vehicle:
    label: str  # Car, Truck or Bus
    face: tuple[float, float, float, float]  # the rear face seen by the camera: l, t, r, b
    side_x: float  # where the visible side ends, toward the vanishing point
    side_top: float
    side_bottom: float
    color_name: str
    color: RGB
    parked: bool


@dataclass
class Person:
    label: str  # ped_adult or ped_child
    cx: float
    cy: float
    rx: float
    ry: float
    head: Point
    head_r: float
    feet: tuple[Point, Point]
    shirt: RGB


@dataclass
class Sign:
    label: str  # sign_stop, sign_speed or sign_info
    x: float
    y: float
    r: float
    ground: float


@dataclass
class Scene:
    index: int
    width: int
    height: int
    horizon: float
    dusk: bool
    vehicles: list[Vehicle] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    signs: list[Sign] = field(default_factory=list)

    @property
    def bottom(self) -> float:
        return self.height - 1

    def road_edges(self, y: float) -> tuple[float, float]:
        t = (y - self.horizon) / (self.bottom - self.horizon)
        return (lerp(0.46, 0.12, t) * self.width, lerp(0.54, 0.88, t) * self.width)

    def road(self) -> list[Point]:
        w = self.width
        return [(0.12 * w, self.bottom), (0.46 * w, self.horizon), (0.54 * w, self.horizon),
                (0.88 * w, self.bottom)]

    def lanes(self) -> dict[str, list[Point]]:
        mid = (self.horizon + self.bottom) / 2
        left, right = self.road_edges(mid)
        w = self.width
        return {
            "lane_center": [(0.5 * w, self.horizon), (0.5 * w, mid), (0.5 * w, self.bottom)],
            "lane_edge_left": [(0.46 * w, self.horizon), (left, mid), (0.12 * w, self.bottom)],
            "lane_edge_right": [(0.54 * w, self.horizon), (right, mid),
                                (0.88 * w, self.bottom)],
        }


def lerp(a: float, b: float, t: float) -> float:
    return a + (b - a) * t


VEHICLE_SHAPES = {"Car": (0.24, 0.62, 0.1), "Truck": (0.28, 0.95, 0.18), "Bus": (0.34, 0.85, 0.22)}
COLORS = {"red": (190, 40, 40), "blue": (40, 80, 180), "white": (235, 235, 235),
          "black": (30, 30, 35), "silver": (165, 170, 178), "yellow": (230, 185, 30)}


def make_scene(index: int) -> Scene:
    """The scene of image `index`: the same every time."""
    width, height = BIG_SIZES.get(index, DEFAULT_SIZE)
    rng = random.Random(7919 * index + 17)
    scene = Scene(index, width, height, round(height * rng.uniform(0.36, 0.46)),
                  dusk=index % 5 == 4)
    for _ in range(rng.randint(2, 4)):
        scene.vehicles.append(_make_vehicle(scene, rng))
    for _ in range(rng.randint(2, 4)):
        scene.people.append(_make_person(scene, rng))
    for _ in range(rng.randint(1, 2)):
        scene.signs.append(_make_sign(scene, rng))
    scene.vehicles.sort(key=lambda v: v.face[3])
    return scene


def _make_vehicle(scene: Scene, rng: random.Random) -> Vehicle:
    label = rng.choices(list(VEHICLE_SHAPES), weights=(6, 2, 1))[0]
    width_share, aspect, depth = VEHICLE_SHAPES[label]
    bottom = lerp(scene.horizon, scene.bottom, rng.uniform(0.25, 0.92))
    left_edge, right_edge = scene.road_edges(bottom)
    road_width = right_edge - left_edge
    width = road_width * width_share
    cx = left_edge + road_width * (rng.choice((0.27, 0.73)) + rng.uniform(-0.04, 0.04))
    face = (cx - width / 2, bottom - width * aspect, cx + width / 2, bottom)
    # The side toward the vanishing point shows; it shrinks toward the horizon.
    vx, vy = scene.width / 2, scene.horizon
    near_x = face[2] if cx < vx else face[0]
    color_name = "yellow" if label == "Bus" else rng.choice(list(COLORS)[:5])
    return Vehicle(
        label, face, side_x=lerp(near_x, vx, depth), side_top=lerp(face[1], vy, depth),
        side_bottom=lerp(face[3], vy, depth), color_name=color_name,
        color=COLORS[color_name], parked=rng.random() < 0.3,
    )


def _make_person(scene: Scene, rng: random.Random) -> Person:
    foot = lerp(scene.horizon, scene.bottom, rng.uniform(0.35, 1.0))
    adult = rng.random() < 0.65
    size = (0.3 if adult else 0.19) * (foot - scene.horizon)
    left_edge, right_edge = scene.road_edges(foot)
    if rng.random() < 0.5:
        cx = rng.uniform(size * 0.25, left_edge - size * 0.3)
    else:
        cx = rng.uniform(right_edge + size * 0.3, scene.width - size * 0.25)
    head_r = size * 0.1
    cy, ry, rx = foot - size * 0.5, size * 0.25, size * 0.13
    return Person(
        "ped_adult" if adult else "ped_child", cx, cy, rx, ry,
        head=(cx, foot - size + head_r), head_r=head_r,
        feet=((cx - rx * 0.6, foot), (cx + rx * 0.6, foot)),
        shirt=rng.choice(((200, 60, 60), (60, 120, 200), (60, 160, 90), (220, 160, 40))),
    )


def _make_sign(scene: Scene, rng: random.Random) -> Sign:
    ground = lerp(scene.horizon, scene.bottom, rng.uniform(0.3, 0.8))
    pole = 0.45 * (ground - scene.horizon)
    r = pole * 0.16
    left_edge, right_edge = scene.road_edges(ground)
    x = left_edge - r * 1.6 if rng.random() < 0.5 else right_edge + r * 1.6
    label = rng.choice(("sign_stop", "sign_speed", "sign_info"))
    return Sign(label, x, ground - pole, r, ground)


# --- drawing --------------------------------------------------------------------------------

def draw_scene(scene: Scene) -> bytes:
    """The scene as PNG bytes."""
    image = Image.new("RGB", (scene.width, scene.height))
    draw = ImageDraw.Draw(image)
    _draw_sky(draw, scene)
    _draw_buildings(draw, scene)
    _draw_road(draw, scene)
    for sign in scene.signs:
        _draw_sign(draw, sign)
    things = [(v.face[3], _draw_vehicle, v) for v in scene.vehicles]
    things += [(p.feet[0][1], _draw_person, p) for p in scene.people]
    for _, painter, thing in sorted(things, key=lambda item: item[0]):
        painter(draw, thing)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _draw_sky(draw: ImageDraw.ImageDraw, scene: Scene) -> None:
    top, low = ((40, 40, 90), (240, 140, 80)) if scene.dusk else ((90, 150, 220), (200, 225, 245))
    for y in range(int(scene.horizon) + 1):
        t = y / max(scene.horizon, 1)
        draw.line([(0, y), (scene.width, y)],
                  fill=tuple(round(lerp(a, b, t)) for a, b in zip(top, low, strict=True)))


def _draw_buildings(draw: ImageDraw.ImageDraw, scene: Scene) -> None:
    rng = random.Random(scene.index)
    x, unit = 0.0, scene.width / 960
    while x < scene.width:
        width = rng.uniform(60, 170) * unit
        top = scene.horizon * rng.uniform(0.15, 0.75)
        shade = rng.randint(90, 170)
        wall = (shade, shade - 10, shade - 25) if not scene.dusk else (shade // 2,) * 3
        draw.rectangle([x, top, x + width, scene.horizon], fill=wall)
        lit = (250, 220, 120) if scene.dusk else (170, 200, 225)
        for wy in range(int(top + 10 * unit), int(scene.horizon - 14 * unit), int(22 * unit)):
            for wx in range(int(x + 8 * unit), int(x + width - 14 * unit), int(20 * unit)):
                draw.rectangle([wx, wy, wx + 9 * unit, wy + 12 * unit], fill=lit)
        x += width + rng.uniform(0, 12) * unit


def _draw_road(draw: ImageDraw.ImageDraw, scene: Scene) -> None:
    draw.rectangle([0, scene.horizon, scene.width, scene.height], fill=(170, 165, 155))
    draw.polygon(scene.road(), fill=(70, 70, 75))
    lanes = scene.lanes()
    edge_width = max(2, round(scene.width / 320))
    for name in ("lane_edge_left", "lane_edge_right"):
        draw.line(lanes[name], fill=(240, 240, 240), width=edge_width)
    x = scene.width / 2
    y, dash = scene.horizon, 4.0
    while y < scene.bottom:
        draw.line([(x, y), (x, min(y + dash, scene.bottom))], fill=(245, 215, 60),
                  width=max(1, round(dash / 6)))
        y += dash * 2
        dash *= 1.35


def _draw_vehicle(draw: ImageDraw.ImageDraw, v: Vehicle) -> None:
    left, top, right, bottom = v.face
    w, h = right - left, bottom - top
    near_x = right if v.side_x > right else left
    dark = tuple(int(c * 0.6) for c in v.color)
    draw.polygon([(near_x, top), (v.side_x, v.side_top), (v.side_x, v.side_bottom),
                  (near_x, bottom)], fill=dark)
    for wheel_left in (left + 0.06 * w, right - 0.24 * w):
        draw.rectangle([wheel_left, top + 0.8 * h, wheel_left + 0.18 * w, bottom],
                       fill=(20, 20, 20))
    body_top = top + (0.38 * h if v.label == "Car" else 0)
    draw.rounded_rectangle([left, body_top, right, top + 0.88 * h], radius=0.06 * w,
                           fill=v.color)
    glass = (60, 80, 100)
    if v.label == "Car":
        draw.polygon([(left + 0.12 * w, body_top), (left + 0.22 * w, top),
                      (right - 0.22 * w, top), (right - 0.12 * w, body_top)], fill=v.color)
        draw.polygon([(left + 0.2 * w, body_top - 0.03 * h), (left + 0.26 * w, top + 0.07 * h),
                      (right - 0.26 * w, top + 0.07 * h), (right - 0.2 * w, body_top - 0.03 * h)],
                     fill=glass)
    elif v.label == "Bus":
        draw.rectangle([left + 0.08 * w, top + 0.08 * h, right - 0.08 * w, top + 0.4 * h],
                       fill=glass)
    else:
        draw.line([(left + w / 2, top + 0.05 * h), (left + w / 2, top + 0.85 * h)], fill=dark,
                  width=max(1, round(w / 60)))
    for lamp_left in (left + 0.04 * w, right - 0.18 * w):
        draw.rectangle([lamp_left, top + 0.62 * h, lamp_left + 0.14 * w, top + 0.72 * h],
                       fill=(230, 30, 30))
    draw.rectangle([left + 0.38 * w, top + 0.66 * h, right - 0.38 * w, top + 0.76 * h],
                   fill=(245, 245, 245))


def _draw_person(draw: ImageDraw.ImageDraw, p: Person) -> None:
    hip = (p.cx, p.cy + p.ry * 0.7)
    for foot in p.feet:
        draw.line([hip, foot], fill=(40, 40, 60), width=max(2, round(p.rx * 0.35)))
    draw.ellipse([p.cx - p.rx, p.cy - p.ry, p.cx + p.rx, p.cy + p.ry], fill=p.shirt)
    hx, hy = p.head
    draw.ellipse([hx - p.head_r, hy - p.head_r, hx + p.head_r, hy + p.head_r],
                 fill=(230, 190, 160))


def _draw_sign(draw: ImageDraw.ImageDraw, s: Sign) -> None:
    draw.line([(s.x, s.y), (s.x, s.ground)], fill=(110, 110, 115), width=max(2, round(s.r / 5)))
    box = [s.x - s.r, s.y - s.r, s.x + s.r, s.y + s.r]
    if s.label == "sign_stop":
        draw.ellipse(box, fill=(200, 30, 30))
        draw.rectangle([s.x - 0.6 * s.r, s.y - 0.15 * s.r, s.x + 0.6 * s.r, s.y + 0.15 * s.r],
                       fill=(255, 255, 255))
    elif s.label == "sign_speed":
        draw.ellipse(box, fill=(255, 255, 255), outline=(200, 30, 30),
                     width=max(2, round(s.r / 4)))
    else:
        draw.ellipse(box, fill=(30, 90, 190))
        draw.rectangle([s.x - 0.12 * s.r, s.y - 0.5 * s.r, s.x + 0.12 * s.r, s.y + 0.5 * s.r],
                       fill=(255, 255, 255))


# --- annotations in the response format -----------------------------------------------------

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
    ann = {"uuid": ann_uuid(scene, "vehicle", i), "type": "box", "label": v.label,
           "left": r1(left), "top": r1(top), "width": r1(right - left),
           "height": r1(bottom - top), "attributes": attributes or {}}
    if rotation is not None:
        ann["rotation"] = rotation
        ann["vertices"] = rotated_corners(ann["left"], ann["top"], ann["width"], ann["height"],
                                          rotation)
    return ann


def rotated_corners(left: float, top: float, width: float, height: float,
                    rotation: float) -> list[dict]:
    """The corners of a box turned clockwise (y points down) about its centre."""
    cx, cy = left + width / 2, top + height / 2
    cos, sin = math.cos(rotation), math.sin(rotation)
    corners = ((left, top), (left + width, top), (left + width, top + height),
               (left, top + height))
    return [{"x": round(cx + (x - cx) * cos - (y - cy) * sin, 2),
             "y": round(cy + (x - cx) * sin + (y - cy) * cos, 2)} for x, y in corners]


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


# --- labels, attributes and links of the tasks ----------------------------------------------

VEHICLE_LEAVES = ["Car", "Truck", "Bus"]
PEDESTRIAN_LEAVES = ["ped_adult", "ped_child"]
KEYPOINT_LEAVES = ["head", "left_foot", "right_foot"]
VEHICLES = {"choice": "Vehicle", "subchoices": VEHICLE_LEAVES}
PEDESTRIANS = {"choice": "Pedestrian", "subchoices": [
    {"choice": "ped_adult", "display": "Adult"}, {"choice": "ped_child", "display": "Child"}]}
SIGNS = {"choice": "Sign", "subchoices": [
    {"choice": "sign_stop", "display": "No entry"},
    {"choice": "sign_speed", "display": "Speed limit"},
    {"choice": "sign_info", "display": "Information"}]}
KEYPOINTS = {"choice": "Body keypoint", "subchoices": [
    "head", {"choice": "left_foot", "display": "Left foot"},
    {"choice": "right_foot", "display": "Right foot"}]}
SURFACES = ["road", {"choice": "sidewalk", "display": "Sidewalk"}]
LANES = {"choice": "Lane marking", "subchoices": [
    {"choice": "lane_center", "display": "Centre line"},
    {"choice": "lane_edge", "display": "Edge line"}]}


def geometry(name: str, **options: object) -> dict:
    labels = {"box": [VEHICLES], "cuboid": [VEHICLES], "ellipse": [PEDESTRIANS],
              "polygon": SURFACES, "line": [LANES], "point": [SIGNS, KEYPOINTS]}
    if name == "point":
        options.setdefault("connections", [
            {"pair": ["head", "left_foot"], "connection_attribute": "person"},
            {"pair": ["head", "right_foot"], "connection_attribute": "person"}])
    return {"objects_to_annotate": labels[name], **options}


def label_condition(labels: list[str]) -> dict:
    return {"label_condition": {"label": labels}}


def vehicle_attributes_spec(*, plate: bool = False) -> dict:
    spec = {
        "occlusion": {
            "type": "category", "description": "How much of it is hidden?", "default": "visible",
            "choices": ["visible", {"choice": "Occluded", "subchoices": [
                {"choice": "partly", "display": "Partly (< 50%)"},
                {"choice": "mostly", "display": "Mostly (50% or more)"}]}]},
        "color": {"type": "category", "description": "Colours (pick all that apply)",
                  "allow_multiple": True, "choices": [*list(COLORS)[:5], "yellow"],
                  "conditions": label_condition(VEHICLE_LEAVES)},
        "is_parked": {"type": "category", "description": "Parked?", "choices": ["yes", "no"],
                      "required": True, "conditions": label_condition(VEHICLE_LEAVES)},
        "speed_kmh": {"type": "number", "description": "Estimated speed (km/h)", "min": 0,
                      "max": 130, "step": 5,
                      "conditions": {**label_condition(VEHICLE_LEAVES),
                                     "attribute_conditions": [{"is_parked": "no"}]}},
    }
    if plate:
        spec["plate"] = {"type": "text", "description": "Licence plate, if readable",
                         "conditions": label_condition(VEHICLE_LEAVES)}
    return spec


def pedestrian_attributes_spec() -> dict:
    return {
        "heading": {"type": "angle", "description": "Walking direction (0° = up, clockwise)",
                    "conditions": label_condition(PEDESTRIAN_LEAVES)},
        "person": {"type": "linked", "description": "The pedestrian this keypoint belongs to",
                   "allowed_labels": PEDESTRIAN_LEAVES, "required": True,
                   "conditions": label_condition(KEYPOINT_LEAVES)},
    }


GLOBAL_ATTRIBUTES = {
    "weather": {"type": "category", "description": "Weather", "choices": ["sunny", "cloudy",
                                                                         "rain"],
                "conditions": {"is_global": True}},
    "time_of_day": {"type": "category", "description": "Time of day",
                    "choices": ["day", "dusk", "night"], "conditions": {"is_global": True}},
}
LINKS = {
    "follows": [{"is_bidirectional": False, "from_allowed_labels": ["ped_child"],
                 "to_allowed_labels": ["ped_adult"]}],
    "walks_with": [{"is_bidirectional": True, "from_allowed_labels": PEDESTRIAN_LEAVES,
                    "to_allowed_labels": PEDESTRIAN_LEAVES}],
}


# --- the six kinds of task ------------------------------------------------------------------

def showcase_params(scene: Scene) -> dict:
    """Every geometry, global attributes, links and a hypothesis of everything drawn."""
    annotations = [box_ann(scene, i, v, attributes=vehicle_attributes(v))
                   for i, v in enumerate(scene.vehicles[1:], start=1)]
    cuboid = cuboid_ann(scene, 0, scene.vehicles[0])
    annotations.append({**cuboid, "attributes": vehicle_attributes(scene.vehicles[0])})
    annotations += [road_ann(scene), *lane_anns(scene)]
    annotations += [sign_ann(scene, i, s) for i, s in enumerate(scene.signs)]
    for i, p in enumerate(scene.people):
        annotations += [ellipse_ann(scene, i, p, attributes={"heading": 0}),
                        *keypoint_anns(scene, i, p)]
    return {
        "instruction": "Prelabels come from a model: **fix** them and add what is missing.",
        "geometries": {name: geometry(name) for name in
                       ("box", "polygon", "line", "point", "cuboid", "ellipse")},
        "annotation_attributes": {**vehicle_attributes_spec(), **pedestrian_attributes_spec(),
                                  **GLOBAL_ATTRIBUTES},
        "links": LINKS,
        "hypothesis": {"annotations": annotations, "links": follow_links(scene),
                       "global_attributes": {"weather": "sunny",
                                             "time_of_day": "dusk" if scene.dusk else "day"}},
    }


def vehicles_params(scene: Scene) -> dict:
    """Boxes only, with a full hypothesis of the vehicles."""
    return {
        "instruction": "Check every vehicle box and its attributes.",
        "geometries": {"box": geometry("box", min_width=8, min_height=8,
                                       integer_pixels=True)},
        "annotation_attributes": vehicle_attributes_spec(plate=True),
        "hypothesis": {"annotations": [
            box_ann(scene, i, v, attributes=vehicle_attributes(v, plate=i == 0))
            for i, v in enumerate(scene.vehicles)]},
    }


def rotated_params(scene: Scene) -> dict:
    """Rotatable boxes over base annotations: one locked, labels fixed, none deletable."""
    base = [box_ann(scene, i, v, rotation=0.0 if i else 0.05,
                    attributes=vehicle_attributes(v))
            for i, v in enumerate(scene.vehicles)]
    base[0]["locked"] = True
    return {
        "instruction": "Rotate the boxes to fit. The first box is locked.",
        "geometries": {"box": geometry("box", can_rotate=True)},
        "annotation_attributes": vehicle_attributes_spec(),
        "base_annotations": {"annotations": base},
        "can_add_base_annotations": True,
        "can_edit_base_annotations": True,
        "can_edit_base_annotation_labels": False,
        "can_delete_base_annotations": False,
    }


def layout_params(scene: Scene) -> dict:
    """Road surfaces and lane lines, the vehicles shown as a read-only layer."""
    boxes = [box_ann(scene, i, v) for i, v in enumerate(scene.vehicles)]
    return {
        "instruction": "Outline the road and the sidewalks, and trace every lane marking.",
        "geometries": {"polygon": geometry("polygon", min_vertices=3, max_vertices=40),
                       "line": geometry("line", min_vertices=2)},
        "layer": {"boxes": [{k: v for k, v in b.items() if k != "attributes"} for b in boxes]},
        "base_annotations": {"annotations": [road_ann(scene, locked=True),
                                             *lane_anns(scene)[:1]]},
        "can_add_base_annotations": True,
        "can_edit_base_annotations": True,
        "can_edit_base_annotation_labels": True,
        "can_delete_base_annotations": True,
        "paddingX": 60,
        "paddingY": 30,
    }


def pedestrians_params(scene: Scene) -> dict:
    """Ellipses and keypoints with connections, linked attributes and links."""
    hypothesis = []
    for i, p in enumerate(scene.people):
        hypothesis += [ellipse_ann(scene, i, p, attributes={"heading": 90}),
                       *keypoint_anns(scene, i, p)]
    return {
        "instruction": "Draw an ellipse around each pedestrian and mark head and feet.",
        "geometries": {"ellipse": geometry("ellipse"), "point": geometry("point")},
        "annotation_attributes": pedestrian_attributes_spec(),
        "links": LINKS,
        "layers": {"polygons": [road_ann(scene)], "lines": lane_anns(scene)},
        "hypothesis": {"annotations": hypothesis, "links": follow_links(scene)},
    }


def cuboid_params(scene: Scene) -> dict:
    """3D cuboids: the camera looks along the road, level, 1.5 m above it."""
    return {
        "instruction": "Fit a cuboid to every vehicle; the front face is the face nearest you.",
        "geometries": {
            "box": geometry("box"),
            "cuboid": geometry(
                "cuboid", min_width=4, min_height=4,
                camera_intrinsics={"fx": float(scene.width), "fy": float(scene.width),
                                   "cx": scene.width / 2, "cy": float(scene.horizon),
                                   "skew": 0, "scalefactor": 1},
                camera_rotation_quaternion={"w": 0.7071067811865476,
                                            "x": -0.7071067811865476, "y": 0, "z": 0},
                camera_height=1.5),
        },
        "annotation_attributes": {"occlusion": vehicle_attributes_spec()["occlusion"]},
    }


KINDS = (showcase_params, vehicles_params, rotated_params, layout_params, pedestrians_params,
         cuboid_params)


def task_body(scene: Scene, attachment: str, context: str | None) -> dict:
    """The create body of scene `scene.index`, as an API client would POST it."""
    index = scene.index
    body = {"project": PROJECT, "attachment": attachment, "attachment_type": "image",
            "unique_id": f"demo-scene-{index:02d}", "priority": (20, 30, 10, 20)[index % 4],
            "metadata": {"scene": index, "source": "tasks.demo"},
            "tags": ["street", *(["dusk"] if scene.dusk else [])],
            **KINDS[index % len(KINDS)](scene)}
    if index % 3 == 0:
        body["batch"] = BATCH
    if index % 2 == 0:
        body["image_metadata"] = image_metadata(index)
    if index % 4 == 1:
        body["padding"] = 40
    if context and index % 6 == 0:
        body["context_attachments"] = [{"attachment": context}]
    return body


def image_metadata(index: int) -> dict:
    return {"date_time": f"2024-06-{index + 1:02d}T{8 + index % 10:02d}:30:00Z",
            "resolution": {"resolution_ratio": 0.02, "resolution_unit": "m"},
            "location": {"lat": round(48.85 + index / 1000, 4),
                         "long": round(2.35 + index / 1000, 4)}}


# --- loading --------------------------------------------------------------------------------

PROJECT_PARAMS = {"instruction": "These are drawn street scenes: label what the task asks "
                                 "for, as precisely as the image allows."}


@dataclass
class DemoResult:
    created: bool
    task_count: int = 0
    live_key: str = ""
    test_key: str = ""
    notes: list[str] = field(default_factory=list)


def is_loaded() -> bool:
    return Project.objects.filter(owner__username=ACCOUNT, name=PROJECT, is_test=False).exists()


def load() -> DemoResult:
    """Load the demo once; a second call changes nothing."""
    if is_loaded():
        return DemoResult(created=False)
    result = DemoResult(created=True)
    with transaction.atomic():
        owner = _accounts(result)
        project = lifecycle.create_project(owner=owner, is_test=False, body={
            "type": "imageannotation", "name": PROJECT, "params": PROJECT_PARAMS})
        lifecycle.create_batch(owner=owner, is_test=False,
                               body={"project": PROJECT, "name": BATCH})
        project.taskers.add(get_user_model().objects.get(username="tasker"))
        result.task_count = _create_tasks(owner)
    return result


def _accounts(result: DemoResult):
    users = get_user_model().objects
    if not users.filter(username="admin").exists():
        users.create_superuser("admin", "admin@example.com", "admin")
    else:
        result.notes.append("User admin already existed; its password was left alone.")
    tasker = users.filter(username="tasker").first()
    if tasker is None:
        ensure_tasker("tasker", "tasker")
    else:
        tasker.groups.add(Group.objects.get_or_create(name=TASKERS_GROUP)[0])
        result.notes.append("User tasker already existed; its password was left alone.")
    owner, _ = get_or_create_account(ACCOUNT)
    _, result.live_key = ApiKey.issue(owner, is_test=False, name="demo live key")
    _, result.test_key = ApiKey.issue(owner, is_test=True, name="demo test key")
    return owner


def _create_tasks(owner) -> int:
    previous = None
    for index in range(SCENE_COUNT):
        scene = make_scene(index)
        upload = store_file(owner=owner, is_test=False, data=draw_scene(scene), fields={
            "display_name": f"street-{index:02d}.png", "project_name": PROJECT,
            "reference_id": f"demo-street-{index:02d}"})
        body = task_body(scene, upload.attachment_url, previous)
        lifecycle.create_task(owner=owner, is_test=False, task_type="imageannotation",
                              body=body)
        previous = upload.attachment_url
    return SCENE_COUNT

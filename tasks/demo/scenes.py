"""Street scenes generated from their index, and drawn with Pillow."""

from __future__ import annotations

import io
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, ImageDraw

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


# The camera the pictures are drawn for (the 3D cuboid tasks give it: bodies.cuboid_params): a
# pinhole with fx = fy = the image width, level, its centre on the horizon, CAMERA_HEIGHT
# metres above the road (a traffic camera). At that height the drawn road is a two-lane road
# of 7-9 m where the vehicles stand, so a cuboid fitted to a vehicle has the vehicle's size.
CAMERA_HEIGHT = 3.8
# label -> (width, height, length) in metres
VEHICLE_SHAPES = {"Car": (1.8, 1.5, 4.5), "Truck": (2.5, 3.4, 8.0), "Bus": (2.55, 3.2, 12.0)}
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
    width_m, height_m, length = VEHICLE_SHAPES[label]
    bottom = lerp(scene.horizon, scene.bottom, rng.uniform(0.25, 0.92))
    left_edge, right_edge = scene.road_edges(bottom)
    road_width = right_edge - left_edge
    # The rear face stands at distance z = fx·h / (bottom − horizon): a metre there is
    # (bottom − horizon) / h pixels. The side toward the vanishing point shows; its far end is
    # `length` metres further, its points lerped toward the vanishing point by
    # length / (z + length).
    pixels_per_metre = (bottom - scene.horizon) / CAMERA_HEIGHT
    distance = scene.width / pixels_per_metre
    width = width_m * pixels_per_metre
    cx = left_edge + road_width * (rng.choice((0.27, 0.73)) + rng.uniform(-0.04, 0.04))
    face = (cx - width / 2, bottom - height_m * pixels_per_metre, cx + width / 2, bottom)
    vx, vy = scene.width / 2, scene.horizon
    depth = length / (distance + length)
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
    things: list[tuple[float, Callable[[ImageDraw.ImageDraw, Any], None], Vehicle | Person]]
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


"""The 3D demo (tasks/demo, docs/workbench.md "3D cuboids"): each drawn vehicle is the
projection of a box of the vehicle's size standing on the road, seen by the camera the cuboid
tasks give, so a cuboid fitted to the demo's truck measures like a truck."""

from __future__ import annotations

import math

import pytest

from tasks.demo.bodies import KINDS, cuboid_params
from tasks.demo.scenes import CAMERA_HEIGHT, VEHICLE_SHAPES, make_scene
from tasks.rules.geometry import Camera, cuboid_from_3d

SIZES = {  # metres: (width, height, length) a cuboid of that label must fall in
    "Car": ((1.6, 2.0), (1.3, 1.8), (3.8, 5.2)),
    "Truck": ((2.3, 2.6), (3.0, 4.0), (7.0, 12.0)),
    "Bus": ((2.4, 2.6), (3.0, 3.6), (10.0, 15.0)),
}


def scenes_with(label: str) -> list:
    found = [make_scene(i) for i in range(60)]
    return [(s, v) for s in found for v in s.vehicles if v.label == label]


def fitted_box(scene, vehicle) -> dict:
    """The box standing on the road whose projection is the drawn vehicle."""
    left, top, right, bottom = vehicle.face
    rise = bottom - scene.horizon
    distance = scene.width * CAMERA_HEIGHT / rise  # fx = image width, level camera
    length = VEHICLE_SHAPES[vehicle.label][2]
    centre_x = ((left + right) / 2 - scene.width / 2) * distance / scene.width
    return {
        "position": {"x": centre_x, "y": CAMERA_HEIGHT, "z": distance + length / 2},
        "dimensions": {"length": length, "width": (right - left) * CAMERA_HEIGHT / rise,
                       "height": (bottom - top) * CAMERA_HEIGHT / rise},
        "yaw": 0.0,
    }


def test_the_cuboid_tasks_camera_is_the_scenes():
    assert cuboid_params in KINDS
    scene = make_scene(5)
    camera = Camera.from_options(cuboid_params(scene)["geometries"]["cuboid"])
    assert camera is not None
    assert camera.height == CAMERA_HEIGHT
    assert camera.fx == camera.fy == scene.width and camera.cy == scene.horizon


@pytest.mark.parametrize("label", ["Truck", "Car", "Bus"])
def test_every_drawn_vehicle_is_a_box_of_its_size(label):
    pairs = scenes_with(label)
    assert pairs, f"no {label} in the demo"
    for scene, vehicle in pairs:
        camera = cuboid_params(scene)["geometries"]["cuboid"]
        box = fitted_box(scene, vehicle)
        width, height, length = (box["dimensions"][k] for k in ("width", "height", "length"))
        (w0, w1), (h0, h1), (l0, l1) = SIZES[label]
        assert w0 <= width <= w1 and h0 <= height <= h1 and l0 <= length <= l1, \
            (scene.index, label, width, height, length)
        # the box projects onto the drawing: its face and the far end of its side
        projected = {v["description"]: (v["x"], v["y"]) for v in cuboid_from_3d(
            box["position"], box["dimensions"], box["yaw"], camera)["vertices"]}
        left, top, right, bottom = vehicle.face
        for name, (x, y) in {"face-topleft": (left, top), "face-bottomleft": (left, bottom),
                             "face-topright": (right, top),
                             "face-bottomright": (right, bottom),
                             "side-topcorner": (vehicle.side_x, vehicle.side_top),
                             "side-bottomcorner": (vehicle.side_x, vehicle.side_bottom)}.items():
            assert math.dist(projected[name], (x, y)) < 0.5, (scene.index, name, projected, x, y)


def test_the_truck_is_not_a_toy():
    """The truck the 3D demo showed measured 0.55 × 0.90 × 0.72 m."""
    for scene, vehicle in scenes_with("Truck"):
        dims = fitted_box(scene, vehicle)["dimensions"]
        assert dims["length"] >= 6 and dims["width"] >= 2 and dims["height"] >= 2.5, dims

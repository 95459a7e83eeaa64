"""3D cuboids: with a camera, the cuboid tool draws a box standing on the ground (footprint,
height, turn), editing keeps it 3D, and the submitted response's position, dimensions and yaw
project to its 2D vertices."""

from __future__ import annotations

import math

import pytest

from tasks.rules.geometry import Camera, cuboid_from_3d, project_point
from tests.browser.helpers import near

pytestmark = pytest.mark.browser

PITCH = math.radians(12)  # looking down, heading along world +x
# camera axes in the world (columns): right (0,-1,0), down, forward
MATRIX = (
    (0.0, -math.sin(PITCH), math.cos(PITCH)),
    (-1.0, 0.0, 0.0),
    (0.0, -math.cos(PITCH), -math.sin(PITCH)),
)


def quaternion(m) -> dict:
    w = math.sqrt(1 + m[0][0] + m[1][1] + m[2][2]) / 2
    return {"w": w, "x": (m[2][1] - m[1][2]) / (4 * w), "y": (m[0][2] - m[2][0]) / (4 * w),
            "z": (m[1][0] - m[0][1]) / (4 * w)}


CAMERA = {
    "camera_intrinsics": {"fx": 500, "fy": 500, "cx": 320, "cy": 200, "skew": 0,
                          "scalefactor": 1},
    "camera_rotation_quaternion": quaternion(MATRIX),
    "camera_height": 1.6,
}


def consistent(cuboid: dict, tolerance: float = 1e-6) -> None:
    """The 2D vertices are the projection of the 3D keys, the box stands on the ground."""
    camera = Camera.from_options(CAMERA)
    want = cuboid_from_3d(cuboid["position"], cuboid["dimensions"], cuboid["yaw"], camera)
    got = {v["description"]: v for v in cuboid["vertices"]}
    for vertex in want["vertices"]:
        mine = got[vertex["description"]]
        assert near(mine["x"], vertex["x"], tolerance), (mine, vertex)
        assert near(mine["y"], vertex["y"], tolerance), (mine, vertex)
    p = cuboid["position"]
    assert near(camera.to_world((p["x"], p["y"], p["z"]))[2], 0, 1e-9)


def bottom_pixels(cuboid: dict) -> list[tuple[float, float]]:
    camera = Camera.from_options(CAMERA)
    p, d = cuboid["position"], cuboid["dimensions"]
    base = camera.to_world((p["x"], p["y"], p["z"]))
    forward = (1.0, 0.0)  # the camera's forward on the ground
    heading = (math.cos(cuboid["yaw"]) * forward[0] - math.sin(cuboid["yaw"]) * forward[1],
               math.sin(cuboid["yaw"]) * forward[0] + math.cos(cuboid["yaw"]) * forward[1])
    left = (-heading[1], heading[0])
    result = []
    for a, b in ((1, 1), (1, -1), (-1, -1), (-1, 1)):
        corner = (base[0] + a * d["length"] / 2 * heading[0] + b * d["width"] / 2 * left[0],
                  base[1] + a * d["length"] / 2 * heading[1] + b * d["width"] / 2 * left[1], 0)
        result.append(project_point(camera.to_camera(corner), camera))
    return result


def test_draw_turn_move_and_resize_a_3d_cuboid_then_submit(make_task, bench_for):
    setup = make_task({"geometries": {"cuboid": {"objects_to_annotate": ["car"], **CAMERA}}})
    bench = bench_for(setup)
    bench.start()
    page = bench.page
    assert bench.scale() >= 1

    bench.tool("c")
    assert "footprint" in page.locator(".wb-status-hint").inner_text()
    page.keyboard.press("]")
    page.keyboard.press("]")  # the next box's yaw: 30°
    assert "30°" in bench.status()

    # the footprint: a drag on the ground (its diagonal), then the height, then a click
    bench.drag((250, 280), (390, 340))
    bench.move(390, 230, steps=4)
    bench.click(390, 230)
    bench.pick_label("car")
    (cuboid,) = bench.annotations()
    assert near(cuboid["yaw"], math.radians(30), 1e-9)
    assert cuboid["dimensions"]["height"] > 0.5
    consistent(cuboid)
    # the press and the release are two opposite corners of the footprint
    corners = bottom_pixels(cuboid)
    for x, y in ((250, 280), (390, 340)):
        assert any(near(cx, x, 1.0) and near(cy, y, 1.0) for cx, cy in corners), corners

    # turn the selected box with [ (15° back), one undo step per run of presses
    bench.tool("v")
    page.keyboard.press("[")
    turned = bench.annotations()[0]
    assert near(turned["yaw"], math.radians(15), 1e-9)
    assert turned["position"] == cuboid["position"]
    consistent(turned)

    # move it on the ground: the bottom centre's image follows the pointer
    face = [v for v in turned["vertices"] if v["description"].startswith("face-")]
    cx = sum(v["x"] for v in face) / 4
    cy = sum(v["y"] for v in face) / 4
    bench.drag((cx, cy), (cx + 30, cy + 10))
    moved = bench.annotations()[0]
    assert moved["position"] != turned["position"]
    assert moved["yaw"] == turned["yaw"] and moved["dimensions"] == turned["dimensions"]
    consistent(moved)

    # a top vertex sets the height, the footprint stays
    top = next(v for v in moved["vertices"] if v["description"] == "face-topleft")
    bench.drag((top["x"], top["y"]), (top["x"], top["y"] - 25))
    taller = bench.annotations()[0]
    assert taller["dimensions"]["height"] > moved["dimensions"]["height"] + 0.1
    assert taller["position"] == moved["position"]
    consistent(taller)

    bench.submit()
    page.wait_for_url(f"{setup.root}/")
    (stored,) = setup.task()["response"]["annotations"]
    assert stored["position"] == taller["position"]
    assert stored["dimensions"] == taller["dimensions"]
    assert stored["yaw"] == taller["yaw"]
    consistent(stored)
    assert [e["description"] for e in stored["edges"]] == [
        "face-top", "face-right", "face-bottom", "face-left", "side-bottom", "side-top"]

"""3D cuboids: the server's projection agrees with the workbench's (a shared fixture), and a
cuboid whose 3D keys and 2D vertices describe different boxes is refused."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from tasks.rules.annotations import validate_annotations
from tasks.rules.errors import RuleError
from tasks.rules.geometry import VERTEX_TOLERANCE, Camera, cuboid_from_3d
from tasks.rules.params import normalize_image_params

# The same cases tests/js/camera.test.mjs projects with static/js/lib/camera.js.
FIXTURE = json.loads(
    (Path(__file__).resolve().parents[1] / "fixtures" / "rules" / "cuboid_3d.json").read_text()
)
A = "response.annotations"


def params_with(camera_name: str) -> dict:
    geometries = {"cuboid": {"objects_to_annotate": ["car"], **FIXTURE["cameras"][camera_name]}}
    return normalize_image_params(
        {"attachment": "https://example.com/street.jpg", "geometries": geometries}
    )


def annotation(case: dict, **overrides) -> dict:
    item = {
        "uuid": "cube-1",
        "type": "cuboid",
        "label": "car",
        "vertices": case["vertices"],
        "position": case["position"],
        "dimensions": case["dimensions"],
        "yaw": case["yaw"],
    }
    item.update(overrides)
    return item


@pytest.mark.parametrize("index", range(len(FIXTURE["cases"])))
def test_projection_matches_the_shared_fixture(index):
    case = FIXTURE["cases"][index]
    camera = Camera.from_options(FIXTURE["cameras"][case["camera"]])
    got = cuboid_from_3d(case["position"], case["dimensions"], case["yaw"], camera)
    assert [v["description"] for v in got["vertices"]] == [
        v["description"] for v in case["vertices"]
    ]
    for mine, theirs in zip(got["vertices"], case["vertices"], strict=True):
        assert math.isclose(mine["x"], theirs["x"], abs_tol=1e-7)
        assert math.isclose(mine["y"], theirs["y"], abs_tol=1e-7)
    assert got["edges"] == case["edges"]


def test_the_fixture_boxes_stand_on_the_ground():
    for case in FIXTURE["cases"]:
        camera = Camera.from_options(FIXTURE["cameras"][case["camera"]])
        position = case["position"]
        world = camera.to_world((position["x"], position["y"], position["z"]))
        assert math.isclose(world[2], 0, abs_tol=1e-9)


@pytest.mark.parametrize("kind", ["response", "draft", "hypothesis", "base"])
def test_consistent_3d_cuboid_is_kept(kind):
    case = FIXTURE["cases"][1]
    [result] = validate_annotations(
        [annotation(case)], params_with(case["camera"]), path=A, kind=kind
    )
    assert result["position"] == case["position"]
    assert result["yaw"] == case["yaw"]
    assert result["vertices"] == case["vertices"]


def test_rounded_vertices_are_within_tolerance():
    case = FIXTURE["cases"][0]
    rounded = [{**v, "x": round(v["x"], 1), "y": round(v["y"], 1)} for v in case["vertices"]]
    [result] = validate_annotations(
        [annotation(case, vertices=rounded)], params_with(case["camera"]), path=A, kind="response"
    )
    assert result["vertices"] == rounded


@pytest.mark.parametrize("kind", ["response", "draft", "hypothesis"])
def test_3d_keys_that_disagree_with_the_vertices_are_refused(kind):
    case = FIXTURE["cases"][0]
    turned = annotation(case, yaw=case["yaw"] + 0.3)
    with pytest.raises(RuleError) as info:
        validate_annotations([turned], params_with(case["camera"]), path=A, kind=kind)
    assert info.value.path == f"{A}[0].vertices"
    assert info.value.annotation_uuid == "cube-1"
    assert "disagree with position, dimensions and yaw" in info.value.message


def test_one_moved_vertex_is_named():
    case = FIXTURE["cases"][2]
    vertices = [dict(v) for v in case["vertices"]]
    vertices[4]["x"] += 2 * VERTEX_TOLERANCE
    with pytest.raises(RuleError) as info:
        validate_annotations(
            [annotation(case, vertices=vertices)], params_with(case["camera"]), path=A,
            kind="response",
        )
    assert "side-topcorner" in info.value.message


def test_a_box_behind_the_camera_is_refused():
    case = FIXTURE["cases"][0]
    behind = {**case["position"], "z": -case["position"]["z"]}
    with pytest.raises(RuleError) as info:
        validate_annotations(
            [annotation(case, position=behind)], params_with(case["camera"]), path=A,
            kind="response",
        )
    assert info.value.path == f"{A}[0]"
    assert "in front of the camera" in info.value.message

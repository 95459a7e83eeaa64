"""3D cuboids on the server: a hand-made submit whose position / dimensions / yaw disagree
with its 2D vertices is refused with a 400 naming the annotation; a consistent one is kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tasks import lifecycle, queue
from tasks.models import Task
from tests.factories import make_project, make_tasker

pytestmark = pytest.mark.django_db

FIXTURE = json.loads(
    (Path(__file__).resolve().parents[1] / "fixtures" / "rules" / "cuboid_3d.json").read_text()
)
CASE = FIXTURE["cases"][1]
UUID = "33333333-3333-4333-8333-000000000001"


@pytest.fixture
def tasker(db, account):
    return make_tasker("cuba")


@pytest.fixture
def task(account, tasker) -> Task:
    project = make_project(account, "cubes")
    cuboid = {"objects_to_annotate": ["car"], **FIXTURE["cameras"][CASE["camera"]]}
    body = {"project": "cubes", "attachment": "https://example.com/road.png",
            "geometries": {"cuboid": cuboid}}
    lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation", body=body)
    return queue.claim_next(tasker, project)


def cuboid(**overrides) -> dict:
    item = {"uuid": UUID, "type": "cuboid", "label": "car", "vertices": CASE["vertices"],
            "position": CASE["position"], "dimensions": CASE["dimensions"],
            "yaw": CASE["yaw"]}
    return {**item, **overrides}


def submit(client, task, annotation):
    return client.post(f"/tasks/{task.task_id}/submit", {"annotations": [annotation]},
                       content_type="application/json")


def test_a_turned_yaw_is_refused_naming_the_annotation(client, tasker, task):
    client.force_login(tasker)
    res = submit(client, task, cuboid(yaw=CASE["yaw"] + 0.2))
    assert res.status_code == 400, res.content
    error = res.json()
    assert error["annotation_uuid"] == UUID
    assert "vertices disagree with position, dimensions and yaw" in error["error"]
    assert Task.objects.get(pk=task.pk).status == "pending"


def test_a_consistent_3d_cuboid_is_kept(client, tasker, task):
    client.force_login(tasker)
    res = submit(client, task, cuboid())
    assert res.status_code == 200, res.content
    (stored,) = Task.objects.get(pk=task.pk).response["annotations"]
    assert stored["position"] == CASE["position"] and stored["yaw"] == CASE["yaw"]
    assert stored["vertices"] == CASE["vertices"]

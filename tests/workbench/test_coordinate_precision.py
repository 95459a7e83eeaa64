"""A submit stores pixel coordinates to two decimals (docs/task-format.md "Coordinates")."""

from __future__ import annotations

import pytest

from tasks import lifecycle, queue
from tasks.models import Task
from tasks.rules.precision import round_coordinates
from tests.factories import box_task, make_project, make_tasker

pytestmark = pytest.mark.django_db


def test_round_coordinates_rounds_pixels_only():
    annotation = {"uuid": "a", "type": "box", "label": "car", "left": 1199.999998873877,
                  "top": 10.126, "width": 0.001, "height": 5, "rotation": 0.123456,
                  "vertices": [{"x": 1.23456, "y": 2.34567}],
                  "attributes": {"speed": 12.3456}}
    assert round_coordinates(annotation) == {
        "uuid": "a", "type": "box", "label": "car", "left": 1200, "top": 10.13,
        "width": 0.01, "height": 5, "rotation": 0.123456,
        "vertices": [{"x": 1.23, "y": 2.35}], "attributes": {"speed": 12.3456}}


def test_a_submit_stores_two_decimals_and_keeps_base_annotations(client, account):
    project = make_project(account, "streets")
    base = {"uuid": "base-1", "type": "box", "label": "car", "left": 1.23456, "top": 2,
            "width": 30, "height": 40}
    task = lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                                 body=box_task(project="streets",
                                               base_annotations={"annotations": [base]}))
    tina = make_tasker("tina")
    queue.claim_next(tina, project)
    client.force_login(tina)
    drawn = {"uuid": "new-1", "type": "box", "label": "bus", "left": 100.00000001,
             "top": 19.999999873877, "width": 20.126, "height": 10.5}
    res = client.post(f"/tasks/{task.task_id}/submit", {"annotations": [base, drawn]},
                      content_type="application/json")
    assert res.status_code == 200, res.content
    stored = {a["uuid"]: a for a in Task.objects.get(pk=task.pk).response["annotations"]}
    assert (stored["new-1"]["left"], stored["new-1"]["top"], stored["new-1"]["width"],
            stored["new-1"]["height"]) == (100, 20, 20.13, 10.5)
    assert stored["base-1"]["left"] == 1.23456  # as the customer gave it

"""Replica, gold and training rows are never the customer's: not in lists, counts, exports,
callbacks or the daily view (docs/quality.md)."""

from __future__ import annotations

import io
import zipfile

import orjson
import pytest
from django.core.management import call_command

from tasks import lifecycle, projects, stats
from tasks.models import CallbackDelivery, Task, TaskRole, TaskStage
from tests.factories import box_task, make_project

pytestmark = pytest.mark.django_db

RESPONSE = {"annotations": [{"uuid": "a1", "type": "box", "label": "car", "left": 1, "top": 2,
                             "width": 30, "height": 40, "attributes": {}}]}


def hidden_row(parent: Task | None, role: str, stage: str = TaskStage.WORK) -> Task:
    """A hidden row as the quality loop makes one: batchless, no unique_id, no callback URL
    (it gets one here all the same, to show that no callback is written for it)."""
    source = parent or Task.objects.filter(role=TaskRole.CUSTOMER).first()
    assert source is not None
    return Task.objects.create(owner=source.owner, type=source.type, project=source.project,
                               params=source.params, role=role, stage=stage, parent=parent,
                               callback_url="https://example.com/cb")


@pytest.fixture
def customer_task(account, api):
    make_project(account)
    projects.create_batch(owner=account, is_test=False, body={"name": "b1",
                                                               "project": "streets"})
    res = api.post("task/imageannotation", box_task(project="streets", batch="b1",
                                                    callback_url="https://example.com/cb"))
    assert res.status_code == 200, res.content
    return Task.objects.get(pk=res.json()["task_id"])


@pytest.fixture
def hidden(customer_task):
    """Each kind of hidden row, completed."""
    rows = [hidden_row(customer_task, TaskRole.REPLICA) for _ in range(3)]
    template = hidden_row(None, TaskRole.EVALUATION, TaskStage.TEMPLATE)
    rows.append(hidden_row(template, TaskRole.EVALUATION))
    training = hidden_row(None, TaskRole.TRAINING, TaskStage.TEMPLATE)
    rows.append(hidden_row(training, TaskRole.TRAINING))
    for row in rows:
        lifecycle.complete_task(row, RESPONSE)
    lifecycle.complete_task(customer_task, RESPONSE)
    return [*rows, template, training]


def test_lists_and_gets_show_the_customer_task_only(api, customer_task, hidden):
    listed = api.get("tasks", project="streets").json()
    assert [t["task_id"] for t in listed["docs"]] == [customer_task.pk]
    assert listed["total"] == 1
    for row in hidden:
        assert api.get(f"task/{row.pk}").status_code == 404
    assert api.get(f"task/{customer_task.pk}").status_code == 200


def test_batch_counts_and_daily_view_count_the_customer_task_once(api, customer_task, hidden):
    status = api.get("batches/b1/status").json()
    assert (status["completed"], status["pending"]) == (1, 0)
    project_stats = stats.project_stats(customer_task.project)
    assert project_stats.as_json()["totals"]["completed"] == 1
    assert sum(row.progress.total for row in stats.overview()) == 1


@pytest.mark.parametrize("fmt", ["scale", "coco", "yolo", "voc"])
def test_exports_hold_the_customer_task_only(api, customer_task, hidden, fmt):
    res = api.get(f"exports/{fmt}", project="streets")
    assert res.status_code == 200
    assert orjson.loads(res["X-Export-Report"])["tasks"] == 1
    data = b"".join(res.streaming_content) if res.streaming else res.content
    if fmt == "scale":
        assert [orjson.loads(line)["task_id"] for line in data.splitlines()] == [
            customer_task.pk]
    elif fmt == "coco":
        assert len(orjson.loads(data)["images"]) == 1
    else:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        assert not any(row.pk in name for row in hidden for name in names)


def test_the_export_command_holds_the_customer_task_only(customer_task, hidden, tmp_path):
    out = tmp_path / "out.jsonl"
    call_command("export", "--project", "streets", "--format", "scale", "--output", str(out),
                 stdout=io.StringIO(), stderr=io.StringIO())
    ids = [orjson.loads(line)["task_id"] for line in out.read_bytes().splitlines()]
    assert ids == [customer_task.pk]


def test_no_callback_is_written_for_a_hidden_row(customer_task, hidden):
    assert not CallbackDelivery.objects.filter(task__in=hidden).exists()
    assert CallbackDelivery.objects.filter(task=customer_task, event="completed").count() == 1


def test_templates_copies_and_answers_made_through_the_api_stay_hidden(api, test_api,
                                                                         customer_task):
    """Gold and training templates made by POST /v1/evaluation_tasks and /v1/training_tasks
    (with a live and a test key), their copies served and scored as the queue and the worker
    do it: none is listed, counted, exported or called back."""
    from django.utils import timezone

    from tasks.models import ProjectQuality
    from tasks.quality_flow import answers, gold, training
    from tests.factories import make_tasker

    ProjectQuality.objects.create(project=customer_task.project, gold_share=1,
                                  training_required=True)
    body = box_task(project="streets", callback_url="https://example.com/cb",
                    expected_response=RESPONSE)
    made = [api.post(f"{kind}_tasks/imageannotation", body).json()["id"]
            for kind in ("evaluation", "training")]
    make_project(customer_task.owner, is_test=True)
    test_made = test_api.post("evaluation_tasks/imageannotation", body)
    assert test_made.status_code == 200, test_made.content
    tasker = make_tasker("tina")
    now = timezone.now()
    copies = [gold.serve(tasker, customer_task.project, now),
              training.serve(tasker, customer_task.project, now)]
    for copy in copies:
        assert copy is not None and copy.parent_id in made
        lifecycle.complete_task(copy, RESPONSE, by=tasker)
        assert answers.score(copy).score == 1
    lifecycle.complete_task(customer_task, RESPONSE)
    listed = api.get("tasks").json()
    assert [t["task_id"] for t in listed["docs"]] == [customer_task.pk]
    assert test_api.get("tasks").json()["total"] == 0
    for row in [*made, *(c.pk for c in copies)]:
        assert api.get(f"task/{row}").status_code == 404
    assert test_api.get(f"task/{test_made.json()['id']}").status_code == 404
    assert api.get("batches/b1/status").json()["completed"] == 1
    res = api.get("exports/scale", project="streets")
    assert orjson.loads(res["X-Export-Report"])["tasks"] == 1
    assert not CallbackDelivery.objects.exclude(task=customer_task).exists()

"""Training tasks: the gate, a pass, a fail that flags, "Let retry", and the result page
(docs/quality.md).

Two training templates expect one car box E = (10, 10, 50, 40). The pass mark is 0.8:
answering E twice scores 1 and 1 (mean 1: passed); answering E labelled "bus" and nothing
scores 0 (the label) and 0 (an empty answer to a task with objects): mean 0, failed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction
from django.utils import timezone

from tasks import jobs, lifecycle
from tasks.models import GoldAnswer, Task, TaskRole
from tasks.quality_flow import standing, training
from tests.factories import make_tasker
from tests.quality.gold_flow import (
    box,
    lease,
    local_receiver,
    png_bytes,
    quality_project,
    run_jobs,
    start,
    submit,
)
from tests.worker.conftest import Receiver

pytestmark = pytest.mark.django_db

EXPECTED = box("e", "car", 10, 10, 50, 40)
RIGHT = [box("a", "car", 10, 10, 50, 40)]


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    with local_receiver(settings) as server:
        yield server


@pytest.fixture
def image(receiver) -> str:
    return receiver.serve_file("/street.png", png_bytes(400, 300))


@pytest.fixture
def project(account):
    return quality_project(account, training_required=True, training_threshold=0.8)


def make_templates(api, image: str, count: int = 2) -> list[str]:
    ids = []
    for _ in range(count):
        res = api.post("training_tasks/imageannotation", {
            "project": "streets", "attachment": image,
            "geometries": {"box": {"objects_to_annotate": ["car", "bus"]}},
            "expected_response": {"annotations": [EXPECTED]}})
        assert res.status_code == 200, res.content
        assert res.json()["kind"] == "training" and res.json()["phase"] == "work"
        ids.append(res.json()["id"])
    run_jobs()
    return ids


def serve_and_lease(user, project) -> Task | None:
    """What the queue's training step does: serve a copy and lease it in one transaction."""
    with transaction.atomic():
        now = timezone.now()
        copy = training.serve(user, project, now)
        if copy is not None:
            lease(copy, user, now)
    return copy


def answer(user, project, annotations: list[dict]) -> Task:
    """Serve, lease, complete and score one training copy (as submit and the worker do)."""
    copy = serve_and_lease(user, project)
    assert copy is not None and copy.role == TaskRole.TRAINING
    lifecycle.complete_task(copy, {"annotations": annotations}, by=user)
    jobs.score_answer.enqueue(copy.task_id)
    run_jobs()
    return copy


def test_the_gate(account, api, image):
    tasker = make_tasker("tina")
    plain = quality_project(account, "plain")
    assert training.gate(tasker, plain) == "open"  # not required
    required = quality_project(account, "streets", training_required=True)
    assert training.gate(tasker, required) == "open"  # required, but no template yet
    make_templates(api, image, count=1)
    assert training.gate(tasker, required) == "training"
    assert training.gate(tasker, plain) == "open"


def test_passing_opens_the_gate(api, project, image):
    templates = make_templates(api, image)
    tasker = make_tasker("tina")
    first = answer(tasker, project, RIGHT)
    assert first.parent_id == templates[0]
    assert training.gate(tasker, project) == "training"  # one template left
    second = answer(tasker, project, RIGHT)
    assert second.parent_id == templates[1]
    assert training.gate(tasker, project) == "open"
    row = standing.of(project, tasker)
    assert row is not None and row.training_passed_at is not None and row.flagged_at is None
    assert training.mean_score(project, tasker) == pytest.approx(1.0)
    assert serve_and_lease(tasker, project) is None  # no more training once passed


def test_failing_flags_and_let_retry_starts_over(api, project, image):
    make_templates(api, image)
    tasker = make_tasker("tina")
    answer(tasker, project, [box("a", "bus", 10, 10, 50, 40)])
    answer(tasker, project, [])
    assert [a.score for a in GoldAnswer.objects.filter(user=tasker)] == [0, 0]
    assert training.gate(tasker, project) == "failed"
    row = standing.of(project, tasker)
    assert row is not None and row.flag_reason == "training" and row.flagged_at is not None
    assert serve_and_lease(tasker, project) is None
    standing.let_retry(project, tasker)
    assert training.gate(tasker, project) == "training"
    assert standing.of(project, tasker).flagged_at is None  # type: ignore[union-attr]
    answer(tasker, project, RIGHT)
    answer(tasker, project, RIGHT)
    assert training.gate(tasker, project) == "open"
    assert training.mean_score(project, tasker) == pytest.approx(1.0)  # earlier answers ignored


def test_the_workbench_serves_training_first_and_shows_the_result(api, account, project, image,
                                                                  client):
    (template,) = make_templates(api, image, count=1)
    customer = api.post("task/imageannotation", {
        "project": "streets", "attachment": image,
        "geometries": {"box": {"objects_to_annotate": ["car"]}}}).json()
    tasker = make_tasker("tina")
    client.force_login(tasker)
    copy = start(client, project)
    assert copy is not None and copy.parent_id == template
    done = submit(client, copy, *RIGHT)
    # the page opens the result (next_url): the next claim waits for the tasker's Next
    assert done["training"] == {"result_url": f"/tasks/{copy.task_id}/result/"}
    assert done["next_url"] == f"/tasks/{copy.task_id}/result/"
    pending = client.get(f"/tasks/{copy.task_id}/result/")
    assert pending.status_code == 202 and pending["Refresh"] == "1"
    assert client.get(f"/tasks/{copy.task_id}/result.json").status_code == 202
    run_jobs()
    page = client.get(f"/tasks/{copy.task_id}/result/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Your answer" in html and "Expected" in html and "100 %" in html
    assert html.count("<polygon") == 2  # one box on each side
    assert f'action="/projects/{project.pk}/start"' in html
    result = client.get(f"/tasks/{copy.task_id}/result.json").json()
    assert result["score"] == 1 and result["expected"] == {"annotations": [EXPECTED]}
    image_res = client.get(f"/tasks/{copy.task_id}/result/?image=1")
    assert image_res.status_code == 200 and image_res["Content-Type"] == "image/png"
    # passed: Next gives the customer's task
    assert start(client, project).task_id == customer["task_id"]  # type: ignore[union-attr]


def test_the_result_is_only_the_taskers(api, project, image, client):
    make_templates(api, image, count=1)
    tasker = make_tasker("tina")
    copy = answer(tasker, project, RIGHT)
    client.force_login(make_tasker("otto"))
    assert client.get(f"/tasks/{copy.task_id}/result/").status_code == 404
    assert client.get(f"/tasks/{copy.task_id}/result.json").status_code == 404
    client.force_login(tasker)
    assert client.get(f"/tasks/{copy.task_id}/result.json").status_code == 200


def test_the_result_page_waits_for_the_score_then_shows_both_answers(api, project, image,
                                                                    client):
    make_templates(api, image, count=1)
    tasker = make_tasker("tina")
    copy = serve_and_lease(tasker, project)
    assert copy is not None
    answered = [box("a", "car", 12, 10, 50, 40), box("b", "bus", 200, 100, 20, 20)]
    lifecycle.complete_task(copy, {"annotations": answered}, by=tasker)
    jobs.score_answer.enqueue(copy.task_id)
    client.force_login(tasker)
    pending = client.get(f"/tasks/{copy.task_id}/result/")
    assert pending.status_code == 202 and pending["Refresh"] == "1"
    assert "Scoring" in pending.content.decode()
    assert client.get(f"/tasks/{copy.task_id}/result.json").json() == {
        "status": "scoring", "retry_after": 1}
    run_jobs()
    page = client.get(f"/tasks/{copy.task_id}/result/")
    assert page.status_code == 200
    html = page.content.decode()
    # IoU of the car: 48·40 / (2000 + 2000 − 1920) = 12/13; one extra: (12/13) / 1.5 = 8/13
    assert "62 %" in html and "1 matched, 0 missed, 1 extra" in html
    assert html.count("<polygon") == 3 and ">bus</text>" in html
    assert f'action="/projects/{project.pk}/start"' in html and "data-next" in html
    result = client.get(f"/tasks/{copy.task_id}/result.json").json()
    assert result["score"] == pytest.approx(8 / 13)
    assert result["answer"] == {"annotations": answered}
    assert result["expected"] == {"annotations": [EXPECTED]}
    image_res = client.get(f"/tasks/{copy.task_id}/result/?image=1")
    assert image_res.status_code == 200 and image_res["Content-Type"] == "image/png"


def test_the_result_draws_every_geometry_as_svg():
    from tasks.workbench.training_views import frame, shapes

    drawn = shapes({"annotations": [
        box("b", "car", 10, 20, 30, 40),
        {"uuid": "p", "type": "point", "label": "eye", "x": 5.5, "y": 6},
        {"uuid": "l", "type": "line", "label": "lane", "vertices": [{"x": 0, "y": 0},
                                                                     {"x": 100, "y": 50}]},
        {"uuid": "g", "type": "polygon", "label": "road",
         "vertices": [{"x": 1, "y": 1}, {"x": 9, "y": 1}, {"x": 5, "y": 300}]},
        {"uuid": "x", "type": "box"},  # no geometry: a box at the origin, not an error
    ]})
    assert [(s["tag"], s["points"]) for s in drawn] == [
        ("polygon", "10,20 40,20 40,60 10,60"), ("circle", "5.5,6"),
        ("polyline", "0,0 100,50"), ("polygon", "1,1 9,1 5,300"),
        ("polygon", "0,0 0,0 0,0 0,0")]
    assert (drawn[1]["x"], drawn[1]["y"], drawn[2]["label"]) == ("5.5", "6", "lane")
    assert shapes(None) == [] and shapes({"annotations": "nope"}) == []
    # before the worker measured the image: the shapes' extent and a margin
    assert frame(Task(), drawn) == (120, 320)
    assert frame(Task(attachment_width=640, attachment_height=480), drawn) == (640, 480)


def test_a_failed_tasker_gets_nothing_from_start_until_let_retry(api, account, project, image,
                                                                 client):
    (template,) = make_templates(api, image, count=1)
    api.post("task/imageannotation", {
        "project": "streets", "attachment": image,
        "geometries": {"box": {"objects_to_annotate": ["car"]}}})
    tasker = make_tasker("tina")
    client.force_login(tasker)
    copy = start(client, project)
    assert copy is not None and copy.parent_id == template
    submit(client, copy, box("a", "bus", 10, 10, 50, 40))  # the wrong label: 0
    run_jobs()
    assert training.gate(tasker, project) == "failed"
    res = client.post(f"/projects/{project.pk}/start", follow=True)
    assert "Training not passed: ask an admin" in res.content.decode()
    assert start(client, project) is None
    standing.let_retry(project, tasker)
    again = start(client, project)
    assert again is not None and again.parent_id == template and again.pk != copy.pk

"""What the tests of the quality flow make: a project with quality settings, taskers and
reviewers, tasks with a callback URL, a tasker's submit and a reviewer's lease and decision
through the workbench's endpoints."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from tasks import lifecycle, queue
from tasks.models import (
    Annotation,
    AnnotationVerdict,
    AttemptKind,
    CallbackDelivery,
    ProjectQuality,
    Task,
)
from tasks.quality_flow import attempts, stages
from tests.factories import box_task, make_project, make_reviewer, make_tasker

CALLBACK = "https://example.com/callback"
GEOMETRIES = {"box": {"objects_to_annotate": ["car", "bus"]}}


def box(uuid: str, left: float = 10, label: str = "car") -> dict:
    return {"uuid": uuid, "type": "box", "label": label, "left": left, "top": 20, "width": 30,
            "height": 40}


FIVE = [box(f"b{i}", left=10 + 50 * i) for i in range(1, 6)]


def project_with(account, name: str = "streets", **quality):
    """An image project; with `quality`, its ProjectQuality row of those values."""
    project = make_project(account, name)
    if quality:
        ProjectQuality.objects.create(project=project, **quality)
    return project


def create(account, project_name: str = "streets", **extra) -> Task:
    body = box_task(project=project_name, geometries=GEOMETRIES, callback_url=CALLBACK,
                    **extra)
    return lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                                 body=body)


def reviewer(name: str = "rev1"):
    return make_reviewer(name)


def tasker(name: str = "tina"):
    return make_tasker(name)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def submit(user, task: Task, annotations: list[dict]):
    """The tasker's explicit submit through the workbench."""
    return signed_in(user).post(f"/tasks/{task.task_id}/submit", {"annotations": annotations},
                                content_type="application/json")


def work(user, project, annotations: list[dict] = FIVE) -> Task:
    """`user` takes the next task of the project and submits `annotations`."""
    task = queue.claim_next(user, project)
    assert task is not None
    res = submit(user, task, annotations)
    assert res.status_code == 200, res.content
    task.refresh_from_db()
    return task


def hold(user, task: Task) -> Task:
    """Lease `task` to `user` as a reviewer's Start does (tasks/queue.py claims it in the
    product): the lease columns and the review attempt."""
    now = timezone.now()
    attempts.record_claim(task, user, AttemptKind.REVIEW, now)
    Task.objects.filter(pk=task.pk).update(
        claimed_by=user, lease_expires_at=now + timedelta(seconds=queue.lease_seconds()))
    task.refresh_from_db()
    return task


def decide(user, task: Task, decision: str, comment: str | None = None):
    body: dict = {"decision": decision}
    if comment is not None:
        body["comment"] = comment
    return signed_in(user).post(f"/tasks/{task.task_id}/review/decide", body,
                                content_type="application/json")


def deliveries(task: Task) -> list[CallbackDelivery]:
    return list(CallbackDelivery.objects.filter(task=task).order_by("created_at", "pk"))


def accept_verdicts(task: Task, accepted: list[str], rejected: dict[str, str]) -> None:
    """The reviewer's verdicts, as the verdict operations store them (tests/quality/
    test_review_ops.py tests the operations)."""
    round_ = stages.open_round(task)
    rows = {row.uuid: row.as_json() for row in Annotation.objects.filter(task=task)}
    for uuid in accepted:
        AnnotationVerdict.objects.create(round=round_, uuid=uuid, verdict="accepted",
                                         annotation=rows[uuid])
    for uuid, reason in rejected.items():
        AnnotationVerdict.objects.create(round=round_, uuid=uuid, verdict="rejected",
                                         reason=reason, annotation=rows[uuid])


def sent_back(account, project, worker, reviewer_user) -> Task:
    """A task `worker` submitted (five boxes) and `reviewer_user` sent back with b1 to b4
    accepted and b5 rejected; `worker` holds it again in rework."""
    create(account)
    task = hold(reviewer_user, work(worker, project))
    accept_verdicts(task, ["b1", "b2", "b3", "b4"], {"b5": "not a car"})
    res = decide(reviewer_user, task, "send_back", "The fifth box is wrong")
    assert res.status_code == 200, res.content
    again = queue.claim_next(worker, project)
    assert again is not None and again.pk == task.pk
    return again

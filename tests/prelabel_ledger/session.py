"""What the ledger's tests make: a project whose tasks carry six prelabels, a tasker's
session through the draft operations and the workbench's submit, as the page does them."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from tasks import drafts, lifecycle, presence, queue
from tasks.models import Annotation, DraftSession, Task, TaskAttempt
from tests.factories import box_task

LABELS = ["car", "bus", "person"]
GEOMETRIES = {"box": {"objects_to_annotate": LABELS}}


def box(uuid: str, left: float, top: float = 0, label: str = "car", size: float = 100) -> dict:
    return {"uuid": uuid, "type": "box", "label": label, "left": left, "top": top,
            "width": size, "height": size}


# k1..k3 kept, m moved 10 px right, r relabelled bus -> car, d deleted; n1, n2 added
PRELABELS = [box("k1", 0), box("k2", 200), box("k3", 400), box("m", 600),
             box("r", 800, label="bus"), box("d", 1000, label="bus")]
MOVED_IOU = 90 * 100 / (2 * 100 * 100 - 90 * 100)  # 9000 / 11000


def create(account, project: str = "streets", hypothesis: list[dict] | None = PRELABELS,
           **extra) -> Task:
    body = box_task(project=project, geometries=GEOMETRIES, **extra)
    if hypothesis is not None:
        body["hypothesis"] = {"annotations": hypothesis}
    return lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                                 body=body)


def edit(task: Task, user, *ops: dict) -> None:
    """`ops` through the live session's operations, as the workbench sends them."""
    presence.open_session(task.task_id, user, "s1", "t1", "chan-1")
    row = DraftSession.objects.get(task=task, session_id="s1")
    for seq, op in enumerate(ops, start=row.last_seq + 1):
        reply = drafts.apply_op(task.task_id, user, "s1", "chan-1", seq, op)
        assert reply["type"] == "ack", reply


def version(task: Task, uuid: str) -> int:
    return Annotation.objects.get(task=task, uuid=uuid).version


def scripted_session(task: Task, user) -> None:
    """Keep three, move one by 10 px, relabel one, delete one, add two; submit the draft."""
    edit(task, user,
         {"op": "update", "uuid": "m", "base_version": version(task, "m"),
          "after": {"left": 610}},
         {"op": "update", "uuid": "r", "base_version": version(task, "r"),
          "after": {"label": "car"}},
         {"op": "delete", "uuid": "d", "base_version": version(task, "d")},
         {"op": "add", "annotation": box("n1", 0, 300, label="person")},
         {"op": "add", "annotation": box("n2", 200, 300, label="person")})
    submit_draft(task, user)


def submit_draft(task: Task, user) -> None:
    client = Client()
    client.force_login(user)
    res = client.post(f"/tasks/{task.task_id}/submit", {"from_draft": True},
                      content_type="application/json")
    assert res.status_code == 200, res.content


def claim(user, project) -> Task:
    task = queue.claim_next(user, project)
    assert task is not None
    return task


def set_work_time(task: Task, user, seconds: float) -> None:
    """The tasker's submitted work attempt on `task` took `seconds` from claim to submit."""
    attempt = TaskAttempt.objects.get(task=task, user=user, kind="work", outcome="submitted")
    attempt.claimed_at = attempt.ended_at - timedelta(seconds=seconds)
    attempt.save(update_fields=["claimed_at"])


def days_ago(n: int):
    return timezone.now() - timedelta(days=n)

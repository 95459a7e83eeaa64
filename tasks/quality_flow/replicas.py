"""Consensus replicas: the k hidden copies of a customer task that k taskers work on
independently (docs/quality.md "Consensus").

A replica is a Task row with `role=replica` and `parent` = the customer task: the unchanged
draft, lease and workbench machinery works it. Its media are its parent's
(`quality_flow.media.source`); the attachment worker copies the parent's attachment columns
onto its children when it stores them (`tasks.attachments`).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from tasks import draft_extras, live
from tasks.annotation_rows import insert_prelabels
from tasks.models import Task, TaskStatus
from tasks.models.tasks import TaskRole, TaskStage

# What a replica copies of its parent; the rest is its own (no batch, no unique_id, no
# callback: the customer never sees it).
COPIED_FIELDS = ("owner", "is_test", "type", "project", "instruction", "priority", "urgency",
                 "params", "project_param_version", "created_at", "attachment_file",
                 "attachment_width", "attachment_height", "attachment_mime")


def create(task: Task, k: int) -> list[Task]:
    """The k replicas of `task`, with their prelabels, in the caller's transaction (the
    parent's create)."""
    now = timezone.now()
    rows = [_replica(task, now) for _ in range(k)]
    with transaction.atomic(savepoint=False):
        Task.objects.bulk_create(rows)
        for row in rows:
            insert_prelabels(row, row.params)
    return rows


def _replica(task: Task, now: datetime) -> Task:
    row = Task(role=TaskRole.REPLICA, stage=TaskStage.WORK, parent=task, batch=None,
               unique_id=None, callback_url="", updated_at=now,
               draft_extras=draft_extras.initial(task.params.get("hypothesis")))
    for name in COPIED_FIELDS:
        setattr(row, name, getattr(task, name))
    return row


def of(task: Task) -> QuerySet[Task]:
    """The replicas of a customer task."""
    return Task.objects.filter(parent=task, role=TaskRole.REPLICA)


def cancel(task: Task) -> int:
    """End the pending replicas of a task that was canceled or failed (in its transaction):
    canceled, nobody's any more. Returns how many."""
    now = timezone.now()
    pending = list(of(task).filter(status=TaskStatus.PENDING))
    of(task).filter(pk__in=[r.pk for r in pending]).update(
        status=TaskStatus.CANCELED, claimed_by=None, lease_expires_at=None, updated_at=now)
    for replica in pending:
        replica.status = TaskStatus.CANCELED
        live.publish_task_changed(replica, "canceled")
    return len(pending)

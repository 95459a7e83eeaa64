"""The taskers' queue: which tasks a tasker may work on, and leases on them.

A lease is not a status: a leased task stays `pending`. Claiming takes the highest-priority,
oldest free task with a row lock that other claimers skip, so no task goes to two taskers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from tasks import kinds, lifecycle, live
from tasks.accounts import REVIEWERS_GROUP, TASKERS_GROUP
from tasks.models import AttemptKind, Project, Task, TaskStage, TaskStatus
from tasks.quality_flow import attempts

EXPIRE_BATCH = 200
# The stages a tasker's Start takes tasks from (docs/quality.md): not a consensus parent, a
# task in review, nor a gold or training template.
WORKABLE_STAGES = (TaskStage.WORK, TaskStage.REWORK)
# The attempt a claim starts, by the task's stage.
ATTEMPT_KINDS: dict[str, str] = {TaskStage.REWORK: AttemptKind.REWORK,
                                 TaskStage.REVIEW: AttemptKind.REVIEW}


def lease_seconds() -> int:
    return int(settings.ANNOTATOR_LEASE_SECONDS)


def is_tasker(user) -> bool:
    return user.is_authenticated and (
        user.is_staff or user.groups.filter(name=TASKERS_GROUP).exists()
    )


def is_reviewer(user) -> bool:
    return user.is_authenticated and (
        user.is_staff or user.groups.filter(name=REVIEWERS_GROUP).exists()
    )


def visible_projects(user) -> QuerySet:
    """Live projects this tasker may work on: those naming them, or naming no tasker."""
    qs = Project.objects.filter(is_test=False, archived=False)
    if user.is_staff:
        return qs
    return qs.annotate(n_taskers=Count("taskers")).filter(Q(taskers=user) | Q(n_taskers=0))


def free_tasks(now=None) -> QuerySet:
    now = now or timezone.now()
    return Task.objects.filter(status=TaskStatus.PENDING, is_test=False,
                               stage__in=WORKABLE_STAGES).filter(
        Q(claimed_by__isnull=True) | Q(lease_expires_at__lt=now)
    ).exclude(type__in=waiting_kinds(), attachment_mime="")  # its media not stored yet


def waiting_kinds() -> list[str]:
    """The task types whose tasks wait for their media before a tasker may claim them."""
    return [kind.name for kind in kinds.all_kinds() if kind.waits_for_media]


@dataclass(frozen=True)
class QueueRow:
    project: Project
    pending: int
    mine: Task | None


def queue_rows(user) -> list[QueueRow]:
    projects = list(visible_projects(user).order_by("name"))
    now = timezone.now()
    counts = dict(
        free_tasks(now).filter(project__in=projects).values_list("project")
        .annotate(n=Count("pk")).order_by()
    )
    held = {t.project_id: t for t in held_tasks(user, now).filter(project__in=projects)}
    return [QueueRow(p, counts.get(p.pk, 0), held.get(p.pk)) for p in projects]


def held_tasks(user, now=None) -> QuerySet:
    now = now or timezone.now()
    return Task.objects.filter(status=TaskStatus.PENDING, claimed_by=user,
                               lease_expires_at__gte=now)


def claim_next(user, project: Project) -> Task | None:
    """The task this tasker already holds in the project, or the next free one, leased."""
    now = timezone.now()
    held = held_tasks(user, now).filter(project=project).first()
    if held is not None:
        return renew(held, user)
    with transaction.atomic():
        qs = free_tasks(now).filter(project=project).order_by("-priority", "created_at",
                                                                "task_id")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        task = qs.first()
        if task is None:
            return None
        if task.claimed_by_id is not None:  # a lapsed lease the sweeper has not seen yet
            lifecycle.reset_draft(task)
        _lease(task, user, now)
        live.publish_task_changed(task, "claimed")
    return task


def _lease(task: Task, user, now) -> None:
    if not holds(user, task):  # a new claim, not a renewal: the work clock starts now
        task.work_started_at = now
        attempts.record_claim(task, user, ATTEMPT_KINDS.get(task.stage, AttemptKind.WORK), now)
    task.claimed_by = user
    task.lease_expires_at = now + timedelta(seconds=lease_seconds())
    task.work_started = True
    task.updated_at = now
    task.save(update_fields=["claimed_by", "lease_expires_at", "work_started", "updated_at",
                             "work_started_at"])


def holds(user, task: Task) -> bool:
    return (task.claimed_by_id == user.pk and task.status == TaskStatus.PENDING
            and task.lease_expires_at is not None and task.lease_expires_at >= timezone.now())


def renew(task: Task, user) -> Task:
    if holds(user, task):
        _lease(task, user, timezone.now())
    return task


def release(task: Task, user) -> bool:
    """Give a held task back to the queue (Skip); the next tasker starts from the prelabels,
    not from this tasker's half-done draft."""
    with transaction.atomic():
        updated = Task.objects.filter(pk=task.pk, claimed_by=user).update(
            claimed_by=None, lease_expires_at=None, updated_at=timezone.now()
        )
        if updated:
            task.refresh_from_db()
            lifecycle.reset_draft(task)
            live.publish_task_changed(task, "released")
    return bool(updated)


def lapsed(now=None) -> QuerySet:
    """Pending tasks whose lease ran out: no open session renewed it for the lease time."""
    return Task.objects.filter(status=TaskStatus.PENDING, claimed_by__isnull=False,
                               lease_expires_at__lt=now or timezone.now())


def expire_leases() -> int:
    """Give every task with a lapsed lease back to the queue, its draft discarded (the
    worker's sweeper runs this). Returns how many went back."""
    returned = 0
    for task_id in lapsed().values_list("pk", flat=True)[:EXPIRE_BATCH]:
        returned += expire_lease(task_id)
    return returned


def expire_lease(task_id: str) -> bool:
    with transaction.atomic():
        task = lapsed().select_for_update().filter(pk=task_id).first()
        if task is None:  # renewed or claimed again meanwhile
            return False
        lifecycle.reset_draft(task)
        task.claimed_by, task.lease_expires_at = None, None
        task.updated_at = timezone.now()
        task.save(update_fields=["claimed_by", "lease_expires_at", "updated_at"])
        live.publish_task_changed(task, "expired")
    return True

"""Who claimed what, when, and how it ended: the `TaskAttempt` rows (docs/quality.md)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from tasks.models import AttemptOutcome, Task, TaskAttempt, TaskRole


def root_of(task: Task) -> str:
    """The id of the customer task a row stands for: a replica's parent, a copy's template,
    else the task itself."""
    if task.role != TaskRole.CUSTOMER and task.parent_id is not None:
        return task.parent_id
    return task.pk


def record_claim(task: Task, user, kind: str, now: datetime | None = None) -> None:
    """A new claim of `task` by `user`: an open attempt, unless they have one on it already
    (a renewal, or a second tab)."""
    if open_attempts(task, user).exists():
        return
    TaskAttempt.objects.create(task=task, root_id=root_of(task), user=user, kind=kind,
                               claimed_at=now or timezone.now())


def end(task: Task, user, outcome: str, now: datetime | None = None, *,
        reason: str = "") -> None:
    """Close `user`'s open attempt on `task` with `outcome` (and a skip's `reason`)."""
    if user is None:
        return
    open_attempts(task, user).update(outcome=outcome, ended_at=now or timezone.now(),
                                     reason=reason)


def open_attempts(task: Task, user):
    return TaskAttempt.objects.filter(task=task, user=user, outcome=AttemptOutcome.OPEN)

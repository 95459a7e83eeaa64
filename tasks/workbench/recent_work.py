"""The tasker's "My recent work" list on the queue page (docs/workbench.md, "Aids"): their
last attempts from the quality loop's TaskAttempt rows (docs/quality.md) with the task, the
time it took and how it ended."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from tasks.models.attempts import AttemptKind, AttemptOutcome, TaskAttempt

RECENT_WORK_ROWS = 10


@dataclass(frozen=True)
class RecentWork:
    task_id: str
    project: str
    kind: str
    ended_at: object
    seconds: int
    outcome: str
    outcome_label: str

    @property
    def duration(self) -> str:
        """"4:05" or "1:02:09" (h:mm:ss)."""
        minutes, seconds = divmod(self.seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def recent_work(user: AbstractBaseUser | AnonymousUser,
                limit: int = RECENT_WORK_ROWS) -> list[RecentWork]:
    """The user's last ended work and rework attempts, newest first."""
    if not user.is_authenticated:
        return []
    rows = (TaskAttempt.objects
            .filter(user_id=int(user.pk), kind__in=[AttemptKind.WORK, AttemptKind.REWORK],
                    ended_at__isnull=False)
            .exclude(outcome=AttemptOutcome.OPEN)
            .select_related("task", "task__project")
            .order_by("-ended_at", "-pk")[:limit])
    labels = dict(AttemptOutcome.choices)
    result = []
    for attempt in rows:
        spent = (attempt.ended_at or attempt.claimed_at) - attempt.claimed_at
        project = attempt.task.project
        result.append(RecentWork(
            task_id=str(attempt.task.task_id),
            project=project.name if project else "",
            kind=attempt.kind,
            ended_at=attempt.ended_at,
            seconds=max(0, int(spent / timedelta(seconds=1))),
            outcome=attempt.outcome,
            outcome_label=str(labels.get(attempt.outcome, attempt.outcome)),
        ))
    return result

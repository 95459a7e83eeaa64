"""Which first submissions go to review (docs/quality.md, "Settings"): every one, a stable
share of the tasks, or each tasker's first N in the project and then that share."""

from __future__ import annotations

import hashlib

from tasks.models import AttemptKind, AttemptOutcome, ReviewMode, Task, TaskAttempt, TaskRole
from tasks.quality_flow.settings import QualitySettings


def stable_share(task_id: str) -> int:
    """0–99, the same for a task every time (so a test can tell which tasks are sampled)."""
    return int(hashlib.sha256(task_id.encode()).hexdigest()[:8], 16) % 100


def wants_review(settings: QualitySettings, task: Task, user) -> bool:
    """Does `user`'s submission of `task` (None: a merge) go to review? Asked before the
    submission's own attempt is closed, so "first N" counts the earlier ones."""
    mode = settings.review_mode
    if mode == ReviewMode.OFF:
        return False
    if mode == ReviewMode.ALL:
        return True
    if mode == ReviewMode.FIRST_THEN_SAMPLE and user is not None \
            and submitted_first_rounds(task, user) < settings.review_first_n:
        return True
    return stable_share(task.task_id) < settings.review_percent


def submitted_first_rounds(task: Task, user) -> int:
    """How many first-round submissions `user` made in the task's project (rework, gold and
    training copies not counted; a replica counts for its customer task)."""
    if task.project_id is None:
        return 0
    return TaskAttempt.objects.filter(
        user=user, kind=AttemptKind.WORK, outcome=AttemptOutcome.SUBMITTED,
        root__project_id=task.project_id, root__role=TaskRole.CUSTOMER).count()

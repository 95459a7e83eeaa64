"""Which first submissions go to review (docs/quality.md, "Settings"): every one, a stable
share of the tasks, or each tasker's first N in the project and then that share."""

from __future__ import annotations

import hashlib

from tasks.models import Task
from tasks.models.attempts import TaskAttempt
from tasks.quality_flow.settings import QualitySettings

OFF, ALL, SAMPLE, FIRST_THEN_SAMPLE = "off", "all", "sample", "first_then_sample"


def stable_share(task_id: str) -> int:
    """0–99, the same for a task every time (so a test can tell which tasks are sampled)."""
    return int(hashlib.sha256(task_id.encode()).hexdigest()[:8], 16) % 100


def wants_review(settings: QualitySettings, task: Task, user) -> bool:
    """Does `user`'s submission of `task` (None: a merge) go to review? Asked before the
    submission's own attempt is closed, so "first N" counts the earlier ones."""
    mode = settings.review_mode
    if mode == OFF:
        return False
    if mode == ALL:
        return True
    if mode == FIRST_THEN_SAMPLE and user is not None \
            and submitted_first_rounds(task, user) < settings.review_first_n:
        return True
    return stable_share(task.task_id) < settings.review_percent


def submitted_first_rounds(task: Task, user) -> int:
    """How many first-round submissions `user` made in the task's project (rework and gold
    and training copies not counted)."""
    return TaskAttempt.objects.filter(
        user=user, kind="work", outcome="submitted", root__project_id=task.project_id,
        root__role="customer").count()

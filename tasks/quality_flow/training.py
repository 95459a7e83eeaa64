"""Training tasks: the gate in front of a project's real tasks (docs/quality.md).

With `training_required`, a tasker who has not passed gets only training copies, one per
active training template, oldest first (`serve` returns one unleased; the queue leases it).
Each answer is scored by the `score_answer` job (answers.score), which calls `after_answer`:
once every active template is answered, the mean score at or above `training_threshold`
passes the tasker, else fails and flags them. "Let retry" (standing.let_retry) makes earlier
answers count no more.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Literal

from django.db.models import QuerySet
from django.urls import reverse

from tasks.models import GoldAnswer, GoldStandard, Project, Task, TaskerStanding, TaskRole
from tasks.quality_flow import gold, standing
from tasks.quality_flow import settings as quality_settings

Gate = Literal["open", "training", "failed"]


def gate(user, project: Project) -> Gate:
    """"open": the tasker may get real tasks (training not required, passed, or no active
    training template); "failed": failed and not let retry ("Training not passed: ask an
    admin"); "training": training copies only."""
    if not quality_settings.of(project).training_required:
        return "open"
    state = standing.training_state(standing.of(project, user))
    if state == "passed" or not templates(project).exists():
        return "open"
    return "failed" if state == "failed" else "training"


def templates(project: Project) -> QuerySet[GoldStandard]:
    """The project's active training templates' answer keys, oldest first."""
    return gold.standards(project, gold.TRAINING, gold.WORK)


def serve(user, project: Project, now: datetime) -> Task | None:
    """The tasker's next training copy, unleased, or None (not in training, or every
    template answered and the last scores not in yet)."""
    if gate(user, project) != "training":
        return None
    return gold.next_copy(user, templates(project), now, since=_reset_at(project, user))


def _reset_at(project: Project, user) -> datetime | None:
    return (TaskerStanding.objects.filter(project=project, user=user)
            .values_list("training_reset_at", flat=True).first())


def answers(project: Project, user) -> list[GoldAnswer]:
    """The user's training answers that count: to active templates, since the last retry,
    the latest per template."""
    found = (GoldAnswer.objects.filter(project=project, user=user, kind=gold.TRAINING,
                                       standard__in=templates(project))
             .order_by("standard", "-answered_at"))
    since = _reset_at(project, user)
    if since is not None:
        found = found.filter(answered_at__gt=since)
    latest: dict[int, GoldAnswer] = {}
    for answer in found:
        latest.setdefault(answer.standard_id, answer)
    return list(latest.values())


def after_answer(answer: GoldAnswer) -> None:
    """Pass or fail the tasker once every active training template is answered."""
    project, user = answer.project, answer.user
    if gate(user, project) != "training":
        return
    counted = answers(project, user)
    needed = set(templates(project).values_list("pk", flat=True))
    if not needed <= {a.standard_id for a in counted}:
        return
    mean = math.fsum(a.score for a in counted) / len(counted)
    if mean >= quality_settings.of(project).training_threshold:
        standing.training_passed(project, user)
    else:
        standing.training_failed(project, user)


def mean_score(project: Project, user) -> float | None:
    counted = answers(project, user)
    return math.fsum(a.score for a in counted) / len(counted) if counted else None


def page_data(task: Task) -> dict:
    """GET /data's `training` key of a training copy: {"number": n, "of": N}, its template's
    place among the project's active training templates (the page's header says "Training
    task n of N"). {} for any other task: a gold copy says nothing (docs/quality.md)."""
    project = task.project
    if task.role != TaskRole.TRAINING or task.parent_id is None or project is None:
        return {}
    ids = list(templates(project).values_list("template_id", flat=True))
    if task.parent_id not in ids:  # its template was retired meanwhile
        return {}
    return {"training": {"number": ids.index(task.parent_id) + 1, "of": len(ids)}}

def submit_answer(task: Task) -> dict | None:
    """What the workbench's submit answers for a training copy: its result page, as
    `training.result_url` and as `next_url` (the page opens it; the next claim waits for
    the tasker's Next there). None for any other task."""
    if task.role != TaskRole.TRAINING:
        return None
    url = reverse("training-result", args=[task.task_id])
    return {"status": "completed", "next_url": url, "training": {"result_url": url}}

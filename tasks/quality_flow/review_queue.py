"""The reviewer's queue page: per project, the tasks waiting for this reviewer and the review
they hold (docs/quality.md "A reviewer's Start")."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from tasks import queue
from tasks.models import Project, Task
from tasks.models.tasks import TaskStage


@dataclass(frozen=True)
class ReviewRow:
    project: Project
    waiting: int  # customer tasks in review this reviewer may take (re-reviews reserved too)
    mine: Task | None  # the review they hold in the project


def review_rows(user) -> list[ReviewRow]:
    """Every project the user may review, by name, with what waits there for them."""
    projects = list(queue.review_projects(user).order_by("name"))
    now = timezone.now()
    counts = dict(
        queue.review_candidates(user, now).filter(project__in=projects)
        .values_list("project").annotate(n=Count("pk")).order_by()
    )
    # and a re-review still reserved for this reviewer (Start's step 2; the candidates above
    # leave it out while the first refusal lasts)
    reserved = (queue.free_tasks(now).filter(project__in=projects, stage=TaskStage.REVIEW,
                                             reserved_for=user, reserved_until__gte=now)
                .values_list("project").annotate(n=Count("pk")).order_by())
    for project_id, n in reserved:
        counts[project_id] = counts.get(project_id, 0) + n
    held = {t.project_id: t for t in queue.held_tasks(user, now)
            .filter(project__in=projects, stage=TaskStage.REVIEW)}
    return [ReviewRow(p, counts.get(p.pk, 0), held.get(p.pk)) for p in projects]

"""Gold (evaluation) tasks: served copies of a template, and their scores (docs/quality.md).

A template is a hidden Task row (role evaluation or training, stage template) with its answer
key in `GoldStandard`. A tasker is served a **copy**: a new row with the template as parent,
worked through the ordinary draft, lease and workbench machinery. The queue draws gold at the
project's gold share and calls `serve` (or `serve_review` for a reviewer), which returns the
copy unleased; the queue leases it in its claim's transaction (tasks/queue.py).
After the copy's submit (or review decision) the worker's `score_answer` job scores it
(tasks/quality_flow/answers.py).
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet

from tasks import draft_extras, lifecycle
from tasks.annotation_rows import insert_prelabels
from tasks.models import (
    GoldStandard,
    Project,
    ReviewRound,
    Task,
    TaskAttempt,
    TaskStage,
    TaskStatus,
)

logger = logging.getLogger("annotator.worker")
EVALUATION = "evaluation"
TRAINING = "training"
WORK = "work"
REVIEW = "review"
# The columns a copy takes from its template (the media columns: the worker may have stored
# the template's image already; tiles are read through the template, quality_flow/media.py).
COPIED = ("owner_id", "is_test", "type", "project_id", "project_param_version", "instruction",
          "priority", "params", "attachment_file", "attachment_width", "attachment_height",
          "attachment_mime")


def serve(user, project: Project, now: datetime) -> Task | None:
    """An evaluation copy for a tasker's claim that drew gold (the queue draws at the
    project's gold share), unleased (the queue leases it), or None: no active work-phase
    template left that the tasker has not answered."""
    return next_copy(user, standards(project, EVALUATION, WORK), now)


def serve_review(user, project: Project, now: datetime) -> Task | None:
    """A review-phase evaluation copy for a reviewer's claim that drew gold, in stage review
    with the template's `initial_response` as its draft (and its restart point), unleased;
    or None."""
    return next_copy(user, standards(project, EVALUATION, REVIEW), now)


def standards(project: Project, kind: str, phase: str) -> QuerySet[GoldStandard]:
    """The project's active answer keys of this kind and phase, oldest first."""
    return (GoldStandard.objects.filter(template__project=project, kind=kind, phase=phase,
                                        active=True, template__status=TaskStatus.PENDING)
            .select_related("template").order_by("created_at", "pk"))


def next_copy(user, candidates: QuerySet[GoldStandard], now: datetime,
              since: datetime | None = None) -> Task | None:
    """The user's unfinished copy of one of `candidates` (released, or its lease lapsed),
    else a new copy of the first one they never took (since `since`), else None."""
    templates = candidates.values("template")
    taken = TaskAttempt.objects.filter(user=user, root__in=templates)
    if since is not None:
        taken = taken.filter(claimed_at__gt=since)
    unfinished = (Task.objects.filter(parent__in=templates, status=TaskStatus.PENDING,
                                      attempts__in=taken)
                  .order_by("created_at", "task_id").first())
    if unfinished is not None:
        return unfinished
    standard = candidates.exclude(template__in=taken.values("root")).first()
    return None if standard is None else make_copy(standard, now)


def make_copy(standard: GoldStandard, now: datetime) -> Task:
    """A new copy of the standard's template: a work copy starts from the template's
    prelabels; a review-phase copy from the `initial_response`, in stage review."""
    template = standard.template
    review = standard.phase == REVIEW
    with transaction.atomic():
        copy = Task(**{name: getattr(template, name) for name in COPIED},
                    role=template.role, parent=template,
                    stage=TaskStage.REVIEW if review else TaskStage.WORK,
                    created_at=now, updated_at=now,
                    draft_extras=draft_extras.initial(template.params.get("hypothesis")))
        copy.save(force_insert=True)
        if review:
            _start_review(copy, standard.initial_response or {"annotations": []})
        else:
            insert_prelabels(copy, copy.params)
    return copy


def _start_review(copy: Task, initial: dict) -> None:
    """The copy's draft is the answer under review, and its first round is open."""
    copy.sent_back_response = initial
    copy.save(update_fields=["sent_back_response"])
    lifecycle.load_response(copy, initial)
    ReviewRound.objects.create(task=copy, number=1, source="internal", worked_by=None,
                               work_response=initial, created_at=copy.created_at)


# --- scoring --------------------------------------------------------------------------------

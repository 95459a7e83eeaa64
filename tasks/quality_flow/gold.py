"""Gold (evaluation) tasks: served copies of a template, and their scores (docs/quality.md).

A template is a hidden Task row (role evaluation or training, stage template) with its answer
key in `GoldStandard`. A tasker is served a **copy**: a new row with the template as parent,
worked through the ordinary draft, lease and workbench machinery. The queue draws gold at the
project's gold share and calls `serve` (or `serve_review` for a reviewer), which returns the
copy unleased; the queue leases it in its claim's transaction (tasks/queue.py).
After the copy's submit (or review decision) the `score_answer` job calls `score`.

The scoring modules (numpy, scipy, shapely) are imported inside `score`, which runs in the
worker only (docs/quality.md#memory).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from tasks import draft_extras, lifecycle
from tasks.annotation_rows import insert_prelabels
from tasks.models import (
    AnnotationVerdict,
    GoldAnswer,
    GoldStandard,
    Project,
    ReviewRound,
    Task,
    TaskAttempt,
    TaskRole,
    TaskStage,
    TaskStatus,
)
from tasks.quality_flow import settings as quality_settings

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

def score_copy(task_id: str) -> str:
    """The score job's body: score a finished copy once; what happened, in a word."""
    copy = (Task.objects.select_related("parent__gold", "project").filter(
        pk=task_id, role__in=(TaskRole.EVALUATION, TaskRole.TRAINING)).first())
    if copy is None or copy.parent is None or not hasattr(copy.parent, "gold"):
        return "skipped"  # not a copy of a template with an answer key
    if copy.status != TaskStatus.COMPLETED:
        return "waiting"
    if copy.completed_by_id is None or GoldAnswer.objects.filter(copy=copy).exists():
        return "skipped"  # finished by nobody to score, or scored already
    answer = score(copy)
    return f"scored {answer.score:.4f}"


def score(copy: Task) -> GoldAnswer:
    """Score the copy's answer against its standard's expected response, store the
    `GoldAnswer` (once) and update the tasker's standing."""
    from tasks.quality.options import QualityOptions
    from tasks.quality.scoring import score_answer
    from tasks.quality_flow import standing, training

    standard: GoldStandard = copy.parent.gold  # type: ignore[union-attr]
    settings = quality_settings.of(copy.project)
    options = QualityOptions(min_similarity=settings.consensus_min_similarity,
                             image_size=image_size(copy))
    result = score_answer(effective_answer(copy), standard.expected_response, options)
    with transaction.atomic():
        answer, created = GoldAnswer.objects.get_or_create(copy=copy, defaults={
            "standard": standard, "project": copy.project, "user": copy.completed_by,
            "kind": standard.kind, "phase": standard.phase, "score": result.score,
            "details": result.as_json(), "answered_at": copy.completed_at})
        if created and standard.kind == TRAINING:
            training.after_answer(answer)
        elif created:
            standing.after_gold_answer(answer)
    return answer


def effective_answer(copy: Task) -> dict:
    """What the copy's worker answered. For a review-phase copy, the draft at the decision
    minus the annotations the reviewer rejected: what they caught counts."""
    response = copy.response if isinstance(copy.response, dict) else {"annotations": []}
    if copy.parent is None or copy.parent.gold.phase != REVIEW:
        return response
    rejected = set(AnnotationVerdict.objects.filter(round__task=copy, verdict="rejected")
                   .values_list("uuid", flat=True))
    annotations = [a for a in response.get("annotations") or [] if a.get("uuid") not in rejected]
    return {**response, "annotations": annotations}


def image_size(task: Task) -> tuple[float, float] | None:
    if task.attachment_width and task.attachment_height:
        return float(task.attachment_width), float(task.attachment_height)
    return None


# --- the sweeper ----------------------------------------------------------------------------

SWEEP_LIMIT = 200
# a copy finished less than this ago has its job on the way
SWEEP_HORIZON = timedelta(seconds=5)


def unscored() -> QuerySet[Task]:
    """Finished copies without a score, finished longer than SWEEP_HORIZON ago."""
    return Task.objects.filter(role__in=(TaskRole.EVALUATION, TaskRole.TRAINING),
                               parent__gold__isnull=False, status=TaskStatus.COMPLETED,
                               completed_by__isnull=False, gold_answer__isnull=True,
                               completed_at__lt=timezone.now() - SWEEP_HORIZON)


def requeue_unscored() -> int:
    """Queue the score again for finished copies whose job was lost (a worker killed
    mid-job). Returns how many."""
    from tasks.jobs import queued_args, score_answer

    waiting = queued_args(score_answer, include_running=True)
    count = 0
    for task_id in unscored().order_by("completed_at").values_list(
            "task_id", flat=True)[:SWEEP_LIMIT]:
        if task_id not in waiting:
            score_answer.enqueue(task_id)
            count += 1
    if count:
        logger.warning("sweeper queued %d gold and training scores again", count)
    return count

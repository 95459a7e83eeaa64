"""Scoring gold and training answers: the body of the worker's `score_answer` job
(tasks/jobs.py), the tasker's standing after each score, and the sweeper that queues a lost
score again (docs/quality.md).

The scoring modules (numpy, scipy, shapely) are imported inside `score`, which runs in the
worker only (docs/quality.md#memory).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from tasks import jobs, kinds
from tasks.jobs import score_answer
from tasks.models import (
    AnnotationVerdict,
    GoldAnswer,
    GoldKind,
    GoldPhase,
    GoldStandard,
    Task,
    TaskRole,
    TaskStatus,
)
from tasks.quality_flow import media, standing, training
from tasks.quality_flow import settings as quality_settings

logger = logging.getLogger("annotator.worker")


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

    standard: GoldStandard = copy.parent.gold  # type: ignore[union-attr]
    settings = quality_settings.of(copy.project)
    options = QualityOptions(min_similarity=settings.consensus_min_similarity,
                             image_size=media.image_size(copy))
    result = kinds.of(copy).score_answer(copy, effective_answer(copy),
                                         standard.expected_response, options)
    with transaction.atomic():
        answer, created = GoldAnswer.objects.get_or_create(copy=copy, defaults={
            "standard": standard, "project": copy.project, "user": copy.completed_by,
            "kind": standard.kind, "phase": standard.phase, "score": result.score,
            "details": result.as_json(), "answered_at": copy.completed_at})
        if created and standard.kind == GoldKind.TRAINING:
            training.after_answer(answer)
        elif created:
            standing.after_gold_answer(answer)
    return answer


def effective_answer(copy: Task) -> dict:
    """What the copy's worker answered. For a review-phase copy, the draft at the decision
    minus the annotations the reviewer rejected: what they caught counts."""
    response = copy.response if isinstance(copy.response, dict) else {"annotations": []}
    if copy.parent is None or copy.parent.gold.phase != GoldPhase.REVIEW:
        return response
    rejected = set(AnnotationVerdict.objects.filter(round__task=copy, verdict="rejected")
                   .values_list("uuid", flat=True))
    annotations = [a for a in response.get("annotations") or [] if a.get("uuid") not in rejected]
    return {**response, "annotations": annotations}


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
    ids = unscored().order_by("completed_at").values_list("task_id", flat=True)
    count = jobs.enqueue_missing(score_answer, ids, SWEEP_LIMIT)
    if count:
        logger.warning("sweeper queued %d gold and training scores again", count)
    return count

"""The consensus merge: k replicas' answers become the customer task's response
(docs/quality.md#merge).

`merge_parent` is the body of the worker's `merge_consensus` job (tasks/jobs.py), which runs
it with the cyclic garbage collector paused (tasks/collector.py). It locks the customer task,
does nothing unless the task is in stage consensus with none of its replicas pending (so a job
run twice, or queued again by the sweeper, merges once), merges the replicas' responses in
the order they were submitted, stores a `ConsensusResult`, checks the merged response as a
submit is checked, and hands it to `stages.merged`: that loads it as the task's draft, writes
the task's consensus summary and routes it (review, or completion and the customer's
callback). A merged response that breaks one of the task's rules goes to review with a
task-level issue naming the rule.

The task's kind merges (`Kind.merge_answers`: shapes or masks). The merge modules (numpy,
scipy, shapely) are imported inside the functions that need them:
the web server imports this module (for its sweeper's queries) and must not load them.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from tasks import jobs, kinds, submission
from tasks.jobs import merge_consensus
from tasks.models import ConsensusResult, Task, TaskRole, TaskStage, TaskStatus
from tasks.quality_flow import media, stages
from tasks.quality_flow import settings as quality_settings

if TYPE_CHECKING:
    from tasks.quality.merge import Merged

logger = logging.getLogger("annotator.worker")
SWEEP_LIMIT = 200
# a parent whose last replica completed less than this ago has its job on the way
SWEEP_HORIZON = timedelta(seconds=5)


def merge_parent(task_id: str) -> str:
    """Merge the replicas of customer task `task_id` once none is pending any more; what
    happened, in a word."""
    with transaction.atomic():
        parent = _locked_parent(task_id)
        if parent is None:
            return "skipped"
        replicas = list(replicas_of(parent).exclude(status=TaskStatus.CANCELED)
                        .order_by("completed_at", "task_id"))
        if not replicas or any(r.status != TaskStatus.COMPLETED for r in replicas):
            return "waiting"
        merged = run_merge(parent, replicas)
        ConsensusResult.objects.create(
            task=parent, replicas=[r.task_id for r in replicas], report=merged.report,
            agreement=merged.report["agreement"], merged_at=timezone.now())
        problem = rule_broken(parent, merged.response)
        # as a submit's response is stored (a mask's files written; shapes as they are)
        response = submission.published(parent, merged.response, "")
        stages.merged(parent, response, merged.report, problem=problem)
    return "merged" if problem is None else "broken"


def _locked_parent(task_id: str) -> Task | None:
    """The customer task, locked, when it waits for its merge."""
    return (Task.objects.select_for_update(of=("self",)).select_related("project__quality")
            .filter(pk=task_id, role=TaskRole.CUSTOMER, status=TaskStatus.PENDING,
                    stage=TaskStage.CONSENSUS).first())


def replicas_of(parent: Task) -> QuerySet[Task]:
    return Task.objects.filter(parent=parent, role=TaskRole.REPLICA)


def run_merge(parent: Task, replicas: list[Task]) -> Merged:
    """The replicas' answers merged by the task's kind (tasks/quality/merge.py for shapes,
    tasks/quality/masks.py for masks), with the project's similarity threshold and the
    task's image size."""
    from tasks.quality.options import QualityOptions

    settings = quality_settings.of(parent.project)
    options = QualityOptions(min_similarity=settings.consensus_min_similarity,
                             image_size=media.image_size(parent))
    return kinds.of(parent).merge_answers(parent, replicas, options)


def rule_broken(parent: Task, response: dict) -> str | None:
    """The rule the merged response breaks, as a submit would report it, or None. (Every
    answer kept its rules; their merge may not: a required attribute half the taskers gave,
    or a count limit.)"""
    try:
        submission.check_response(parent, response)
    except submission.SubmitRejected as exc:
        return str(exc)
    return None


# --- the sweeper ----------------------------------------------------------------------------

def stuck_parents() -> QuerySet[Task]:
    """Customer tasks in stage consensus with no replica pending, the last one completed
    longer than SWEEP_HORIZON ago."""
    horizon = timezone.now() - SWEEP_HORIZON
    return (Task.objects.filter(role=TaskRole.CUSTOMER, status=TaskStatus.PENDING,
                                stage=TaskStage.CONSENSUS)
            .annotate(replicas=Count("children", filter=Q(children__role=TaskRole.REPLICA)),
                      open=Count("children", filter=Q(children__role=TaskRole.REPLICA,
                                                      children__status=TaskStatus.PENDING)),
                      recent=Count("children", filter=Q(children__completed_at__gt=horizon)))
            .filter(replicas__gt=0, open=0, recent=0))


def requeue_stuck() -> int:
    """Queue the merge again for parents stuck in consensus with no job queued or running
    (a worker killed mid-merge). Returns how many."""
    ids = stuck_parents().order_by("created_at").values_list("task_id", flat=True)
    count = jobs.enqueue_missing(merge_consensus, ids, SWEEP_LIMIT)
    if count:
        logger.warning("sweeper queued %d consensus merges again", count)
    return count

"""At a tasker's submit: note that a task with prelabels was answered, for the worker to
compare (docs/assist.md, "The prelabel ledger"). Follows `lifecycle.on_submitted`; imports
nothing heavy, since it runs in the web server's submit."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.utils import timezone

from tasks import jobs, kinds
from tasks.models import LedgerStatus, Prelabel, PrelabelLedger, Task, TaskRole
from tasks.models.backends import PrelabelStatus
from tasks.rules.prelabel_files import prelabel_list

logger = logging.getLogger("annotator.worker")

API_HYPOTHESIS = "hypothesis"  # the model version of prelabels the API gave
UNNAMED_MODEL = "unnamed model"  # a backend that reported no version and has no name
NOT_LEDGERED = (TaskRole.EVALUATION, TaskRole.TRAINING)
# What a new submit of the task sets again (the counts stay until the worker compares).
RECORDED_FIELDS = ["project", "tasker", "model_version", "submitted_at", "status", "answer",
                   "compared_at"]


def hypothesis_prelabels(task: Task) -> list[dict]:
    """The task's hypothesis annotations the draft started from: those with a uuid that is
    not a base annotation's (a base annotation wins over a hypothesis with its uuid)."""
    base = {a.get("uuid") for a in prelabel_list(task.params, "base_annotations")
            if isinstance(a, dict)}
    return [a for a in prelabel_list(task.params, "hypothesis")
            if isinstance(a, dict) and isinstance(a.get("uuid"), str) and a["uuid"] not in base]


def ledgered(task: Task) -> bool:
    """Whether a submit of `task` goes into the ledger: a live customer task or replica of a
    kind the scoring core compares (image tasks), with hypothesis prelabels."""
    return (not task.is_test and task.role not in NOT_LEDGERED
            and kinds.of(task).supports_consensus and bool(hypothesis_prelabels(task)))


def model_version_of(task: Task) -> str:
    """The version of the model that prelabelled the task (a replica's: its parent's), or
    "hypothesis" when the API gave the prelabels."""
    ids = [task.pk] + ([task.parent_id] if task.parent_id else [])
    found = (Prelabel.objects.filter(task_id__in=ids, status=PrelabelStatus.DONE)
             .values_list("model_version", "backend_name").first())
    if found is None:
        return API_HYPOTHESIS
    version, backend = found
    return version or backend or UNNAMED_MODEL


def after_submit(task: Task, response: dict, user: Any) -> None:
    """Record the submitted answer for comparison (the latest submit of a task replaces an
    earlier one) and queue the worker's comparison, in the submit's transaction."""
    if not ledgered(task):
        return
    row = PrelabelLedger(task=task, project_id=task.project_id, tasker=user,
                         model_version=model_version_of(task), submitted_at=timezone.now(),
                         status=LedgerStatus.PENDING, answer=response.get("annotations") or [],
                         compared_at=None)
    # one upsert, not update_or_create's savepoints and read (the submit's query budget:
    # tests/perf/test_query_counts.py)
    PrelabelLedger.objects.bulk_create([row], update_conflicts=True, unique_fields=["task"],
                                       update_fields=RECORDED_FIELDS)
    jobs.compare_prelabels.enqueue(task.pk)


# --- the sweeper ------------------------------------------------------------------------------

SWEEP_LIMIT = 200
SWEEP_HORIZON = timedelta(seconds=5)


def requeue_uncompared() -> int:
    """Queue the comparison again for ledger rows still pending SWEEP_HORIZON after their
    submit with no job queued or running (a worker killed mid-job). Returns how many."""
    ids = (PrelabelLedger.objects.filter(status=LedgerStatus.PENDING,
                                         submitted_at__lt=timezone.now() - SWEEP_HORIZON)
           .order_by("submitted_at").values_list("task_id", flat=True))
    count = jobs.enqueue_missing(jobs.compare_prelabels, ids, SWEEP_LIMIT)
    if count:
        logger.warning("sweeper queued %d prelabel comparisons again", count)
    return count

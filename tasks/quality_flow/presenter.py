"""The customer-visible quality summary of a task, `Task.quality` (docs/api-decisions.md,
"Quality"): written by tasks/quality_flow/stages.py at each step of the internal pipeline, and
passed through by tasks/presenters.py as the task JSON's `quality` key. No worker identities.

    {"stage": "completed",  # or work | consensus | review | rework while pending
     "review": {"status": "fixed", "rounds": 2, "sent_back": 1,
                "annotations": {"accepted": 4, "rejected": 1},
                "issues": {"open": 0, "resolved": 0, "closed": 1},
                "reviewed_at": "2026-12-06T09:12:03.120Z"},
     "consensus": {"taskers": 3, "agreement": 0.8731, "kept": 5, "dropped": 1,
                   "objects": {"<uuid>": 0.91}}}
"""

from __future__ import annotations

from django.db.models import Count

from tasks.models import AnnotationVerdict, Issue, ReviewRound, Task
from tasks.presenters import iso

# review.status: what became of the task's first submission (or merge) in review.
PENDING, ACCEPTED, FIXED = "pending", "accepted", "fixed"
NOT_SAMPLED, SKIPPED_AGREEMENT = "not_sampled", "skipped_agreement"
DIGITS = 4


def summary(task: Task, *, stage: str, review_status: str | None = None,
            response: dict | None = None) -> dict:
    """The task's quality summary at `stage`: its consensus part kept (with `response`, the
    one delivered, limited to the objects still in it), its review part counted again from
    the rows (with `review_status`, else the status it had)."""
    before = task.quality or {}
    quality = {"stage": stage, **{k: v for k, v in before.items() if k != "stage"}}
    status = review_status or (before.get("review") or {}).get("status")
    if status is not None:
        quality["review"] = review_block(task, status)
    if response is not None and isinstance(quality.get("consensus"), dict):
        quality["consensus"] = consensus_in(quality["consensus"], response)
    return quality


def consensus_in(block: dict, response: dict) -> dict:
    """The consensus block of a delivered `response`: the merged objects still in it (a
    reviewer or a rework may have deleted some), `kept` their number; `taskers`, `agreement`
    and `dropped` stay the merge's (docs/api-decisions.md "Quality"). A mask's block counts
    labels, not objects (`labels`): kept as merged."""
    if "labels" in block:
        return block
    present = {a.get("uuid") for a in response.get("annotations") or []
               if isinstance(a, dict)}
    objects = {uuid: value for uuid, value in (block.get("objects") or {}).items()
               if uuid in present}
    return {**block, "kept": len(objects), "objects": objects}


def review_status(task: Task) -> str | None:
    """The task's `quality.review.status` as stored, if any."""
    return ((task.quality or {}).get("review") or {}).get("status")


def review_block(task: Task, status: str) -> dict:
    rounds = ReviewRound.objects.filter(task=task, source="internal")
    decided = rounds.exclude(verdict="").order_by("-number").first()
    verdicts = {"accepted": 0, "rejected": 0}
    if decided is not None:
        verdicts.update(AnnotationVerdict.objects.filter(round=decided).values_list("verdict")
                        .annotate(n=Count("pk")).order_by())
    issues = {"open": 0, "resolved": 0, "closed": 0}
    issues.update(Issue.objects.filter(task=task, source="internal").values_list("status")
                  .annotate(n=Count("pk")).order_by())
    block: dict = {"status": status, "rounds": rounds.count(),
                   "sent_back": rounds.filter(verdict="sent_back").count(),
                   "annotations": verdicts, "issues": issues}
    if decided is not None:
        block["reviewed_at"] = iso(decided.decided_at)
    return block


def consensus_block(report: dict) -> dict:
    """The customer's part of a merge's report (tasks/quality/merge.py): the kept objects'
    agreement by uuid (a mask's merge: each label's agreement, `labels`), no tasker named."""
    block = {"taskers": report["taskers"], "agreement": round(report["agreement"], DIGITS),
             "kept": report["kept"], "dropped": report["dropped"],
             "objects": {obj["uuid"]: round(obj["agreement"], DIGITS)
                         for obj in report.get("objects", []) if obj.get("kept")}}
    if isinstance(report.get("labels"), dict):
        block["labels"] = {label: round(value, DIGITS)
                           for label, value in report["labels"].items()}
    return block

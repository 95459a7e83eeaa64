"""What the workbench's GET /data carries of the review: the `quality` block of a task in
review or rework (docs/workbench.md, "Review mode")."""

from __future__ import annotations

from tasks.models import Task
from tasks.models.reviews import AnnotationVerdict, Issue, ReviewRound, RoundSource, RoundVerdict
from tasks.models.tasks import TaskStage, TaskStatus
from tasks.presenters import iso

# the stages whose page shows the review: the reviewer's, and the tasker's after a send-back
PAGE_MODES: dict[str, str] = {TaskStage.REVIEW: "review", TaskStage.REWORK: "rework"}


def page_quality(task: Task) -> dict:
    """GET /data's `quality` block, {} for a task that is not in review or rework (no
    query then). Three values_list queries (the last two rounds with the reviewer's name, the
    verdicts of the round, the issues with their comments), no model instances: a review of
    2,000 annotations opens as fast as the work page.

    {"quality": {"mode", "round", "banner": {"by", "comment", "at"} | null,
                 "verdicts": {uuid: {"verdict", "reason", "revised"}},
                 "issues": [{"uuid", "x", "y", "frame", "annotation_uuid", "status",
                             "comments": [{"author", "text", "at"}]}]}}
    """
    mode = PAGE_MODES.get(task.stage) if task.status == TaskStatus.PENDING else None
    if mode is None:
        return {}
    rounds = list(ReviewRound.objects.filter(task=task).order_by("-number").values_list(
        "pk", "number", "source", "reviewer__username", "comment", "decided_at", "created_at",
        "verdict")[:2])
    current = rounds[0] if rounds else None
    # rework: the round that sent the task back speaks; review: the one before this one
    sender = current if mode == "rework" else (rounds[1] if len(rounds) > 1 else None)
    verdicts: dict[str, dict] = {}
    if current is not None:
        rows = AnnotationVerdict.objects.filter(round_id=current[0]).values_list(
            "uuid", "verdict", "reason", "revised")
        verdicts = {uuid: {"verdict": verdict, "reason": reason, "revised": revised}
                    for uuid, verdict, reason, revised in rows}
    return {"quality": {
        "mode": mode,
        "round": current[1] if current is not None else None,
        "banner": _banner(sender),
        "verdicts": verdicts,
        "issues": _issues(task),
    }}


def _banner(row: tuple | None) -> dict | None:
    """The send-back a round records ({by: null} for the customer's), or None."""
    if row is None:
        return None
    _pk, _number, source, reviewer, comment, decided_at, created_at, verdict = row
    if source == RoundSource.INTERNAL and verdict != RoundVerdict.SENT_BACK:
        return None
    return {"by": reviewer if source == RoundSource.INTERNAL else None, "comment": comment,
            "at": iso(decided_at or created_at)}


def _issues(task: Task) -> list[dict]:
    """The task's issues in the order they were opened, each with its thread (one query: the
    comments joined in, an issue without any comment has one row of nulls)."""
    rows = Issue.objects.filter(task=task).order_by(
        "opened_at", "pk", "comments__created_at", "comments__pk").values_list(
        "uuid", "x", "y", "frame", "annotation_uuid", "status", "comments__pk",
        "comments__author__username", "comments__text", "comments__created_at")
    issues: dict[str, dict] = {}
    for uuid, x, y, frame, annotation_uuid, status, comment_pk, author, text, at in rows:
        issue = issues.get(uuid)
        if issue is None:
            issue = issues[uuid] = {"uuid": uuid, "x": x, "y": y, "frame": frame,
                                    "annotation_uuid": annotation_uuid or None,
                                    "status": status, "comments": []}
        if comment_pk is not None:
            issue["comments"].append({"author": author, "text": text, "at": iso(at)})
    return list(issues.values())

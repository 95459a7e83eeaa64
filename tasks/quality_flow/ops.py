"""The review's draft operations, saved one at a time through the live session like edits
(docs/quality.md, "Review mode"; registered in tasks/drafts.py):

    {op: "verdict", uuid, before: {verdict, reason} | null,
     after: {verdict: "accepted" | "rejected", reason?} | null}
    {op: "issue", uuid, action: "open", x, y, frame?, annotation_uuid?, text}
    {op: "issue", uuid, action: "comment" | "resolve" | "close" | "reopen", text?}

Verdicts, and opening, closing and reopening issues, are the reviewer's (the holder of a task
in review); a comment or a resolve is also the tasker's in rework. Refused with kind `rule`, or
`invalid` when malformed. Each writes the rows of the task's open round (AnnotationVerdict,
Issue, IssueComment) in the operation's transaction; the ack and the watchers' remote_op carry
what was stored (`verdicts: {uuid: verdict}`, `issues: {uuid: issue}`). In rework, a change
to an annotation marks its rejection revised and resolves the open issues naming it.
"""

from __future__ import annotations

import math
from typing import Any

from django.db.models import Subquery
from django.utils import timezone

from tasks import drafts
from tasks.drafts import Draft, Refused
from tasks.models import AnnotationVerdict, Issue, IssueComment, ReviewRound, TaskStage
from tasks.presenters import iso
from tasks.quality_flow import stages
from tasks.rules.annotations import MAX_UUID_LENGTH
from tasks.rules.constants import LIMITS

VERDICTS = ("accepted", "rejected")
REVIEW_ACTIONS = ("open", "close", "reopen")
ANSWER_ACTIONS = ("comment", "resolve")
MAX_TEXT = int(LIMITS["max_text_length"])
RESOLVED_BY_FIX = "Resolved by a fix."


def register() -> None:
    drafts.register_op("verdict", apply_verdict)
    drafts.register_op("issue", apply_issue)
    drafts.register_after_apply(after_apply)


# --- verdicts -------------------------------------------------------------------------------

def apply_verdict(draft: Draft, op: dict, depth: int) -> None:
    uuid = _id(op.get("uuid"), "An annotation's uuid")
    wanted = _verdict(op.get("after"), "after")
    before = _verdict(op.get("before"), "before")
    if draft.task.stage != TaskStage.REVIEW:
        raise Refused("rule", "Only a reviewer gives verdicts, in review.", uuid)
    round_ = _open_round(draft)
    current = AnnotationVerdict.objects.filter(round=round_, uuid=uuid).first()
    if (current.verdict if current else None) != (before or {}).get("verdict"):
        raise Refused("conflict", f"The verdict on annotation {uuid} changed meanwhile.", uuid)
    if wanted is None:
        if current is not None:
            current.delete()
        draft.note("verdicts", uuid, None)
        return
    row = draft.existing(uuid)
    stored = current or AnnotationVerdict(round=round_, uuid=uuid)
    stored.verdict, stored.reason, stored.annotation = (wanted["verdict"], wanted["reason"],
                                                        row.as_json())
    stored.save()
    draft.note("verdicts", uuid, verdict_json(stored))


def _verdict(value: Any, name: str) -> dict | None:
    if value is None:
        return None
    if not isinstance(value, dict) or value.get("verdict") not in VERDICTS:
        raise Refused("invalid", f'A verdict\'s `{name}` is null or {{verdict: "accepted" | '
                                 f'"rejected", reason?}}.')
    return {"verdict": value["verdict"], "reason": _text(value.get("reason"), "reason")}


def verdict_json(verdict: AnnotationVerdict) -> dict:
    return {"verdict": verdict.verdict, "reason": verdict.reason, "revised": verdict.revised}


# --- issues ---------------------------------------------------------------------------------

def apply_issue(draft: Draft, op: dict, depth: int) -> None:
    uuid = _id(op.get("uuid"), "An issue's uuid")
    action = op.get("action")
    if action not in (*REVIEW_ACTIONS, *ANSWER_ACTIONS):
        raise Refused("invalid", "An issue's action is open, comment, resolve, close or "
                                 "reopen.")
    _check_stage(draft.task.stage, action)
    text = _text(op.get("text"), "text")
    if action == "open":
        issue = _open(draft, uuid, op)
    else:
        issue = _existing(draft, uuid)
        if action == "comment" and not text:
            raise Refused("invalid", "A comment carries its `text`.")
        _change(issue, action, draft.user)
    if text:
        IssueComment.objects.create(issue=issue, author=draft.user, text=text,
                                    created_at=timezone.now())
    draft.note("issues", uuid, issue_json(issue))


def _check_stage(stage: str, action: str) -> None:
    if action in REVIEW_ACTIONS and stage != TaskStage.REVIEW:
        raise Refused("rule", "Only a reviewer opens, closes or reopens an issue, in review.")
    if stage not in (TaskStage.REVIEW, TaskStage.REWORK):
        raise Refused("rule", "Issues are answered in review or rework.")


def _open(draft: Draft, uuid: str, op: dict) -> Issue:
    x, y = _coordinate(op.get("x"), "x"), _coordinate(op.get("y"), "y")
    if (x is None) != (y is None):
        raise Refused("invalid", "An issue is pinned at both x and y, or at neither.")
    frame = op.get("frame")
    if frame is not None and (not isinstance(frame, int) or isinstance(frame, bool)
                              or frame < 0):
        raise Refused("invalid", "An issue's frame is an integer >= 0.")
    named = op.get("annotation_uuid")
    if named is not None:
        named = _id(named, "annotation_uuid")
        if draft.row(named) is None:
            raise Refused("conflict", f"Annotation {named} does not exist (any more).", named)
    if Issue.objects.filter(task=draft.task, uuid=uuid).exists():
        raise Refused("conflict", f"Issue {uuid} already exists.")
    return Issue.objects.create(task=draft.task, uuid=uuid, round=_open_round(draft), x=x, y=y,
                                frame=frame, annotation_uuid=named or "", status="open",
                                source="internal", opened_by=draft.user,
                                opened_at=timezone.now())


def _existing(draft: Draft, uuid: str) -> Issue:
    issue = Issue.objects.filter(task=draft.task, uuid=uuid).first()
    if issue is None:
        raise Refused("conflict", f"Issue {uuid} does not exist.")
    return issue


def _change(issue: Issue, action: str, user) -> None:
    """An issue's status after a resolve, close or reopen (a comment leaves it)."""
    now = timezone.now()
    if action == "resolve":
        if issue.status == "closed":
            raise Refused("rule", f"Issue {issue.uuid} is closed: the reviewer may reopen it.")
        if issue.status == "open":
            _set(issue, status="resolved", resolved_by=user, resolved_at=now)
    elif action == "close" and issue.status != "closed":
        _set(issue, status="closed", closed_by=user, closed_at=now)
    elif action == "reopen" and issue.status != "open":
        _set(issue, status="open", resolved_by=None, resolved_at=None, closed_by=None,
             closed_at=None)


def issue_json(issue: Issue) -> dict:
    comments = (IssueComment.objects.filter(issue=issue).order_by("created_at", "pk")
                .values_list("author__username", "text", "created_at"))
    return {"uuid": issue.uuid, "x": issue.x, "y": issue.y, "frame": issue.frame,
            "annotation_uuid": issue.annotation_uuid or None, "status": issue.status,
            "comments": [{"author": author, "text": text, "at": iso(at)}
                         for author, text, at in comments]}


# --- after each operation in rework ---------------------------------------------------------

def after_apply(draft: Draft, uuids: list[str]) -> None:
    """The tasker changed these annotations in rework: their rejections are revised, and the
    open issues naming them resolved ("resolved by a fix")."""
    if draft.task.stage != TaskStage.REWORK:
        return
    last = ReviewRound.objects.filter(task=draft.task).order_by("-number").values("pk")[:1]
    rejected = AnnotationVerdict.objects.filter(round=Subquery(last), verdict="rejected",
                                                uuid__in=uuids, revised=False)
    for verdict in rejected:
        verdict.revised = True
        verdict.save(update_fields=["revised"])
        draft.note("verdicts", verdict.uuid, verdict_json(verdict))
    for issue in Issue.objects.filter(task=draft.task, status="open", annotation_uuid__in=uuids):
        _set(issue, status="resolved", resolved_by=draft.user, resolved_at=timezone.now())
        IssueComment.objects.create(issue=issue, author=draft.user, text=RESOLVED_BY_FIX,
                                    created_at=timezone.now())
        draft.note("issues", issue.uuid, issue_json(issue))


# --- small rules ----------------------------------------------------------------------------

def _open_round(draft: Draft) -> ReviewRound:
    found = draft.context.get("review_round")
    if found is None:
        found = draft.context["review_round"] = stages.open_round(draft.task)
    return found


def _id(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value or len(value) > MAX_UUID_LENGTH:
        raise Refused("invalid", f"{name} is a string of 1 to {MAX_UUID_LENGTH} characters.")
    return value


def _text(value: Any, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise Refused("invalid", f"`{name}` is a string of at most {MAX_TEXT} characters.")
    return value.strip()


def _coordinate(value: Any, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Refused("invalid", f"An issue's {name} is a number (image pixels) or null.")
    return float(value)


def _set(issue: Issue, **changes: object) -> None:
    for key, value in changes.items():
        setattr(issue, key, value)
    issue.save(update_fields=list(changes))

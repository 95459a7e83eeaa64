"""A reviewer's decision on a task in review: accept, fix-and-accept, or send back
(docs/quality.md). Apart from stages.py because it checks the reviewer's draft as a submit
(tasks.submission), which itself routes through the stages; the stage it leads to is written
by tasks/quality_flow/stages.py."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tasks import queue, submission
from tasks.annotation_rows import replace_annotations
from tasks.errors import ApiError
from tasks.models import (
    AnnotationVerdict,
    AttemptOutcome,
    Issue,
    IssueStatus,
    ReviewRound,
    RoundVerdict,
    Task,
    TaskStage,
    TaskStatus,
)
from tasks.quality_flow import attempts, stages
from tasks.quality_flow.changes import changed_parts, has_changes, reviewer_changes
from tasks.rules.constants import LIMITS

ACCEPT, SEND_BACK = "accept", "send_back"
NO_REASON = "Say what to fix: reject an annotation, pin an issue or write a comment."
# The page puts the annotation's name before it (its type, label and number), from the
# error's annotation_uuid.
STILL_REJECTED = ("rejected in this review and still unchanged; fix or delete it, or send "
                  "the task back (Shift+X)")
MAX_COMMENT = int(LIMITS["max_text_length"])


def decide(task: Task, reviewer, decision: str, comment: str = "", *,
           base_url: str = "") -> Task:
    """`decision` is "accept" (fix-and-accept when the reviewer changed the answer: completed,
    the customer's one callback) or "send_back" (rework, first for its tasker); raises
    ApiError (400, 409) in the API's shape: 409 unless `reviewer` holds the task in review,
    400 for an unknown decision, a draft that breaks a rule, or a send-back without any
    reason."""
    if decision not in (ACCEPT, SEND_BACK):
        raise ApiError(400, 'decision must be "accept" or "send_back".')
    if not isinstance(comment, str) or len(comment) > MAX_COMMENT:
        raise ApiError(400, f"comment must be a string of at most {MAX_COMMENT} characters.")
    with transaction.atomic():
        task = _held_in_review(task, reviewer)
        round_ = stages.open_round(task)
        if decision == ACCEPT:
            _accept(task, reviewer, round_, comment.strip(), base_url)
        else:
            _send_back(task, reviewer, round_, comment.strip(), base_url)
    return task


def _held_in_review(task: Task, reviewer) -> Task:
    task = (Task.objects.select_related("project", "batch", "project__quality")
            .select_for_update(of=("self",)).get(pk=task.pk))
    if (task.status != TaskStatus.PENDING or task.stage != TaskStage.REVIEW
            or not queue.holds(reviewer, task)):
        raise ApiError(409, "This review is no longer yours to decide: the task is "
                            f"{task.status} or your lease has ended.")
    return task


def _accept(task: Task, reviewer, round_: ReviewRound, comment: str, base_url: str) -> None:
    response = submission.check_response(task, submission.review_payload(task))
    _refuse_unfixed_rejections(round_, response)
    replace_annotations(task, response["annotations"])
    final = submission.published(task, response, base_url)
    changes = reviewer_changes(round_.work_response, final)
    verdict = RoundVerdict.FIXED if has_changes(changes) else RoundVerdict.ACCEPTED
    _close(round_, reviewer, verdict, final, changes, comment)
    attempts.end(task, reviewer, AttemptOutcome(verdict))
    stages.accepted(task, round_, final, reviewer)


def _refuse_unfixed_rejections(round_: ReviewRound, response: dict) -> None:
    """An accepted task never reaches the customer with an annotation its reviewer rejected
    in this round and left as it was (docs/quality.md, "Review mode"): fixed (any change) or
    deleted, it passes."""
    final = {a.get("uuid"): (i, a) for i, a in enumerate(response.get("annotations") or [])}
    for verdict in (AnnotationVerdict.objects.filter(round=round_, verdict="rejected")
                    .order_by("pk")):
        index, annotation = final.get(verdict.uuid, (None, None))
        if annotation is None or not isinstance(verdict.annotation, dict):
            continue
        if not changed_parts(verdict.annotation, annotation):
            raise ApiError(400, STILL_REJECTED,
                           annotation_uuid=verdict.uuid, path=f"response.annotations[{index}]")


def _send_back(task: Task, reviewer, round_: ReviewRound, comment: str,
               base_url: str) -> None:
    if not comment and not _has_reason(task, round_):
        raise ApiError(400, NO_REASON)
    draft = submission.kept_draft(task, base_url)
    _keep_accepted_as_sent(round_, draft)
    _close(round_, reviewer, RoundVerdict.SENT_BACK, draft,
           reviewer_changes(round_.work_response, draft), comment)
    attempts.end(task, reviewer, AttemptOutcome.SENT_BACK)
    stages.sent_back(task, round_, draft, reviewer)


def _has_reason(task: Task, round_: ReviewRound) -> bool:
    return (AnnotationVerdict.objects.filter(round=round_, verdict="rejected").exists()
            or Issue.objects.filter(task=task, status=IssueStatus.OPEN).exists())


def _keep_accepted_as_sent(round_: ReviewRound, draft: dict) -> None:
    """The accepted annotations' snapshots become what the tasker gets back (the reviewer may
    have fixed one after accepting it); an accepted one the reviewer deleted locks nothing."""
    annotations = draft.get("annotations")
    if not isinstance(annotations, list):  # a mask's response names files there
        annotations = []
    sent = {a["uuid"]: a for a in annotations if isinstance(a, dict) and "uuid" in a}
    for verdict in AnnotationVerdict.objects.filter(round=round_, verdict="accepted"):
        if verdict.uuid not in sent:
            verdict.delete()
        elif verdict.annotation != sent[verdict.uuid]:
            verdict.annotation = sent[verdict.uuid]
            verdict.save(update_fields=["annotation"])


def _close(round_: ReviewRound, reviewer, verdict: str, final: dict, changes: dict,
           comment: str) -> None:
    if round_.reviewer_id is None:
        round_.reviewer = reviewer
    round_.verdict, round_.final_response, round_.reviewer_changes = verdict, final, changes
    round_.comment = comment or round_.comment
    round_.decided_at = timezone.now()
    round_.save(update_fields=["reviewer", "verdict", "final_response", "reviewer_changes",
                               "comment", "decided_at"])

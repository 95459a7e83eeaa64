"""A task's way through the internal pipeline (docs/quality.md, "Stages"): work, consensus,
review, rework.

This module is the only writer of `Task.stage`, `reserved_for` / `reserved_until` and
`Task.quality`; every change of status goes through tasks.lifecycle, so the customer's callback
fires once per completion, after the internal review or merge. Each function runs inside the
caller's transaction with the task's row locked (`current`), or takes the lock itself.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone

from tasks import kinds, lifecycle, live, queue, submission
from tasks.annotation_rows import replace_annotations
from tasks.errors import ApiError
from tasks.models import Annotation, Task, TaskStatus
from tasks.models.reviews import AnnotationVerdict, Issue, IssueComment, ReviewRound
from tasks.models.tasks import AnnotationSource, TaskRole, TaskStage
from tasks.quality_flow import attempts, presenter, replicas, sampling
from tasks.quality_flow import settings as quality_settings
from tasks.quality_flow.changes import has_changes, reviewer_changes
from tasks.quality_flow.settings import QualitySettings

INTERNAL, CUSTOMER = "internal", "customer"
ACCEPT, SEND_BACK = "accept", "send_back"
NO_REASON = "Say what to fix: reject an annotation, pin an issue or write a comment."
HIDDEN_ROLES = (TaskRole.EVALUATION, TaskRole.TRAINING)


# --- creation ---------------------------------------------------------------------------------

def after_create(task: Task) -> None:
    """A new customer task of a project with consensus (k > 1, a kind that supports it, a live
    key) waits in `consensus` while k hidden replicas are worked."""
    if task.is_test or task.project_id is None or task.role != TaskRole.CUSTOMER:
        return
    k = quality_settings.of(task.project).consensus_k
    if k <= 1 or not kinds.of(task).supports_consensus:
        return
    _set(task, stage=TaskStage.CONSENSUS)
    replicas.create(task, k)


# --- a submit -------------------------------------------------------------------------------

def after_submit(task: Task, response: dict, user) -> None:
    """Route a tasker's submit of `task` (locked, its rows already the response): a replica or
    a gold / training copy is finished internally, a customer task goes to review or is
    completed (the customer's callback)."""
    if task.role == TaskRole.REPLICA:
        _finish_replica(task, response, user)
    elif task.role in HIDDEN_ROLES:
        finish_internal(task, response, by=user)
        _enqueue_score(task.task_id)
    else:
        _route_customer_submit(task, response, user)


def _route_customer_submit(task: Task, response: dict, user) -> None:
    settings = quality_settings.of(task.project)
    if task.stage == TaskStage.REWORK:
        sender = last_round(task)
        if sender is not None and sender.source == INTERNAL:  # back to who sent it back
            _enter_review(task, response, user, reserve=sender.reviewer_id)
            return
        reviewed = settings.review_on
    else:
        reviewed = sampling.wants_review(settings, task, user)
    if reviewed:
        _enter_review(task, response, user)
    else:
        _complete(task, response, user, presenter.NOT_SAMPLED if settings.review_on else None)


def _complete(task: Task, response: dict, by, review_status: str | None) -> None:
    """The one completion of a customer task that was not reviewed (this time)."""
    if by is not None:
        attempts.end(task, by, "submitted")
    if review_status is not None or task.quality is not None:
        _set(task, quality=presenter.summary(task, stage="completed",
                                             review_status=review_status))
    lifecycle.complete_task(task, response, by=by, current=True)


def _enter_review(task: Task, response: dict, worked_by, *, reserve: int | None = None) -> None:
    """The submitted answer waits for a reviewer: a new round holds it, the draft (already
    the answer) is the restart point, no annotation is locked but base ones, the tasker's lease
    and sessions end (their sockets get lease_lost)."""
    now = timezone.now()
    ReviewRound.objects.create(task=task, number=next_round_number(task), source=INTERNAL,
                               worked_by=worked_by, work_response=response, created_at=now)
    Annotation.objects.filter(task=task, locked=True).exclude(
        source=AnnotationSource.BASE).update(locked=False)
    if worked_by is not None:
        attempts.end(task, worked_by, "submitted")
    _set(task, stage=TaskStage.REVIEW, sent_back_response=response, claimed_by=None,
         lease_expires_at=None, updated_at=now, **_reservation(reserve, now),
         quality=presenter.summary(task, stage=TaskStage.REVIEW,
                                   review_status=presenter.PENDING))
    lifecycle.forget_sessions(task)
    live.publish_task_changed(task, "submitted")


def _finish_replica(task: Task, response: dict, user) -> None:
    finish_internal(task, response, by=user)
    parent = (Task.objects.select_for_update().filter(pk=task.parent_id)
              .only("pk", "stage").first())
    if parent is None or parent.stage != TaskStage.CONSENSUS:
        return
    waiting = Task.objects.filter(parent=parent, role=TaskRole.REPLICA).exclude(
        status__in=(TaskStatus.COMPLETED, TaskStatus.CANCELED))
    if not waiting.exists():
        _enqueue_merge(parent.pk)


def finish_internal(task: Task, response: dict, by) -> None:
    """A hidden row's answer is done: status completed, no callback, no batch."""
    if by is not None:
        attempts.end(task, by, "submitted")
    lifecycle.complete_internal(task, response, by=by)


def _enqueue_merge(parent_id: str) -> None:
    from tasks.jobs import merge_consensus  # the worker's job (tasks/quality_flow/merging.py)

    merge_consensus.enqueue(parent_id)


def _enqueue_score(task_id: str) -> None:
    from tasks.jobs import score_answer  # the worker's job (tasks/quality_flow/gold.py)

    score_answer.enqueue(task_id)


# --- a merge ----------------------------------------------------------------------------------

def merged(parent: Task, merged_response: dict, report: dict, *,
           problem: str | None = None) -> None:
    """Route a consensus task (locked, stage consensus) once its replicas are merged:
    `merged_response` becomes its draft, `report` (tasks/quality/merge.py) its consensus
    summary. To review when the merge breaks a rule (`problem`, shown as an issue), when the
    agreement is under `consensus_review_below` or sampling says so, unless it reaches
    `consensus_skip_review_at`; else completed (the callback)."""
    settings = quality_settings.of(parent.project)
    lifecycle.load_response(parent, merged_response)
    _set(parent, quality={**(parent.quality or {}),
                          "consensus": presenter.consensus_block(report)})
    agreement = float(report.get("agreement", 0.0))
    if problem is not None:
        _enter_review(parent, merged_response, None)
        _open_task_issue(parent, last_round(parent), INTERNAL,
                         f"The merged response breaks a rule: {problem}")
    elif _skips_review(settings, agreement):
        status = presenter.SKIPPED_AGREEMENT if settings.review_on else None
        _complete(parent, merged_response, None, status)
    elif _review_below(settings, agreement) or sampling.wants_review(settings, parent, None):
        _enter_review(parent, merged_response, None)
    else:
        _complete(parent, merged_response, None,
                  presenter.NOT_SAMPLED if settings.review_on else None)


def _skips_review(settings: QualitySettings, agreement: float) -> bool:
    return (settings.consensus_skip_review_at is not None
            and agreement >= settings.consensus_skip_review_at)


def _review_below(settings: QualitySettings, agreement: float) -> bool:
    return (settings.consensus_review_below is not None
            and agreement < settings.consensus_review_below)


# --- the reviewer's decision ------------------------------------------------------------------

def decide(task: Task, reviewer, decision: str, comment: str = "", *,
           base_url: str = "") -> Task:
    """The reviewer holding `task` in review accepts it (fix-and-accept when they changed it:
    completed, the one callback) or sends it back for rework to its tasker. 409 unless they
    hold it; 400 for an unknown decision, a draft that breaks a rule, or a send-back
    without any reason."""
    if decision not in (ACCEPT, SEND_BACK):
        raise ApiError(400, 'decision must be "accept" or "send_back".')
    if not isinstance(comment, str):
        raise ApiError(400, "comment must be a string.")
    with transaction.atomic():
        task = _held_in_review(task, reviewer)
        round_ = open_round(task)
        if decision == ACCEPT:
            _accept(task, reviewer, round_, comment.strip(), base_url)
        else:
            _send_back(task, reviewer, round_, comment.strip())
    return task


def _held_in_review(task: Task, reviewer) -> Task:
    task = (Task.objects.select_related("project", "batch")
            .select_for_update(of=("self",)).get(pk=task.pk))
    if (task.status != TaskStatus.PENDING or task.stage != TaskStage.REVIEW
            or not queue.holds(reviewer, task)):
        raise ApiError(409, "This review is no longer yours to decide: the task is "
                            f"{task.status} or your lease has ended.")
    return task


def open_round(task: Task) -> ReviewRound:
    """The task's undecided internal round (made now for a review that had none)."""
    found = (ReviewRound.objects.filter(task=task, source=INTERNAL, verdict__isnull=True)
             .order_by("-number").first())
    if found is not None:
        return found
    return ReviewRound.objects.create(
        task=task, number=next_round_number(task), source=INTERNAL,
        work_response=task.sent_back_response or submission.draft_payload(task, {}),
        created_at=timezone.now())


def _accept(task: Task, reviewer, round_: ReviewRound, comment: str, base_url: str) -> None:
    response = submission.check_response(task, submission.draft_payload(task, {}))
    replace_annotations(task, response["annotations"])
    final = submission.published(task, response, base_url)
    changes = reviewer_changes(round_.work_response, final)
    verdict = "fixed" if has_changes(changes) else "accepted"
    _close_round(round_, reviewer, verdict, final, changes, comment)
    attempts.end(task, reviewer, verdict)
    if task.role != TaskRole.CUSTOMER:  # a review-phase gold copy: scored, never delivered
        _finish_copy(task, final, reviewer)
        return
    _set(task, reserved_for_id=None, reserved_until=None,
         quality=presenter.summary(task, stage="completed", review_status=verdict))
    lifecycle.complete_task(task, final, by=round_.worked_by, current=True)


def _send_back(task: Task, reviewer, round_: ReviewRound, comment: str) -> None:
    if not comment and not _has_reason(task, round_):
        raise ApiError(400, NO_REASON)
    draft = submission.draft_payload(task, {})
    _keep_accepted_as_sent(round_, draft)
    _close_round(round_, reviewer, "sent_back", draft,
                 reviewer_changes(round_.work_response, draft), comment)
    attempts.end(task, reviewer, "sent_back")
    if task.role != TaskRole.CUSTOMER:
        _finish_copy(task, _effective_answer(round_, draft), reviewer)
        return
    now = timezone.now()
    _set(task, stage=TaskStage.REWORK, sent_back_response=draft, claimed_by=None,
         lease_expires_at=None, updated_at=now, **_reservation(round_.worked_by_id, now),
         quality=presenter.summary(task, stage=TaskStage.REWORK,
                                   review_status=presenter.PENDING))
    lifecycle.reset_draft(task)  # the reviewer's draft, the accepted rows locked
    live.publish_task_changed(task, "sent_back")


def _has_reason(task: Task, round_: ReviewRound) -> bool:
    return (AnnotationVerdict.objects.filter(round=round_, verdict="rejected").exists()
            or Issue.objects.filter(task=task, status="open").exists())


def _keep_accepted_as_sent(round_: ReviewRound, draft: dict) -> None:
    """The accepted annotations' snapshots become what the tasker gets back (the reviewer may
    have fixed one after accepting it); an accepted one the reviewer deleted locks nothing."""
    sent = {a["uuid"]: a for a in draft.get("annotations") or []}
    for verdict in AnnotationVerdict.objects.filter(round=round_, verdict="accepted"):
        if verdict.uuid not in sent:
            verdict.delete()
        elif verdict.annotation != sent[verdict.uuid]:
            verdict.annotation = sent[verdict.uuid]
            verdict.save(update_fields=["annotation"])


def _close_round(round_: ReviewRound, reviewer, verdict: str, final: dict, changes: dict,
                 comment: str) -> None:
    round_.reviewer = round_.reviewer or reviewer
    round_.verdict, round_.final_response, round_.reviewer_changes = verdict, final, changes
    round_.comment = comment or round_.comment
    round_.decided_at = timezone.now()
    round_.save(update_fields=["reviewer", "verdict", "final_response", "reviewer_changes",
                               "comment", "decided_at"])


def _effective_answer(round_: ReviewRound, draft: dict) -> dict:
    """A review-phase gold answer: the draft without the annotations the reviewer rejected."""
    rejected = set(AnnotationVerdict.objects.filter(round=round_, verdict="rejected")
                   .values_list("uuid", flat=True))
    return {**draft, "annotations": [a for a in draft.get("annotations") or []
                                     if a.get("uuid") not in rejected]}


def _finish_copy(task: Task, answer: dict, reviewer) -> None:
    lifecycle.complete_internal(task, answer, by=reviewer)
    _enqueue_score(task.task_id)


# --- rework locks -----------------------------------------------------------------------------

def _accepted_verdicts(task: Task):
    """The accepted verdicts of the round that sent the task back, when a reviewer did (the
    last round, internal, sent back)."""
    last = ReviewRound.objects.filter(task=task).order_by("-number").values("pk")[:1]
    return AnnotationVerdict.objects.filter(
        round=Subquery(last), round__source=INTERNAL, round__verdict="sent_back",
        verdict="accepted")


def accepted_snapshots(task: Task) -> list[dict]:
    """The annotations the reviewer accepted before sending the task back, as they were sent
    back: the rework may not change or delete them (one query)."""
    return [a for a in _accepted_verdicts(task).values_list("annotation", flat=True)
            if isinstance(a, dict)]


def apply_review_locks(task: Task) -> None:
    """Lock the draft's rows the reviewer accepted (one UPDATE); tasks.lifecycle.reset_draft
    calls it after loading the sent-back draft of a task in rework."""
    uuids = _accepted_verdicts(task).values("uuid")
    Annotation.objects.filter(task=task, uuid__in=uuids).update(locked=True)


# --- the customer's rejection -----------------------------------------------------------------

def customer_sent_back(task: Task, comments: str | None) -> None:
    """An audit rejection or a recall of a completed task (from tasks.lifecycle, before it
    clears the response): rework, first for the tasker who completed it, with the comment as
    a task-level issue for the banner. No annotation is locked: an audit judges the task."""
    now = timezone.now()
    round_ = ReviewRound.objects.create(
        task=task, number=next_round_number(task), source=CUSTOMER,
        worked_by_id=task.completed_by_id, work_response=task.response, verdict="sent_back",
        comment=comments or "", created_at=now, decided_at=now)
    if comments:
        _open_task_issue(task, round_, CUSTOMER, comments)
    changes: dict = {"stage": TaskStage.REWORK, **_reservation(task.completed_by_id, now)}
    if task.quality is not None:
        changes["quality"] = presenter.summary(task, stage=TaskStage.REWORK)
    _set(task, **changes)


def _open_task_issue(task: Task, round_: ReviewRound | None, source: str, text: str) -> None:
    now = timezone.now()
    issue = Issue.objects.create(task=task, uuid=uuid.uuid4().hex, round=round_,
                                 status="open", source=source, opened_at=now)
    IssueComment.objects.create(issue=issue, author=None, text=text, created_at=now)


# --- small helpers ----------------------------------------------------------------------------

def last_round(task: Task) -> ReviewRound | None:
    return ReviewRound.objects.filter(task=task).order_by("-number").first()


def next_round_number(task: Task) -> int:
    last = (ReviewRound.objects.filter(task=task).order_by("-number")
            .values_list("number", flat=True).first())
    return (last or 0) + 1


def _reservation(user_id: int | None, now) -> dict:
    """First refusal for a user for a lease's time (none when there is nobody to wait for)."""
    if user_id is None:
        return {"reserved_for_id": None, "reserved_until": None}
    return {"reserved_for_id": user_id,
            "reserved_until": now + timedelta(seconds=queue.lease_seconds())}


def _set(task: Task, **changes: object) -> None:
    for key, value in changes.items():
        setattr(task, key, value)
    task.save(update_fields=list(changes))

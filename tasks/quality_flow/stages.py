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

from django.db.models import Subquery
from django.utils import timezone

from tasks import jobs, kinds, lifecycle, live, queue
from tasks.models import (
    Annotation,
    AnnotationVerdict,
    AttemptOutcome,
    Issue,
    IssueComment,
    IssueStatus,
    ReviewRound,
    RoundSource,
    RoundVerdict,
    Task,
    TaskRole,
    TaskStage,
    TaskStatus,
)
from tasks.models.tasks import AnnotationSource
from tasks.quality_flow import attempts, presenter, replicas, sampling
from tasks.quality_flow import settings as quality_settings
from tasks.quality_flow.settings import QualitySettings

HIDDEN_ROLES = (TaskRole.EVALUATION, TaskRole.TRAINING)


def register() -> None:
    """Follow the lifecycle's creations, send-backs and draft resets (called once, from
    tasks/apps.py)."""
    lifecycle.on_created(after_create)
    lifecycle.on_sent_back(customer_sent_back)
    lifecycle.on_draft_reset(apply_review_locks)


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

def after_submit(task: Task, response: dict, user) -> Task:
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
    return task


def _route_customer_submit(task: Task, response: dict, user) -> None:
    settings = quality_settings.of(task.project)
    if task.stage == TaskStage.REWORK:
        sender = last_round(task)
        if sender is not None and sender.source == RoundSource.INTERNAL:
            # back to the reviewer who sent it back, first
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
        attempts.end(task, by, AttemptOutcome.SUBMITTED)
    changes: dict = {}
    if task.reserved_for_id is not None:  # a customer's rework, done
        changes.update(reserved_for_id=None, reserved_until=None)
    if review_status is None and presenter.review_status(task) == presenter.PENDING:
        review_status = presenter.NOT_SAMPLED  # back from rework, not reviewed this time
    if review_status is not None or task.quality is not None:
        changes["quality"] = presenter.summary(task, stage="completed",
                                               review_status=review_status, response=response)
    if changes:
        _set(task, **changes)
    lifecycle.complete_task(task, response, by=by, current=True)


def _enter_review(task: Task, response: dict, worked_by, *, reserve: int | None = None) -> None:
    """The submitted answer waits for a reviewer: a new round holds it, the draft (already
    the answer) is the restart point, no annotation is locked but base ones, the tasker's lease
    and sessions end (their sockets get lease_lost)."""
    now = timezone.now()
    previous = last_round(task)
    round_ = ReviewRound.objects.create(task=task, number=next_round_number(task),
                                        source=RoundSource.INTERNAL, worked_by=worked_by,
                                        work_response=response, created_at=now)
    if previous is not None:
        _carry_accepted(task, previous, round_)
    Annotation.objects.filter(task=task, locked=True).exclude(
        source=AnnotationSource.BASE).update(locked=False)
    if worked_by is not None:
        attempts.end(task, worked_by, AttemptOutcome.SUBMITTED)
    _set(task, stage=TaskStage.REVIEW, sent_back_response=response, claimed_by=None,
         lease_expires_at=None, updated_at=now, **_reservation(reserve, now),
         quality=presenter.summary(task, stage=TaskStage.REVIEW,
                                   review_status=presenter.PENDING))
    lifecycle.forget_sessions(task)
    live.publish_task_changed(task, "submitted")


def _carry_accepted(task: Task, previous: ReviewRound, round_: ReviewRound) -> None:
    """Back from rework a reviewer sent it to: the annotations accepted then and unchanged
    since (the same snapshot; rework locked them) start the new round accepted, so the
    Review panel and an immediate accept count them; the reviewer may still change them."""
    if previous.source != RoundSource.INTERNAL or previous.verdict != RoundVerdict.SENT_BACK:
        return
    kept = list(AnnotationVerdict.objects.filter(round=previous, verdict="accepted"))
    rows = {row.uuid: row.as_json() for row in
            Annotation.objects.filter(task=task, uuid__in=[v.uuid for v in kept])}
    AnnotationVerdict.objects.bulk_create([
        AnnotationVerdict(round=round_, uuid=v.uuid, verdict="accepted", reason=v.reason,
                          annotation=rows[v.uuid])
        for v in kept if v.uuid in rows and rows[v.uuid] == v.annotation])


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


def finish_internal(task: Task, response: dict, by) -> Task:
    """A hidden row's answer is done: status completed, no callback, no batch."""
    if by is not None:
        attempts.end(task, by, AttemptOutcome.SUBMITTED)
    return lifecycle.complete_internal(task, response, by=by)


def _enqueue_merge(parent_id: str) -> None:
    jobs.merge_consensus.enqueue(parent_id)  # tasks/quality_flow/merging.py, in the worker


def _enqueue_score(task_id: str) -> None:
    jobs.score_answer.enqueue(task_id)  # tasks/quality_flow/answers.py, in the worker


# --- a merge ----------------------------------------------------------------------------------

def merged(parent: Task, merged_response: dict, report: dict, *,
           problem: str | None = None) -> Task:
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
        _open_task_issue(parent, last_round(parent), RoundSource.INTERNAL,
                         f"The merged response breaks a rule: {problem}")
    elif _skips_review(settings, agreement):
        status = presenter.SKIPPED_AGREEMENT if settings.review_on else None
        _complete(parent, merged_response, None, status)
    elif _review_below(settings, agreement) or sampling.wants_review(settings, parent, None):
        _enter_review(parent, merged_response, None)
    else:
        _complete(parent, merged_response, None,
                  presenter.NOT_SAMPLED if settings.review_on else None)
    return parent


def _skips_review(settings: QualitySettings, agreement: float) -> bool:
    return (settings.consensus_skip_review_at is not None
            and agreement >= settings.consensus_skip_review_at)


def _review_below(settings: QualitySettings, agreement: float) -> bool:
    return (settings.consensus_review_below is not None
            and agreement < settings.consensus_review_below)


# --- after the reviewer's decision (tasks/quality_flow/decisions.py) -------------------------

def accepted(task: Task, round_: ReviewRound, final: dict, reviewer) -> Task:
    """The reviewer accepted `task` (locked, its round closed) with `final`: a customer task
    is completed, the one callback, its tasker still its completer, its issues still open or
    resolved closed by the reviewer; a review-phase gold copy is finished and scored."""
    if task.role != TaskRole.CUSTOMER:
        return _finish_copy(task, final, reviewer)
    Issue.objects.filter(task=task, status__in=(IssueStatus.OPEN, IssueStatus.RESOLVED)).update(
        status=IssueStatus.CLOSED, closed_by=reviewer, closed_at=timezone.now())
    _set(task, reserved_for_id=None, reserved_until=None,
         quality=presenter.summary(task, stage="completed", review_status=round_.verdict,
                                   response=final))
    return lifecycle.complete_task(task, final, by=round_.worked_by, current=True)


def sent_back(task: Task, round_: ReviewRound, draft: dict, reviewer) -> Task:
    """The reviewer sent `task` back with their `draft`: rework, first for its tasker, from
    the draft with the accepted annotations locked; no callback (the task is still pending).
    A review-phase gold copy is finished with what the reviewer caught instead."""
    if task.role != TaskRole.CUSTOMER:
        return _finish_copy(task, _effective_answer(round_, draft), reviewer)
    now = timezone.now()
    _set(task, stage=TaskStage.REWORK, sent_back_response=draft, claimed_by=None,
         lease_expires_at=None, updated_at=now, **_reservation(round_.worked_by_id, now),
         quality=presenter.summary(task, stage=TaskStage.REWORK,
                                   review_status=presenter.PENDING))
    lifecycle.reset_draft(task)  # the reviewer's draft, the accepted rows locked
    live.publish_task_changed(task, "sent_back")
    return task


def _effective_answer(round_: ReviewRound, draft: dict) -> dict:
    """A review-phase gold answer: the draft without the annotations the reviewer rejected."""
    rejected = set(AnnotationVerdict.objects.filter(round=round_, verdict="rejected")
                   .values_list("uuid", flat=True))
    return {**draft, "annotations": [a for a in draft.get("annotations") or []
                                     if a.get("uuid") not in rejected]}


def _finish_copy(task: Task, answer: dict, reviewer) -> Task:
    lifecycle.complete_internal(task, answer, by=reviewer)
    _enqueue_score(task.task_id)
    return task


# --- review rounds --------------------------------------------------------------------------

def open_round(task: Task) -> ReviewRound:
    """The task's undecided internal round (made now for a review that had none: a gold copy
    served for review)."""
    found = (ReviewRound.objects.filter(task=task, source=RoundSource.INTERNAL, verdict="")
             .order_by("-number").first())
    if found is not None:
        return found
    work = task.sent_back_response
    if work is None:
        work = {"annotations": [row.as_json() for row in task.annotations.all()]}
    return ReviewRound.objects.create(task=task, number=next_round_number(task),
                                      source=RoundSource.INTERNAL, work_response=work,
                                      created_at=timezone.now())


# --- rework locks -----------------------------------------------------------------------------

def _accepted_verdicts(task: Task):
    """The accepted verdicts of the round that sent the task back, when a reviewer did (the
    last round, internal, sent back)."""
    last = ReviewRound.objects.filter(task=task).order_by("-number").values("pk")[:1]
    return AnnotationVerdict.objects.filter(
        round=Subquery(last), round__source=RoundSource.INTERNAL,
        round__verdict=RoundVerdict.SENT_BACK, verdict="accepted")


def accepted_snapshots(task: Task) -> list[dict]:
    """The annotations the reviewer accepted before sending the task back, as they were sent
    back, in the order the verdicts were given: the rework may not change or delete them
    (one query)."""
    verdicts = _accepted_verdicts(task).order_by("pk")
    return [a for a in verdicts.values_list("annotation", flat=True) if isinstance(a, dict)]


def apply_review_locks(task: Task) -> None:
    """Lock the draft's rows the reviewer accepted (one UPDATE): tasks.lifecycle.reset_draft
    calls it after loading the sent-back draft (a lapsed lease, a release) of a task in
    rework."""
    if task.stage != TaskStage.REWORK:
        return
    uuids = _accepted_verdicts(task).values("uuid")
    Annotation.objects.filter(task=task, uuid__in=uuids).update(locked=True)


# --- the customer's rejection -----------------------------------------------------------------

def customer_sent_back(task: Task, comments: str | None) -> None:
    """An audit rejection or a recall of a completed task (from tasks.lifecycle, before it
    clears the response): rework, first for the tasker who completed it, with the comment as
    a task-level issue for the banner. No annotation is locked: an audit judges the task."""
    now = timezone.now()
    round_ = ReviewRound.objects.create(
        task=task, number=next_round_number(task), source=RoundSource.CUSTOMER,
        worked_by_id=task.completed_by_id, work_response=task.response,
        verdict=RoundVerdict.SENT_BACK,
        comment=comments or "", created_at=now, decided_at=now)
    if comments:
        _open_task_issue(task, round_, RoundSource.CUSTOMER, comments)
    changes: dict = {"stage": TaskStage.REWORK, **_reservation(task.completed_by_id, now)}
    if task.quality is not None:  # a review before says nothing of the redo: pending
        reviewed = presenter.review_status(task) is not None
        changes["quality"] = presenter.summary(
            task, stage=TaskStage.REWORK, review_status=presenter.PENDING if reviewed else None)
    _set(task, **changes)


def _open_task_issue(task: Task, round_: ReviewRound | None, source: str, text: str) -> None:
    now = timezone.now()
    issue = Issue.objects.create(task=task, uuid=uuid.uuid4().hex, round=round_,
                                 status=IssueStatus.OPEN, source=source, opened_at=now)
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

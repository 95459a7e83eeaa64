"""Twelve days of past quality work for the demo, so that the admin's quality pages
(/admin/quality/projects/<id>/) open on figures and trends rather than dashes.

**Written with the ORM.** Most rows the quality loop writes as people work (consensus
replicas and results, review rounds with their verdicts and pinned issues, gold copies and
answers, standings) are created here directly, dated in the past: the real flow stamps them
with the present, and runs through leases and pages. What they hold is computed by the real
code: the merged response and the agreement come from `tasks.quality.merge.merge`, the gold
and training scores from `tasks.quality.scoring.score_answer`; the attempts are recorded by
`tasks.quality_flow.attempts` (with past times), and the customer tasks are completed
through `tasks.lifecycle.complete_task` (then re-dated).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from tasks import lifecycle
from tasks.demo.answers import centre, drawn_by, expected
from tasks.demo.scenes import Scene
from tasks.models import (
    AnnotationVerdict,
    ConsensusResult,
    GoldAnswer,
    Issue,
    IssueComment,
    ReviewRound,
    Task,
    TaskerStanding,
    TaskStatus,
)
from tasks.quality.merge import merge
from tasks.quality.options import QualityOptions
from tasks.quality.scoring import score_answer
from tasks.quality_flow import attempts, presenter

HISTORY_DAYS = 12


def at(days_ago: int, hour: int, minute: float = 0) -> dt.datetime:
    """A moment `days_ago` UTC days before today."""
    day = timezone.now().astimezone(dt.UTC).date() - dt.timedelta(days=days_ago)
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC) + dt.timedelta(
        minutes=minute)


@dataclass
class Cast:
    """The demo's people: three taskers who worked, one who failed training, a reviewer."""

    tasker: Any
    ann: Any
    ben: Any
    cleo: Any
    reviewer: Any


@dataclass
class Outcome:
    """How a review round ends: its verdict, the rejected boxes (index → reason), the comment
    of a pin on the first rejected box, the task-level comment."""

    verdict: str
    rejected: dict[int, str] = field(default_factory=dict)
    pin: str = ""
    comment: str = ""


ACCEPT = Outcome("accepted")


# --- rows as the flow writes them ----------------------------------------------------------

def attempt(task: Task, user: Any, kind: str, start: dt.datetime, minutes: float,
            outcome: str) -> None:
    """A claim and its end, through the queue's own record (tasks/quality_flow/attempts.py)."""
    attempts.record_claim(task, user, kind, now=start)
    attempts.end(task, user, outcome, now=start + dt.timedelta(minutes=minutes))


def child(parent: Task, role: str, user: Any, response: dict, start: dt.datetime,
          minutes: float, kind: str = "work", outcome: str = "submitted") -> Task:
    """A replica or a gold copy as the queue makes it, answered by `user` (and its attempt:
    a review-phase gold copy is reviewed, not worked)."""
    done = start + dt.timedelta(minutes=minutes)
    copy = Task.objects.create(
        owner=parent.owner, is_test=False, type=parent.type, project=parent.project,
        instruction=parent.instruction, params=parent.params, priority=parent.priority,
        role=role, parent=parent, stage="work", status=TaskStatus.COMPLETED,
        response=response, created_at=start, updated_at=done, completed_at=done,
        completed_by=user, work_started=True, work_started_at=start,
        attachment_file=parent.attachment_file, attachment_width=parent.attachment_width,
        attachment_height=parent.attachment_height, attachment_mime=parent.attachment_mime)
    attempt(copy, user, kind, start, minutes, outcome)
    return copy


def complete(task: Task, response: dict, by: Any, created: dt.datetime,
             started: dt.datetime | None, done: dt.datetime, report: dict | None = None) -> None:
    """Complete the task, with the `quality` key its customer sees (tasks/quality_flow/
    presenter.py: the merge's `report`, the review read from the rounds)."""
    lifecycle.complete_task(task, response, by=by)
    last = ReviewRound.objects.filter(task=task).exclude(verdict="").order_by("-number").first()
    task.quality = {"consensus": presenter.consensus_block(report)} if report else None
    quality = presenter.summary(task, stage="completed",
                                review_status=last.verdict if last else presenter.NOT_SAMPLED)
    Task.objects.filter(pk=task.pk).update(created_at=created, work_started=True,
                                           work_started_at=started, completed_at=done,
                                           updated_at=done, quality=quality)


def changes(work: dict, final: dict) -> dict:
    """The reviewer's changes, by uuid, between the submitted and the accepted answer."""
    before = {a["uuid"]: a for a in work["annotations"]}
    after = {a["uuid"]: a for a in final["annotations"]}
    changed = {}
    for key in before.keys() & after.keys():
        parts = [part for part, names in (("geometry", ("left", "top", "width", "height")),
                                          ("label", ("label",)))
                 if any(before[key].get(n) != after[key].get(n) for n in names)]
        if parts:
            changed[key] = parts
    return {"added": sorted(after.keys() - before.keys()),
            "deleted": sorted(before.keys() - after.keys()), "changed": changed}


def review_round(task: Task, number: int, worked_by: Any, reviewer: Any, work: dict,
                 start: dt.datetime, minutes: float, outcome: Outcome,
                 final: dict | None = None) -> ReviewRound:
    """A decided internal round with a verdict per box, its pin and the reviewer's attempt."""
    decided = start + dt.timedelta(minutes=minutes)
    final = final or work
    round_ = ReviewRound.objects.create(
        task=task, number=number, source="internal", worked_by=worked_by, reviewer=reviewer,
        work_response=work, final_response=final, reviewer_changes=changes(work, final),
        verdict=outcome.verdict, comment=outcome.comment, created_at=start,
        decided_at=decided)
    boxes = work["annotations"]
    AnnotationVerdict.objects.bulk_create(
        AnnotationVerdict(round=round_, uuid=box["uuid"], annotation=box,
                          verdict="rejected" if i in outcome.rejected else "accepted",
                          reason=outcome.rejected.get(i, ""))
        for i, box in enumerate(boxes))
    if outcome.pin and outcome.rejected:
        pin(task, round_, reviewer, boxes[min(outcome.rejected)], outcome.pin,
            start + dt.timedelta(minutes=minutes / 2))
    attempt(task, reviewer, "review", start, minutes, outcome.verdict)
    return round_


def pin(task: Task, round_: ReviewRound, reviewer: Any, box: dict, text: str,
        opened: dt.datetime, status: str = "closed") -> Issue:
    """An issue pinned at the box's centre; in the past ones it was resolved and closed."""
    x, y = centre(box)
    issue = Issue.objects.create(
        task=task, uuid=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{task.pk}/{round_.number}")),
        round=round_, x=x, y=y, annotation_uuid=box["uuid"], status=status,
        source="internal", opened_by=reviewer, opened_at=opened)
    IssueComment.objects.create(issue=issue, author=reviewer, text=text, created_at=opened)
    return issue


def close_issues(task: Task, tasker: Any, reviewer: Any, when: dt.datetime) -> None:
    Issue.objects.filter(task=task).update(status="closed", resolved_by=tasker,
                                           resolved_at=when, closed_by=reviewer,
                                           closed_at=when)


def fixed(answer: dict) -> dict:
    """The reviewer's fix: the first box tightened by two pixels."""
    boxes = [dict(box) for box in answer["annotations"]]
    if boxes:
        boxes[0]["width"] = round(boxes[0]["width"] - 2, 1)
    return {"annotations": boxes}


def rejected_fixed(answer: dict, scene: Scene, index: int) -> dict:
    """The tasker's rework: box `index` put back where the scene has it."""
    right = expected(scene)["annotations"]
    boxes = [dict(box) for box in answer["annotations"]]
    target = boxes[index]
    match = next((b for b in right if abs(b["left"] - target["left"]) < 8), right[index])
    boxes[index] = {**match, "uuid": target["uuid"]}
    return {"annotations": boxes}


# --- reviewed work: a review, and a rework when sent back ----------------------------------

def reviewed(task: Task, scene: Scene, work: dict, worked_by: Any, cast: Cast, days_ago: int,
             outcome: Outcome) -> dict:
    """Review `work` submitted at 10:00; if sent back, the tasker fixes it and the reviewer
    accepts round 2. Returns the accepted response."""
    start = at(days_ago, 10, 5)
    if outcome.verdict == "fixed":
        final = fixed(work)
        review_round(task, 1, worked_by, cast.reviewer, work, start, 3, outcome, final)
        return final
    review_round(task, 1, worked_by, cast.reviewer, work, start, 4, outcome)
    if outcome.verdict != "sent_back":
        return work
    redo = rejected_fixed(work, scene, min(outcome.rejected))
    attempt(task, worked_by or cast.tasker, "rework", at(days_ago, 11), 2.5, "submitted")
    review_round(task, 2, worked_by, cast.reviewer, redo, at(days_ago, 11, 10), 1.5, ACCEPT)
    close_issues(task, worked_by or cast.tasker, cast.reviewer, at(days_ago, 11, 11))
    return redo


SENT_BACK = Outcome("sent_back", {0: "The box does not follow the vehicle's outline"},
                    pin="The box misses the bumper here", comment="Tighten the first box")
FIXED = Outcome("fixed")


def merge_outcome(days_ago: int) -> Outcome:
    return {0: SENT_BACK, 1: FIXED}.get(days_ago % 5, ACCEPT)


def single_outcome(days_ago: int, careless: bool) -> Outcome:
    if careless:
        return SENT_BACK if days_ago % 8 == 2 else ACCEPT
    return FIXED if days_ago % 8 == 0 else ACCEPT


# --- the review project: k = 3, every merge reviewed -------------------------------------

def seed_consensus(task: Task, scene: Scene, cast: Cast, days_ago: int) -> None:
    """Three taskers' replicas, their merge, its review, the completed task."""
    answers = [
        drawn_by(scene, "tasker", shift=1),
        drawn_by(scene, "ann", shift=3, mislabel=0 if days_ago % 3 == 0 else None),
        drawn_by(scene, "ben", shift=-2, miss=len(scene.vehicles) - 1 if days_ago % 2 else None,
                 stray=days_ago % 4 == 1),
    ]
    replicas = [child(task, "replica", user, answer, at(days_ago, 9, 10 * i), 3 + i)
                for i, (user, answer) in enumerate(zip((cast.tasker, cast.ann, cast.ben),
                                                       answers, strict=True))]
    merged = merge(answers, QualityOptions(image_size=(scene.width, scene.height)),
                   task.params)
    ConsensusResult.objects.create(task=task, replicas=[r.pk for r in replicas],
                                   report=merged.report, agreement=merged.report["agreement"],
                                   merged_at=at(days_ago, 9, 40))
    final = reviewed(task, scene, merged.response, None, cast, days_ago,
                     merge_outcome(days_ago))
    complete(task, final, None, at(days_ago, 8), None, at(days_ago, 11, 30), merged.report)


# --- the gold project: single taskers, half reviewed, gold and training answers ----------

def seed_single(task: Task, scene: Scene, worker: Any, careless: bool, cast: Cast,
                days_ago: int) -> None:
    work = drawn_by(scene, worker.username, shift=4 if careless else 1,
                    mislabel=0 if careless and days_ago % 2 else None)
    started = at(days_ago, 9, 30 if careless else 0)
    attempt(task, worker, "work", started, 2 if careless else 5, "submitted")
    final = work
    if days_ago % 2 == 0:
        final = reviewed(task, scene, work, worker, cast, days_ago,
                         single_outcome(days_ago, careless))
    complete(task, final, worker, at(days_ago, 8), started, at(days_ago, 11, 30))


def gold_answer(standard: Any, user: Any, answer: dict, days_ago: int, minutes: float) -> float:
    """A gold or training copy answered `days_ago` days ago, scored by the real scoring."""
    template = standard.template
    start = at(days_ago, 14)
    kind, outcome = ("review", "fixed") if standard.phase == "review" else ("work", "submitted")
    copy = child(template, template.role, user, answer, start, minutes, kind, outcome)
    score = score_answer(answer, standard.expected_response)
    GoldAnswer.objects.create(copy=copy, standard=standard, user=user, kind=standard.kind,
                              phase=standard.phase, score=score.score,
                              details=score.as_json(),
                              answered_at=start + dt.timedelta(minutes=minutes),
                              project=template.project)
    return score.score


def seed_gold(gold: list[Any], scenes: list[Scene], cast: Cast) -> None:
    """Ann answers the gold tasks well; Ben misses and mislabels, and is flagged."""
    for i, (standard, scene) in enumerate(zip(gold, scenes, strict=True)):
        days_ago = 10 - 2 * i
        gold_answer(standard, cast.ann, drawn_by(scene, "ann", shift=1), days_ago, 4)
        gold_answer(standard, cast.ben,
                    drawn_by(scene, "ben", shift=6, miss=0, mislabel=1, stray=i % 2 == 0),
                    days_ago, 2)


def seed_review_gold(standard: Any, scene: Scene, cast: Cast) -> None:
    """The reviewer's answer to a review-phase gold task: they caught the mislabel and
    fixed it, but kept a box that the initial response had shifted."""
    gold_answer(standard, cast.reviewer, drawn_by(scene, "reviewer", shift=5), 3, 3)


def seed_training(training: list[Any], scenes: list[Scene], cast: Cast) -> None:
    """Ann and Ben passed the training 12 days ago; Cleo failed it 3 days ago."""
    for standard, scene in zip(training, scenes, strict=True):
        gold_answer(standard, cast.ann, drawn_by(scene, "ann", shift=1), HISTORY_DAYS, 5)
        gold_answer(standard, cast.ben, drawn_by(scene, "ben", shift=2), HISTORY_DAYS, 4)
        gold_answer(standard, cast.cleo,
                    drawn_by(scene, "cleo", shift=9, miss=0, mislabel=1), 3, 2)


def seed_standings(project: Any, cast: Cast) -> None:
    passed = at(HISTORY_DAYS, 15)
    TaskerStanding.objects.create(project=project, user=cast.ann, training_passed_at=passed)
    TaskerStanding.objects.create(project=project, user=cast.ben, training_passed_at=passed,
                                  flagged_at=at(2, 14, 5), flag_reason="gold")
    TaskerStanding.objects.create(project=project, user=cast.cleo,
                                  training_failed_at=at(3, 14, 5), flagged_at=at(3, 14, 5),
                                  flag_reason="training")


"""The internal stages of a task (tasks/quality_flow/stages.py, docs/quality.md): each
transition, and the customer's callback exactly once, after the acceptance."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tasks import jobs, lifecycle, queue
from tasks.models import (
    Annotation,
    AnnotationVerdict,
    AttemptOutcome,
    Issue,
    ReviewRound,
    Task,
    TaskAttempt,
    TaskRole,
    TaskStage,
    TaskStatus,
)
from tasks.quality_flow import sampling, stages
from tasks.quality_flow.settings import QualitySettings
from tests.quality.flow import (
    FIVE,
    accept_verdicts,
    box,
    create,
    decide,
    deliveries,
    hold,
    project_with,
    reviewer,
    signed_in,
    submit,
    tasker,
    work,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(account):
    return project_with(account, review_mode="all")


@pytest.fixture
def tina(db):
    return tasker("tina")


@pytest.fixture
def rev(db):
    return reviewer("rev1")


@pytest.fixture
def in_review(account, project, tina):
    """A task the tasker worked (five boxes) and submitted into review."""
    create(account)
    return work(tina, project)


# --- work -> review -------------------------------------------------------------------------

def test_a_sampled_submit_goes_to_review_without_a_callback(in_review, tina):
    task = in_review
    assert task.status == TaskStatus.PENDING and task.stage == TaskStage.REVIEW
    assert task.claimed_by is None and task.lease_expires_at is None
    assert task.response is None
    assert [a["uuid"] for a in task.sent_back_response["annotations"]] == [
        "b1", "b2", "b3", "b4", "b5"]
    (round_,) = ReviewRound.objects.filter(task=task)
    assert (round_.number, round_.source, round_.worked_by, round_.verdict) == (
        1, "internal", tina, "")
    assert round_.work_response == task.sent_back_response
    assert deliveries(task) == []
    assert task.quality == {"stage": "review", "review": {
        "status": "pending", "rounds": 1, "sent_back": 0,
        "annotations": {"accepted": 0, "rejected": 0},
        "issues": {"open": 0, "resolved": 0, "closed": 0}}}
    attempt = TaskAttempt.objects.get(task=task, user=tina)
    assert attempt.outcome == AttemptOutcome.SUBMITTED and attempt.ended_at is not None


def test_entering_review_unlocks_all_but_base_annotations(account, project, tina):
    base = {"annotations": [{**box("base-1", left=400), "locked": True}]}
    create(account, base_annotations=base)
    task = queue.claim_next(tina, project)
    Annotation.objects.filter(task=task, uuid="base-1").update(locked=True)
    assert submit(tina, task, [box("base-1", left=400), *FIVE]).status_code == 200
    locked = dict(Annotation.objects.filter(task=task).values_list("uuid", "locked"))
    assert locked == {"base-1": True, "b1": False, "b2": False, "b3": False, "b4": False,
                      "b5": False}


# --- review -> completed ----------------------------------------------------------------------

def test_accept_completes_once_with_the_callback_after_it(in_review, tina, rev):
    task = hold(rev, in_review)
    res = decide(rev, task, "accept")
    assert res.status_code == 200, res.content
    assert res.json() == {"status": "completed", "next_url": "/review/"}
    task.refresh_from_db()
    assert task.status == TaskStatus.COMPLETED and task.completed_by == tina
    assert [a["uuid"] for a in task.response["annotations"]] == ["b1", "b2", "b3", "b4", "b5"]
    (delivery,) = deliveries(task)
    assert delivery.event == "completed"
    assert delivery.payload["task"]["quality"]["review"]["status"] == "accepted"
    assert delivery.payload["task"]["quality"]["stage"] == "completed"
    round_ = ReviewRound.objects.get(task=task)
    assert (round_.verdict, round_.reviewer) == ("accepted", rev)
    assert round_.reviewer_changes == {"added": [], "deleted": [], "changed": {}}
    assert TaskAttempt.objects.get(task=task, user=rev).outcome == AttemptOutcome.ACCEPTED
    assert task.quality["review"]["reviewed_at"] is not None


def test_fix_and_accept_records_the_reviewers_changes(in_review, rev):
    task = hold(rev, in_review)
    Annotation.objects.filter(task=task, uuid="b1").update(geometry={
        "left": 12, "top": 20, "width": 30, "height": 40})
    Annotation.objects.filter(task=task, uuid="b2").update(label="bus")
    Annotation.objects.filter(task=task, uuid="b3").delete()
    assert decide(rev, task, "accept").json()["status"] == "completed"
    round_ = ReviewRound.objects.get(task=task)
    assert round_.verdict == "fixed"
    assert round_.reviewer_changes == {"added": [], "deleted": ["b3"],
                                       "changed": {"b1": ["geometry"], "b2": ["label"]}}
    task.refresh_from_db()
    assert task.response["annotations"][0]["left"] == 12
    assert task.quality["review"]["status"] == "fixed"
    assert len(deliveries(task)) == 1


def test_accept_checks_the_reviewers_draft_like_a_submit(in_review, rev):
    task = hold(rev, in_review)
    Annotation.objects.filter(task=task, uuid="b4").update(label="truck")
    res = decide(rev, task, "accept")
    assert res.status_code == 400
    body = res.json()
    assert body["status_code"] == 400 and body["annotation_uuid"] == "b4"
    assert "response.annotations[3].label" in body["error"]
    task.refresh_from_db()
    assert task.status == TaskStatus.PENDING and task.stage == TaskStage.REVIEW
    assert deliveries(task) == []


def test_only_the_holder_decides(in_review, rev):
    other = reviewer("rev2")
    res = decide(other, in_review, "accept")
    assert res.status_code == 409 and res.json()["status_code"] == 409
    hold(rev, in_review)
    assert decide(other, in_review, "accept").status_code == 409
    assert decide(tasker("tom"), in_review, "accept").status_code == 403
    assert decide(rev, in_review, "maybe").status_code == 400
    in_review.refresh_from_db()
    assert in_review.stage == TaskStage.REVIEW and deliveries(in_review) == []


# --- review -> rework -> review -> completed ------------------------------------------------

def test_send_back_needs_a_reason(in_review, rev):
    task = hold(rev, in_review)
    res = decide(rev, task, "send_back", "  ")
    assert res.status_code == 400
    assert res.json() == {"status_code": 400, "error": stages_no_reason()}
    task.refresh_from_db()
    assert task.stage == TaskStage.REVIEW and task.claimed_by == rev


def stages_no_reason() -> str:
    from tasks.quality_flow.decisions import NO_REASON

    return NO_REASON


@pytest.mark.parametrize("reason", ["comment", "rejected", "issue"])
def test_each_reason_lets_a_send_back_through(in_review, rev, reason):
    task = hold(rev, in_review)
    if reason == "rejected":
        accept_verdicts(task, [], {"b5": "too loose"})
    elif reason == "issue":
        Issue.objects.create(task=task, uuid="i1", round=stages.open_round(task), x=5, y=5)
    res = decide(rev, task, "send_back", "Fix the bus" if reason == "comment" else None)
    assert res.status_code == 200 and res.json()["status"] == "rework"


def test_send_back_reserves_the_rework_for_the_tasker_and_locks_what_was_accepted(
        in_review, tina, rev):
    task = hold(rev, in_review)
    accept_verdicts(task, ["b1", "b2", "b3", "b4"], {"b5": "not a car"})
    Annotation.objects.filter(task=task, uuid="b2").update(geometry={
        "left": 111, "top": 20, "width": 30, "height": 40})  # fixed after accepting it
    before = timezone.now()
    res = decide(rev, task, "send_back", "The fifth box is wrong")
    assert res.json() == {"status": "rework", "next_url": "/review/"}
    task.refresh_from_db()
    assert task.status == TaskStatus.PENDING and task.stage == TaskStage.REWORK
    assert task.reserved_for == tina and task.claimed_by is None
    lease = timedelta(seconds=queue.lease_seconds())
    assert before + lease <= task.reserved_until <= timezone.now() + lease
    locked = dict(Annotation.objects.filter(task=task).values_list("uuid", "locked"))
    assert locked == {"b1": True, "b2": True, "b3": True, "b4": True, "b5": False}
    assert task.sent_back_response["annotations"][1]["left"] == 111  # the reviewer's draft
    round_ = ReviewRound.objects.get(task=task)
    assert (round_.verdict, round_.comment) == ("sent_back", "The fifth box is wrong")
    assert round_.reviewer_changes["changed"] == {"b2": ["geometry"]}
    snapshot = AnnotationVerdict.objects.get(round=round_, uuid="b2").annotation
    assert snapshot["left"] == 111  # what the tasker gets back is what is locked
    assert stages.accepted_snapshots(task)[1]["left"] == 111
    assert deliveries(task) == []
    assert task.quality["stage"] == "rework" and task.quality["review"]["sent_back"] == 1
    assert TaskAttempt.objects.get(task=task, user=rev).outcome == AttemptOutcome.SENT_BACK


def test_the_rework_goes_back_to_the_reviewer_and_its_acceptance_calls_back_once(
        in_review, tina, rev, project):
    task = hold(rev, in_review)
    accept_verdicts(task, ["b1", "b2", "b3", "b4"], {"b5": "not a car"})
    decide(rev, task, "send_back", "The fifth box is wrong")
    again = queue.claim_next(tina, project)
    assert again.pk == task.pk
    fixed = [*FIVE[:4], box("b5", left=260, label="bus")]
    assert submit(tina, again, fixed).status_code == 200
    task.refresh_from_db()
    assert task.stage == TaskStage.REVIEW and task.reserved_for == rev
    assert not Annotation.objects.filter(task=task, locked=True).exists()
    assert list(ReviewRound.objects.filter(task=task).values_list("number", "verdict")) == [
        (1, "sent_back"), (2, "")]
    assert deliveries(task) == []
    hold(rev, task)
    assert decide(rev, task, "accept").json()["status"] == "completed"
    task.refresh_from_db()
    (delivery,) = deliveries(task)
    assert delivery.payload["response"]["annotations"][4]["label"] == "bus"
    # b1..b4, accepted in round 1 and unchanged, start round 2 accepted
    assert delivery.payload["task"]["quality"]["review"] == {
        "status": "accepted", "rounds": 2, "sent_back": 1,
        "annotations": {"accepted": 4, "rejected": 0},
        "issues": {"open": 0, "resolved": 0, "closed": 0},
        "reviewed_at": task.quality["review"]["reviewed_at"]}


def test_a_lapsed_rework_lease_keeps_the_locks(in_review, tina, rev, project):
    task = hold(rev, in_review)
    accept_verdicts(task, ["b1"], {"b2": "no"})
    decide(rev, task, "send_back")
    task = queue.claim_next(tina, project)
    Task.objects.filter(pk=task.pk).update(lease_expires_at=timezone.now() - timedelta(1))
    assert queue.expire_leases() == 1
    locked = set(Annotation.objects.filter(task=task, locked=True).values_list("uuid",
                                                                                 flat=True))
    assert locked == {"b1"}


# --- not reviewed -----------------------------------------------------------------------------

def test_a_task_not_sampled_completes_at_once_and_says_so(account, tina):
    project = project_with(account, review_mode="sample", review_percent=0)
    create(account)
    task = work(tina, project)
    assert task.status == TaskStatus.COMPLETED
    (delivery,) = deliveries(task)
    assert delivery.payload["task"]["quality"] == {"stage": "completed", "review": {
        "status": "not_sampled", "rounds": 0, "sent_back": 0,
        "annotations": {"accepted": 0, "rejected": 0},
        "issues": {"open": 0, "resolved": 0, "closed": 0}}}


def test_sampling_takes_a_stable_share_of_the_tasks(account, tina):
    project = project_with(account, review_mode="sample", review_percent=50)
    for _ in range(8):
        create(account)
    for _ in range(8):
        task = work(tina, project)
        share = int(hashlib.sha256(task.task_id.encode()).hexdigest()[:8], 16) % 100
        assert sampling.stable_share(task.task_id) == share
        assert (task.stage == TaskStage.REVIEW) == (share < 50)
    settings = QualitySettings(review_mode="sample", review_percent=100)
    assert sampling.wants_review(settings, task, tina)


def test_first_n_then_sample(account, tina):
    project = project_with(account, review_mode="first_then_sample", review_first_n=2,
                           review_percent=0)
    for _ in range(3):
        create(account)
    stages_seen = [work(tina, project).stage for _ in range(3)]
    assert stages_seen[:2] == [TaskStage.REVIEW, TaskStage.REVIEW]
    assert Task.objects.filter(status=TaskStatus.COMPLETED).count() == 1


# --- consensus and hidden rows ----------------------------------------------------------------

def replicas_of(parent: Task, k: int) -> list[Task]:
    """k replica rows of `parent`, as tasks/quality_flow/replicas.py makes them."""
    rows = [Task.objects.create(owner=parent.owner, type=parent.type, project=parent.project,
                                params=parent.params, role=TaskRole.REPLICA, parent=parent,
                                stage=TaskStage.WORK) for _ in range(k)]
    return rows


def test_consensus_creation_puts_the_parent_in_consensus(account):
    project_with(account, consensus_k=3)
    task = create(account)
    task.refresh_from_db()
    assert task.stage == TaskStage.CONSENSUS
    replicas = Task.objects.filter(parent=task)
    assert list(replicas.values_list("role", "stage").distinct()) == [("replica", "work")]
    assert replicas.count() == 3
    project_with(account, "plain")
    other = create(account, "plain")
    assert other.stage == TaskStage.WORK and not Task.objects.filter(parent=other).exists()


def test_the_last_replica_submitted_queues_the_merge_once(account, tina):
    project = project_with(account)
    parent = create(account)
    Task.objects.filter(pk=parent.pk).update(stage=TaskStage.CONSENSUS)
    workers = [tina, tasker("tom"), tasker("ted")]
    for user, replica in zip(workers, replicas_of(parent, 3), strict=True):
        hold(user, replica)
        assert submit(user, replica, FIVE).status_code == 200
        replica.refresh_from_db()
        assert replica.status == TaskStatus.COMPLETED and replica.completed_by == user
        queued = jobs.queued_args(jobs.merge_consensus)
        assert queued == ({parent.pk} if user.username == "ted" else set())
    assert DBTaskResult.objects.filter(task_path=jobs.merge_consensus.module_path).count() == 1
    assert not deliveries(parent) and project.pk
    parent.refresh_from_db()
    assert parent.status == TaskStatus.PENDING


def merge_report(agreement: float) -> dict:
    return {"taskers": 3, "agreement": agreement, "kept": 1, "dropped": 1, "objects": [
        {"uuid": "b1", "kept": True, "agreement": 0.912345},
        {"uuid": "x", "kept": False, "agreement": 0.1}], "per_tasker": []}


@pytest.mark.parametrize(("quality", "agreement", "stage", "review"), [
    ({}, 0.4, "completed", None),
    ({"review_mode": "all"}, 0.4, "review", "pending"),
    ({"review_mode": "all", "consensus_skip_review_at": 0.9}, 0.95, "completed",
     "skipped_agreement"),
    ({"consensus_review_below": 0.5}, 0.4, "review", "pending"),
    ({"review_mode": "sample", "review_percent": 0}, 0.6, "completed", "not_sampled"),
])
def test_a_merge_is_routed_by_its_agreement(account, quality, agreement, stage, review):
    project = project_with(account, **quality) if quality else project_with(account)
    parent = create(account)
    parent = Task.objects.select_related("project").get(pk=parent.pk)
    parent.stage = TaskStage.CONSENSUS
    stages.merged(parent, {"annotations": [box("b1")]}, merge_report(agreement))
    parent.refresh_from_db()
    assert parent.quality["stage"] == stage and project.pk
    assert parent.quality["consensus"] == {"taskers": 3, "agreement": agreement, "kept": 1,
                                           "dropped": 1, "objects": {"b1": 0.9123}}
    assert (parent.quality.get("review") or {}).get("status") == review
    assert list(Annotation.objects.filter(task=parent).values_list("uuid", flat=True)) == [
        "b1"]
    if stage == "completed":
        assert parent.status == TaskStatus.COMPLETED and len(deliveries(parent)) == 1
    else:
        assert parent.stage == TaskStage.REVIEW and deliveries(parent) == []
        assert ReviewRound.objects.get(task=parent).worked_by is None


def test_a_merge_that_breaks_a_rule_goes_to_review_with_an_issue(account):
    project_with(account)
    parent = create(account)
    parent.stage = TaskStage.CONSENSUS
    stages.merged(parent, {"annotations": []}, merge_report(0.9), problem="b1 is too small")
    parent.refresh_from_db()
    assert parent.stage == TaskStage.REVIEW
    issue = Issue.objects.get(task=parent)
    assert issue.x is None and issue.comments.get().text == (
        "The merged response breaks a rule: b1 is too small")


@pytest.mark.parametrize("role", [TaskRole.EVALUATION, TaskRole.TRAINING])
def test_a_gold_or_training_copy_is_finished_and_scored_never_delivered(account, tina, role):
    project_with(account, review_mode="all")
    copy = create(account)
    Task.objects.filter(pk=copy.pk).update(role=role)
    hold(tina, copy)
    assert submit(tina, copy, FIVE).status_code == 200
    copy.refresh_from_db()
    assert copy.status == TaskStatus.COMPLETED and copy.stage == TaskStage.WORK
    assert jobs.queued_args(jobs.score_answer) == {copy.pk} and deliveries(copy) == []
    assert copy.quality is None


def test_finish_internal_sends_no_callback(account, tina):
    project_with(account)
    task = create(account)
    Task.objects.filter(pk=task.pk).update(role=TaskRole.REPLICA)
    task.refresh_from_db()
    stages.finish_internal(task, {"annotations": []}, by=tina)
    task.refresh_from_db()
    assert task.status == TaskStatus.COMPLETED and deliveries(task) == []
    with pytest.raises(Exception, match="completed and cannot be completed"):
        lifecycle.complete_internal(task, {"annotations": []})


def test_the_official_clients_task_carries_the_quality_key(api, in_review, rev):
    """scaleapi's Task wraps the task JSON as `get_task` returns it: the new key is an
    attribute and in as_dict(), and nothing else changes."""
    from scaleapi.tasks import Task as ClientTask

    hold(rev, in_review)
    decide(rev, in_review, "accept")
    body = api.get(f"task/{in_review.task_id}").json()
    task = ClientTask(body, client=None)
    assert task.id == in_review.task_id and task.status == "completed"
    assert task.quality["review"]["status"] == "accepted"
    assert task.as_dict()["quality"] == task.quality
    (listed,) = api.get("tasks").json()["docs"]  # lists pass the stored text through
    assert listed["quality"] == body["quality"]


def test_the_whole_loop_through_the_reviewers_start(in_review, tina, rev, project):
    """The reviewer's Start (tasks/queue.py) hands out what the stages leave in review, and
    the re-review of a rework to the reviewer who sent it back first."""
    other = reviewer("rev2")
    task = queue.claim_next_review(rev, project)
    assert task is not None and task.pk == in_review.pk
    res = signed_in(rev).post(f"/tasks/{task.task_id}/review/decide",
                              {"decision": "send_back", "comment": "Redo it"},
                              content_type="application/json")
    assert res.json()["status"] == "rework"
    assert queue.claim_next_review(other, project) is None  # nothing in review now
    again = queue.claim_next(tina, project)
    assert submit(tina, again, FIVE).status_code == 200
    assert queue.claim_next_review(other, project) is None  # first refusal: rev's
    assert queue.claim_next_review(rev, project).pk == task.pk
    assert decide(rev, task, "accept").json()["status"] == "completed"
    assert len(deliveries(task)) == 1


def test_decide_takes_a_post_of_a_signed_in_reviewer(client, in_review):
    assert client.get(f"/tasks/{in_review.task_id}/review/decide").status_code == 405
    anonymous = client.post(f"/tasks/{in_review.task_id}/review/decide",
                            {"decision": "accept"}, content_type="application/json")
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    rev = reviewer("rev9")
    for body in (b"[1]", b"{", b'{"decision": "accept", "comment": 5}'):
        res = signed_in(rev).post(f"/tasks/{in_review.task_id}/review/decide", body,
                                  content_type="application/json")
        assert res.status_code == 400 and res.json()["status_code"] == 400, body
    missing = signed_in(rev).post("/tasks/nope/review/decide", {"decision": "accept"},
                                  content_type="application/json")
    assert missing.status_code == 404

"""The queue of the quality loop (docs/quality.md "Queue rules"): rework first and to its
tasker first, replicas, reviews never of one's own work, paused taskers, held reviews, the
attempts every claim writes, and the counts.

Tasks are put into their stage through the ORM here (the stages' own routing is tested with
tasks/quality_flow/stages.py); every claim goes through tasks.queue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tasks import lifecycle, live, queue
from tasks.models import (
    AttemptOutcome,
    ProjectQuality,
    Task,
    TaskAttempt,
    TaskerStanding,
    TaskRole,
    TaskStage,
)
from tasks.quality_flow import gold, replicas, review_queue, standing, training
from tests.factories import box_task, make_project, make_reviewer, make_tasker

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(account):
    return make_project(account, "streets")


def create(account, **extra) -> Task:
    return lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                                 body=box_task(project="streets", **extra))


def staged(task: Task, stage: str, **changes) -> Task:
    """The task moved to `stage` as the stages module would leave it (nobody holds it)."""
    Task.objects.filter(pk=task.pk).update(stage=stage, claimed_by=None,
                                           lease_expires_at=None, **changes)
    task.refresh_from_db()
    return task


def worked(task: Task, user) -> None:
    """`user` claimed and submitted `task`, which now waits for review."""
    claimed = queue.claim_next(user, task.project)
    assert claimed is not None and claimed.pk == task.pk
    staged(task, TaskStage.REVIEW)


def reviewer(name: str):
    return make_reviewer(name)


# --- a tasker's Start ------------------------------------------------------------------------

def test_rework_goes_to_its_tasker_first_whatever_the_priority(account, project):
    urgent = create(account, priority=30)
    sent_back = staged(create(account, priority=10), TaskStage.REWORK)
    tina, otto = make_tasker("tina"), make_tasker("otto")
    staged(sent_back, TaskStage.REWORK, reserved_for=tina,
           reserved_until=timezone.now() + timedelta(minutes=5))
    # Someone else gets the urgent task, never the reserved rework.
    assert queue.claim_next(otto, project).pk == urgent.pk
    assert queue.claim_next(make_tasker("ula"), project) is None
    got = queue.claim_next(tina, project)
    assert got.pk == sent_back.pk and got.claimed_by == tina
    attempt = TaskAttempt.objects.get(task=sent_back, user=tina)
    assert (attempt.kind, attempt.outcome) == ("rework", "open")


def test_rework_goes_to_anyone_once_the_first_refusal_is_over(account, project):
    work = create(account, priority=30)
    sent_back = staged(create(account, priority=10), TaskStage.REWORK,
                       reserved_for=make_tasker("tina"),
                       reserved_until=timezone.now() - timedelta(seconds=1))
    # Free rework comes before new work, whatever their priorities.
    otto = make_tasker("otto")
    assert queue.claim_next(otto, project).pk == sent_back.pk
    assert queue.claim_next(make_tasker("ula"), project).pk == work.pk
    assert TaskAttempt.objects.get(task=sent_back).kind == "rework"


def test_never_two_replicas_of_one_task_to_one_tasker(account, project):
    parent = create(account)
    made = replicas.create(parent, 3)
    staged(parent, TaskStage.CONSENSUS)
    later = create(account)
    tina, otto = make_tasker("tina"), make_tasker("otto")
    first = queue.claim_next(tina, project)
    assert first.role == TaskRole.REPLICA and first.parent_id == parent.pk
    parent.refresh_from_db()
    assert parent.work_started is True  # a started task cannot be canceled
    # tina's replica is done; her next Start skips the other two replicas of the same task
    Task.objects.filter(pk=first.pk).update(status="completed", claimed_by=None)
    assert queue.claim_next(tina, project).pk == later.pk
    second = queue.claim_next(otto, project)
    assert second.parent_id == parent.pk and second.pk != first.pk
    assert {first.pk, second.pk} < {r.pk for r in made}
    assert TaskAttempt.objects.get(task=first).root_id == parent.pk


def test_a_released_or_lapsed_replica_frees_its_tasker_for_the_task(account, project):
    """A replica given back (Skip) or let lapse does not shut its tasker out of the task: its
    draft was reset, so they bring nothing a fresh tasker would not, and with k taskers for
    k replicas the task could otherwise never be merged. Holding one replica still keeps
    them from the others, and submitting one keeps them from the rest for good."""
    parent = create(account)
    made = {r.pk for r in replicas.create(parent, 3)}
    staged(parent, TaskStage.CONSENSUS)
    tina = make_tasker("tina")
    first = queue.claim_next(tina, project)
    # while she holds one, no other replica of the task is a candidate for her
    assert not queue.work_candidates(tina, project, timezone.now()).exists()
    assert queue.release(first, tina)
    assert TaskAttempt.objects.get(task=first, user=tina).outcome == AttemptOutcome.RELEASED
    second = queue.claim_next(tina, project)
    assert second is not None and second.pk in made
    # her lease lapses, swept: she may take one again
    Task.objects.filter(pk=second.pk).update(lease_expires_at=timezone.now() - timedelta(1))
    assert queue.expire_leases() == 1
    third = queue.claim_next(tina, project)
    assert third is not None and third.pk in made
    # lapsed and not swept yet: no longer held, so she may take one again (and only one)
    Task.objects.filter(pk=third.pk).update(lease_expires_at=timezone.now() - timedelta(1))
    fourth = queue.claim_next(tina, project)
    assert fourth is not None and fourth.pk in made
    assert queue.holds(tina, fourth)
    assert not queue.work_candidates(tina, project, timezone.now()).exists()
    # once she submitted one, never another
    Task.objects.filter(pk=fourth.pk).update(status="completed", claimed_by=None,
                                             lease_expires_at=None)
    TaskAttempt.objects.filter(task=fourth, user=tina, outcome="open").update(
        outcome=AttemptOutcome.SUBMITTED)
    assert queue.claim_next(tina, project) is None
    assert queue.nothing_message(tina, project) == (
        "Nothing you can take in streets right now: the rest is being worked or waits "
        "for others.")
    assert queue.claim_next(make_tasker("otto"), project).pk in made - {fourth.pk}


def test_replicas_of_a_canceled_or_failed_task_are_never_served(account, project):
    for end in ("canceled", "error"):
        parent = create(account)
        replicas.create(parent, 2)
        staged(parent, TaskStage.CONSENSUS, status=end)
    assert queue.claim_next(make_tasker("tina"), project) is None


def test_paused_taskers_get_nothing(account, project, client):
    create(account)
    tina = make_tasker("tina")
    TaskerStanding.objects.create(project=project, user=tina, paused_at=timezone.now())
    assert queue.claim_next(tina, project) is None
    assert queue.nothing_message(tina, project) == "Paused in this project: ask an admin."
    assert [row.paused for row in queue.queue_rows(tina)] == [True]
    client.force_login(tina)
    page = client.get("/").content.decode()
    assert "Paused in this project: ask an admin" in page and "Start next task" not in page
    follow = client.post(f"/projects/{project.pk}/start", follow=True)
    assert "Paused in this project: ask an admin." in follow.content.decode()
    assert queue.claim_next(make_tasker("otto"), project) is not None


@pytest.mark.parametrize("how", ["by staff", "by a gold flag"])
def test_a_pause_takes_back_the_task_in_hand(account, project, client, how):
    """Paused while holding a task: it goes back to the queue, draft and all, and the
    tasker's queue says paused, not Continue (docs/quality.md "Flagging and pausing")."""
    create(account)
    tina, otto = make_tasker("tina"), make_tasker("otto")
    held = queue.claim_next(tina, project)
    assert held is not None and [row.mine for row in queue.queue_rows(tina)] == [held]
    if how == "by staff":
        standing.pause(project, tina)
    else:
        standing.flag(project, tina, standing.GOLD, pause=True)
    held.refresh_from_db()
    assert held.claimed_by_id is None and held.lease_expires_at is None
    assert TaskAttempt.objects.get(task=held, user=tina).outcome == "expired"
    client.force_login(tina)
    page = client.get("/").content.decode()
    assert "Paused in this project: ask an admin" in page and "Continue task" not in page
    assert queue.claim_next(otto, project) == held


def test_a_pause_set_in_the_standings_admin_takes_back_too(account, project, admin_client):
    create(account)
    tina = make_tasker("tina")
    held = queue.claim_next(tina, project)
    row = TaskerStanding.objects.create(project=project, user=tina)
    url = reverse("admin:tasks_taskerstanding_change", args=[row.pk])
    form = {"project": project.pk, "user": tina.pk, "training_reset_at_0": "",
            "training_reset_at_1": "", "paused_at_0": "2026-12-06", "paused_at_1": "10:00:00",
            "paused_by": ""}
    assert admin_client.post(url, form).status_code == 302
    row.refresh_from_db()
    held.refresh_from_db()
    assert row.paused_at is not None and held.claimed_by_id is None


def test_a_pause_leaves_the_tasks_held_elsewhere(account, project):
    create(account)
    elsewhere = make_project(account, "elsewhere")
    lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                          body=box_task(project=elsewhere.name))
    tina = make_tasker("tina")
    kept = queue.claim_next(tina, elsewhere)
    standing.pause(project, tina)
    kept.refresh_from_db()
    assert kept.claimed_by_id == tina.pk


def test_a_tasker_never_gets_a_task_waiting_for_review(account, project):
    staged(create(account), TaskStage.REVIEW)
    assert queue.claim_next(make_tasker("tina"), project) is None


def hidden_copy(account, role: str, stage: str = TaskStage.WORK) -> Task:
    """A gold or training copy as tasks/quality_flow/gold.py and training.py make them: a
    child of a template, not leased."""
    template = staged(create(account), TaskStage.TEMPLATE, role=role)
    return staged(create(account), stage, role=role, parent=template)


def test_a_gold_draw_leases_the_copy_gold_serves(account, project, monkeypatch):
    ProjectQuality.objects.create(project=project, gold_share=1.0)
    work = create(account)
    copy = hidden_copy(account, TaskRole.EVALUATION)
    served: list[Task | None] = [copy, None]
    monkeypatch.setattr(gold, "serve", lambda user, project, now: served.pop(0))
    tina = make_tasker("tina")
    got = queue.claim_next(tina, project)
    assert got.pk == copy.pk and got.claimed_by == tina
    assert TaskAttempt.objects.get(task=copy).root_id == copy.parent_id
    Task.objects.filter(pk=copy.pk).update(status="completed", claimed_by=None)
    # no gold left: the claim falls through to the customer's work
    assert queue.claim_next(tina, project).pk == work.pk


def test_the_training_gate_serves_training_then_nothing_once_failed(account, project,
                                                                    monkeypatch):
    ProjectQuality.objects.create(project=project, training_required=True)
    create(account)
    copy = hidden_copy(account, TaskRole.TRAINING)
    gates = ["training", "failed", "failed"]
    monkeypatch.setattr(training, "gate", lambda user, project: gates.pop(0))
    monkeypatch.setattr(training, "serve", lambda user, project, now: copy)
    tina = make_tasker("tina")
    assert queue.claim_next(tina, project).pk == copy.pk
    Task.objects.filter(pk=copy.pk).update(status="completed", claimed_by=None)
    assert queue.claim_next(tina, project) is None
    assert queue.nothing_message(tina, project) == "Training not passed: ask an admin."
    # a tasker who passed is not asked again
    TaskerStanding.objects.create(project=project, user=tina,
                                  training_passed_at=timezone.now())
    assert queue.claim_next(tina, project).role == TaskRole.CUSTOMER


def test_a_review_phase_gold_copy_is_leased_to_the_reviewer(account, project, monkeypatch):
    ProjectQuality.objects.create(project=project, gold_share=1.0)
    worked(create(account), make_tasker("tina"))
    copy = hidden_copy(account, TaskRole.EVALUATION, TaskStage.REVIEW)
    monkeypatch.setattr(gold, "serve_review", lambda user, project, now: copy)
    rita = reviewer("rita")
    got = queue.claim_next_review(rita, project)
    assert got.pk == copy.pk and TaskAttempt.objects.get(task=copy).kind == "review"


# --- a reviewer's Start ----------------------------------------------------------------------

def test_never_review_your_own_work(account, project):
    task = create(account)
    both = make_tasker("bea")
    both.groups.add(reviewer("someone").groups.get())
    worked(task, both)
    assert queue.claim_next_review(both, project) is None
    rita = reviewer("rita")
    got = queue.claim_next_review(rita, project)
    assert got.pk == task.pk and got.claimed_by == rita
    attempt = TaskAttempt.objects.get(task=task, user=rita)
    assert (attempt.kind, attempt.root_id, attempt.outcome) == ("review", task.pk, "open")


def test_never_review_a_task_whose_replica_you_worked(account, project):
    parent = create(account)
    replicas.create(parent, 2)
    staged(parent, TaskStage.CONSENSUS)
    bea = make_tasker("bea")
    bea.groups.add(reviewer("someone").groups.get())
    assert queue.claim_next(bea, project).parent_id == parent.pk
    staged(parent, TaskStage.REVIEW)  # merged, and sampled for review
    assert queue.claim_next_review(bea, project) is None
    assert queue.claim_next_review(reviewer("rita"), project).pk == parent.pk


def test_a_held_review_is_renewed_not_doubled(account, project):
    worked(create(account, priority=30), make_tasker("tina"))
    worked(create(account, priority=10), make_tasker("otto"))
    rita = reviewer("rita")
    first = queue.claim_next_review(rita, project)
    soon = timezone.now() + timedelta(seconds=5)
    Task.objects.filter(pk=first.pk).update(lease_expires_at=soon)
    again = queue.claim_next_review(rita, project)
    assert again.pk == first.pk and again.lease_expires_at > soon + timedelta(seconds=30)
    assert TaskAttempt.objects.filter(user=rita).count() == 1
    # the tasker's Start of a reviewer who is also a tasker is not their held review
    rita.groups.add(make_tasker("x").groups.get())
    assert queue.claim_next(rita, project) is None


def test_a_re_review_goes_to_its_reviewer_first(account, project):
    high = create(account, priority=30)
    worked(high, make_tasker("tina"))
    back = create(account, priority=10)
    worked(back, make_tasker("otto"))
    rita, remy = reviewer("rita"), reviewer("remy")
    staged(back, TaskStage.REVIEW, reserved_for=rita,
           reserved_until=timezone.now() + timedelta(minutes=5))
    assert queue.claim_next_review(remy, project).pk == high.pk
    assert queue.claim_next_review(reviewer("rob"), project) is None
    assert queue.claim_next_review(rita, project).pk == back.pk


def test_release_and_expiry_end_the_attempt_and_keep_the_stage(account, project):
    task = create(account)
    worked(task, make_tasker("tina"))
    rita, remy = reviewer("rita"), reviewer("remy")
    claimed = queue.claim_next_review(rita, project)
    assert queue.release(claimed, rita)
    task.refresh_from_db()
    assert task.stage == TaskStage.REVIEW and task.claimed_by is None
    assert TaskAttempt.objects.get(task=task, user=rita).outcome == "released"
    queue.claim_next_review(remy, project)
    Task.objects.filter(pk=task.pk).update(lease_expires_at=timezone.now() - timedelta(1))
    assert queue.expire_leases() == 1
    task.refresh_from_db()
    assert task.stage == TaskStage.REVIEW and task.claimed_by is None
    assert TaskAttempt.objects.get(task=task, user=remy).outcome == "expired"
    # taken again after a lapse the sweeper has not seen: the lapsed attempt ends too
    again = queue.claim_next_review(rita, project)
    Task.objects.filter(pk=again.pk).update(lease_expires_at=timezone.now() - timedelta(1))
    assert queue.claim_next_review(remy, project).pk == task.pk
    outcomes = sorted(TaskAttempt.objects.filter(task=task).values_list("user__username",
                                                                        "outcome"))
    assert outcomes == [("remy", "expired"), ("remy", "open"), ("rita", "expired"),
                        ("rita", "released"), ("tina", "open")]


# --- counts ----------------------------------------------------------------------------------

def test_counts_are_of_customer_tasks_a_consensus_task_once(account, project):
    tina = make_tasker("tina")
    worked(create(account), tina)  # waits for review
    parent = create(account)
    replicas.create(parent, 3)
    staged(parent, TaskStage.CONSENSUS)
    create(account)  # free work
    assert queue.claim_next(make_tasker("otto"), project).parent_id == parent.pk  # leased
    staged(create(account), TaskStage.REWORK)  # free rework
    ula = make_tasker("ula")
    assert [row.pending for row in queue.queue_rows(ula)] == [3]
    assert live.counts(project_id=project.pk) == {
        "pending": 3, "in_progress": 1, "completed": 0, "canceled": 0, "error": 0}
    (row,) = review_queue.review_rows(reviewer("rita"))
    assert (row.project.pk, row.waiting, row.mine) == (project.pk, 1, None)
    # the tasker who worked it sees nothing to review
    tina.groups.add(reviewer("someone").groups.get())
    assert [r.waiting for r in review_queue.review_rows(tina)] == [0]

"""A lapsed lease or a Skip never throws the draft away; a skipped task comes after the rest
of the skipper's queue, its reason kept for managers (docs/live-sessions.md "Leases")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tasks import drafts, lifecycle, presence, queue
from tasks.models import Annotation, DraftSession, Task, TaskAttempt
from tests.factories import box_task, make_project, make_tasker

pytestmark = pytest.mark.django_db

NEW = {"uuid": "new-1", "type": "box", "label": "car", "left": 100, "top": 100, "width": 20,
       "height": 10}


@pytest.fixture
def project(account):
    return make_project(account, "streets")


@pytest.fixture
def tina(db):
    user = make_tasker("tina")
    user.first_name, user.last_name = "Tina", "Tasker"
    user.save(update_fields=["first_name", "last_name"])
    return user


def create(account, **extra) -> Task:
    return lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                                 body=box_task(project="streets", **extra))


def edit(task, user, session="s1", *ops) -> None:
    presence.open_session(task.task_id, user, session, "t1", f"chan-{session}")
    row = DraftSession.objects.get(task=task, session_id=session)
    for seq, op in enumerate(ops, start=row.last_seq + 1):
        reply = drafts.apply_op(task.task_id, user, session, f"chan-{session}", seq, op)
        assert reply["type"] == "ack", reply


def lapse(task) -> None:
    Task.objects.filter(pk=task.pk).update(lease_expires_at=timezone.now()
                                           - timedelta(seconds=1))


def uuids(task) -> list[str]:
    return sorted(Annotation.objects.filter(task=task).values_list("uuid", flat=True))


def test_the_sweep_keeps_the_draft_and_the_same_tasker_resumes_it(account, project, tina):
    task = create(account)
    assert queue.claim_next(tina, project).pk == task.pk
    edit(task, tina, "s1", {"op": "add", "annotation": NEW})
    lapse(task)
    assert queue.expire_leases() == 1
    task.refresh_from_db()
    assert task.claimed_by is None
    assert "new-1" in uuids(task)
    assert TaskAttempt.objects.get(task=task, user=tina).outcome == "expired"
    # back: the same task, the same draft, the same session numbering
    assert queue.claim_next(tina, project).pk == task.pk
    welcome = presence.open_session(task.task_id, tina, "s1", "t2", "chan-2").welcome
    assert (welcome["new_session"], welcome["last_seq"]) == (False, 1)
    assert "new-1" in uuids(task)
    assert queue.draft_author_name(task, tina) is None


def test_another_tasker_continues_a_lapsed_draft_and_is_told_whose(account, project, tina):
    task = create(account)
    queue.claim_next(tina, project)
    edit(task, tina, "s1", {"op": "add", "annotation": NEW})
    lapse(task)  # not swept yet: the claim itself ends the lapsed lease
    otto = make_tasker("otto")
    claimed = queue.claim_next(otto, project)
    assert claimed.pk == task.pk and claimed.claimed_by == otto
    assert "new-1" in uuids(task)
    assert queue.draft_author_name(task, otto) == "Tina Tasker"
    assert TaskAttempt.objects.get(task=task, user=tina).outcome == "expired"


def test_a_skip_keeps_the_draft_and_stores_the_reason(client, account, project, tina):
    task = create(account)
    client.force_login(tina)
    client.post(f"/projects/{project.pk}/start")
    edit(task, tina, "s1", {"op": "add", "annotation": NEW})
    res = client.post(f"/tasks/{task.task_id}/skip", {"reason": "  image too dark  "})
    assert res.status_code == 302
    task.refresh_from_db()
    assert task.claimed_by is None and "new-1" in uuids(task)
    attempt = TaskAttempt.objects.get(task=task, user=tina)
    assert (attempt.outcome, attempt.reason) == ("released", "image too dark")


def test_a_skipped_task_comes_after_the_rest_of_the_queue(client, account, project, tina):
    first = create(account)
    second = create(account)
    client.force_login(tina)
    client.post(f"/projects/{project.pk}/start")
    assert Task.objects.get(pk=first.pk).claimed_by == tina
    client.post(f"/tasks/{first.task_id}/skip")
    assert queue.claim_next(tina, project).pk == second.pk  # not the skipped one
    lifecycle.complete_task(Task.objects.get(pk=second.pk), {"annotations": []})
    # the rest of the queue is done: the skipped task comes back, its draft with it
    assert queue.claim_next(tina, project).pk == first.pk


def test_a_skipped_task_is_next_for_someone_else(client, account, project, tina):
    first = create(account)
    create(account)
    client.force_login(tina)
    client.post(f"/projects/{project.pk}/start")
    client.post(f"/tasks/{first.task_id}/skip")
    assert queue.claim_next(make_tasker("otto"), project).pk == first.pk


def test_the_skip_reason_shows_in_the_task_admin(client, account, project, tina,
                                                 django_user_model):
    task = create(account)
    queue.claim_next(tina, project)
    queue.release(task, tina, "label missing: tram")
    staff = django_user_model.objects.create_superuser("boss", "b@example.com", "pw")
    client.force_login(staff)
    html = client.get(f"/admin/tasks/task/{task.pk}/change/").content.decode()
    assert "label missing: tram" in html and "released" in html


def test_the_page_data_names_the_draft_author(client, account, project, tina):
    task = create(account)
    queue.claim_next(tina, project)
    edit(task, tina, "s1", {"op": "add", "annotation": NEW})
    queue.release(task, tina)
    otto = make_tasker("otto")
    queue.claim_next(otto, project)
    client.force_login(otto)
    data = client.get(f"/tasks/{task.task_id}/data").json()
    assert data["draft_by"] == "Tina Tasker"
    assert any(a["uuid"] == "new-1" for a in data["annotations"])


# --- the quality loop: rework and review drafts survive a lapse too ------------------------

def test_a_lapsed_rework_keeps_the_edits_and_the_locks(account):
    from tests.quality import flow

    project = flow.project_with(account, review_mode="all")
    worker, reviewer = flow.tasker("tina"), flow.reviewer("rev1")
    task = flow.sent_back(account, project, worker, reviewer)
    task = queue.claim_next(worker, project)
    edit(task, worker, "s1", {"op": "update", "uuid": "b5", "after": {"label": "bus"},
                              "base_version": 1})
    lapse(task)
    assert queue.expire_leases() == 1
    rows = {a.uuid: a for a in Annotation.objects.filter(task=task)}
    assert rows["b5"].label == "bus"  # the rework's edit is kept
    assert {u for u, a in rows.items() if a.locked} == {"b1", "b2", "b3", "b4"}
    # back: the same tasker, the same draft
    assert queue.claim_next(worker, project).pk == task.pk
    assert Annotation.objects.get(task=task, uuid="b5").label == "bus"


def test_a_skipped_reserved_rework_comes_after_the_rest(account):
    from tests.quality import flow

    project = flow.project_with(account, review_mode="all")
    worker, reviewer = flow.tasker("tina"), flow.reviewer("rev1")
    task = flow.sent_back(account, project, worker, reviewer)
    other = flow.create(account)
    assert queue.claim_next(worker, project).pk == task.pk  # rework first
    assert queue.release(task, worker, "need the reviewer's eyes")
    assert queue.claim_next(worker, project).pk == other.pk
    lifecycle.complete_task(Task.objects.get(pk=other.pk), {"annotations": []})
    assert queue.claim_next(worker, project).pk == task.pk


def test_a_replica_taken_by_someone_else_restarts_from_the_prelabels(account, project, tina):
    from tasks.models import TaskStage
    from tasks.quality_flow import replicas

    parent = create(account)
    replicas.create(parent, 2)
    Task.objects.filter(pk=parent.pk).update(stage=TaskStage.CONSENSUS)
    first = queue.claim_next(tina, project)
    assert first.parent_id == parent.pk
    edit(first, tina, "s1", {"op": "add", "annotation": NEW})
    assert queue.release(first, tina)
    assert "new-1" in uuids(first)  # kept for now
    otto = make_tasker("otto")
    claimed = queue.claim_next(otto, project)
    assert claimed.pk == first.pk
    assert "new-1" not in uuids(first)  # one person's independent answer
    assert queue.draft_author_name(first, otto) is None

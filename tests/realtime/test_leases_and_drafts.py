"""Leases kept by open sessions, lapsed leases swept back to the queue with their drafts
kept, the per-operation lock rules, and the response a draft submit stands for."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tasks import drafts, lifecycle, presence, queue, submission
from tasks.job_runner import sweep
from tasks.models import Annotation, DraftSession, Task
from tasks.rules import locks
from tests.factories import make_tasker
from tests.polling import async_wait_until
from tests.realtime.conftest import BOX, db, new_task, run, task_path

NEW = {"uuid": "new-1", "type": "box", "label": "bus", "left": 100, "top": 100, "width": 20,
       "height": 10}


def edit(task, user, *ops) -> None:
    """Open an editing session of `user` and apply `ops` through it, as the consumer does."""
    presence.open_session(task.task_id, user, "s1", "t1", "chan-1")
    for seq, op in enumerate(ops, start=1):
        reply = drafts.apply_op(task.task_id, user, "s1", "chan-1", seq, op)
        assert reply["type"] == "ack", reply


def lapse(task) -> None:
    Task.objects.filter(pk=task.pk).update(lease_expires_at=timezone.now()
                                           - timedelta(seconds=1))


def uuids(task) -> list[str]:
    return list(Annotation.objects.filter(task_id=task.task_id).values_list("uuid", flat=True))


@pytest.mark.django_db
def test_the_sweep_returns_lapsed_tasks_with_their_drafts_kept(task, tasker):
    edit(task, tasker, {"op": "add", "annotation": NEW},
         {"op": "update", "uuid": BOX["uuid"], "after": {"left": 1}, "base_version": 1})
    assert sweep() == (0, 0)
    assert Task.objects.get(pk=task.pk).claimed_by == tasker  # its lease is alive

    lapse(task)
    sweep()
    task.refresh_from_db()
    assert (task.claimed_by, task.lease_expires_at) == (None, None)
    rows = {a.uuid: a for a in Annotation.objects.filter(task=task)}
    assert sorted(rows) == sorted([BOX["uuid"], "new-1"])
    assert (rows[BOX["uuid"]].geometry["left"], rows[BOX["uuid"]].version) == (1, 2)
    assert DraftSession.objects.get(task=task).last_seq == 2  # the session may come back
    assert queue.expire_leases() == 0


@pytest.mark.django_db
def test_claiming_a_lapsed_task_keeps_the_draft(task, tasker, project, django_user_model):
    edit(task, tasker, {"op": "add", "annotation": NEW})
    lapse(task)
    other = make_tasker("otto")
    claimed = queue.claim_next(other, project)
    assert claimed.pk == task.pk and claimed.claimed_by == other
    assert uuids(task) == [BOX["uuid"], "new-1"]
    assert not queue.holds(tasker, Task.objects.get(pk=task.pk))


@pytest.mark.django_db
def test_a_recalled_task_starts_and_restarts_from_its_last_response(task, tasker, project):
    moved = {**BOX, "left": 77}
    lifecycle.complete_task(task, {"annotations": [moved, NEW]})
    lifecycle.recall_task(task)
    assert uuids(task) == [BOX["uuid"], "new-1"]
    task = queue.claim_next(tasker, project)
    edit(task, tasker, {"op": "delete", "annotation": NEW, "base_version": 1})
    assert uuids(task) == [BOX["uuid"]]
    lapse(task)
    assert queue.expire_leases() == 1  # the lapse keeps the draft made from the response
    assert uuids(task) == [BOX["uuid"]]
    lifecycle.reset_draft(task)  # an explicit reset restarts from the response
    rows = {a.uuid: a for a in Annotation.objects.filter(task=task)}
    assert sorted(rows) == [BOX["uuid"], "new-1"] and rows[BOX["uuid"]].geometry["left"] == 77


@pytest.mark.django_db(transaction=True)
def test_an_open_session_renews_the_lease_and_notices_when_it_is_lost(task, tasker, settings,
                                                                      socket_for):
    settings.ANNOTATOR_SESSION_HEARTBEAT_SECONDS = 0.05
    soon = timezone.now() + timedelta(seconds=5)

    async def scenario():
        ws = await socket_for(tasker, task_path(task)).open()
        await ws.hello()
        await db(Task.objects.filter(pk=task.pk).update)(lease_expires_at=soon)

        async def renewed() -> bool:
            lease = (await db(Task.objects.get)(pk=task.pk)).lease_expires_at
            return lease > timezone.now() + timedelta(seconds=1700)

        await async_wait_until(renewed, timeout=10, message="the session did not renew the lease")
        await db(lapse)(task)
        assert (await ws.expect("status"))["status"] == "lease_lost"
        assert await ws.close_code() == 4410

    run(scenario)


@pytest.mark.django_db(transaction=True)
def test_closing_the_session_starts_the_full_lease_time(task, tasker, socket_for):
    async def scenario():
        ws = await socket_for(tasker, task_path(task)).open()
        await ws.hello()
        assert (await ws.op(1, {"op": "add", "annotation": NEW}))["type"] == "ack"
        await db(Task.objects.filter(pk=task.pk).update)(
            lease_expires_at=timezone.now() + timedelta(seconds=5))
        await ws.close()

    run(scenario)
    task.refresh_from_db()
    assert task.lease_expires_at > timezone.now() + timedelta(seconds=1700)
    session = DraftSession.objects.get(task=task)
    assert (session.channel_name, session.is_active, session.last_seq) == ("", True, 1)


@pytest.mark.django_db
def test_every_op_renews_the_lease(task, tasker):
    Task.objects.filter(pk=task.pk).update(lease_expires_at=timezone.now()
                                           + timedelta(seconds=5))
    edit(task, tasker, {"op": "add", "annotation": NEW})
    assert Task.objects.get(pk=task.pk).lease_expires_at > timezone.now() + timedelta(
        seconds=1700)


@pytest.mark.django_db
def test_an_op_after_the_lease_lapsed_is_refused_with_the_status(task, tasker):
    presence.open_session(task.task_id, tasker, "s1", "t1", "chan-1")
    lapse(task)
    reply = drafts.apply_op(task.task_id, tasker, "s1", "chan-1", 1,
                            {"op": "add", "annotation": NEW})
    assert reply == {"type": "status", "status": "lease_lost"}
    assert uuids(task) == [BOX["uuid"]]


@pytest.mark.django_db
def test_linked_attributes_may_point_to_other_annotations_of_the_draft(account, project,
                                                                       tasker):
    attrs = {"parent": {"type": "linked", "description": "Parent?"}}
    new_task(account, annotation_attributes=attrs)
    task = queue.claim_next(tasker, project)
    presence.open_session(task.task_id, tasker, "s1", "t1", "c")
    apply = lambda seq, op: drafts.apply_op(task.task_id, tasker, "s1", "c", seq, op)  # noqa: E731
    assert apply(1, {"op": "add", "annotation": NEW})["type"] == "ack"
    child = {**NEW, "uuid": "child", "attributes": {"parent": "new-1"}}
    assert apply(2, {"op": "add", "annotation": child})["type"] == "ack"
    orphan = {**NEW, "uuid": "orphan", "attributes": {"parent": "nobody"}}
    reply = apply(3, {"op": "add", "annotation": orphan})
    assert reply["kind"] == "rule" and reply["reason"].startswith("attributes.parent")
    # Deleting what a link points to is a draft's business; the submit checks it.
    assert apply(4, {"op": "delete", "annotation": NEW, "base_version": 1})["type"] == "ack"


# The verdicts of locks.can() for each action, flag and source are pinned, with the page's
# static/js/lib/locks.js, by the shared cases in tests/fixtures/rules/locks.json
# (tests/rules/test_rule_cases.py and tests/js/rule-cases.test.mjs).


def test_lock_reasons_are_the_pages_sentences():
    assert locks.can("delete", {"source": "base", "locked": True}, {}) == (
        False, "This base annotation is locked")
    assert locks.can("edit_geometry", {"source": "base"},
                     {"can_edit_base_annotations": False})[1] == (
        "Base annotations cannot be edited in this task")
    assert locks.update_actions({"label", "left"}) == ["relabel", "edit_geometry"]


@pytest.mark.django_db
def test_a_draft_submit_keeps_the_hypothesis_globals_and_links_to_kept_annotations(
        account, project, tasker):
    links = {"follows": [{"from_allowed_labels": ["car"], "to_allowed_labels": ["car"]}]}
    second = {**BOX, "uuid": "hypo-2", "left": 60}
    hypothesis = {"annotations": [BOX, second],
                  "links": [{"label": "follows", "from": "hypo-1", "to": "hypo-2"}]}
    new_task(account, links=links, hypothesis=hypothesis)
    task = queue.claim_next(tasker, project)
    assert submission.draft_payload(task, {})["links"] == hypothesis["links"]
    assert submission.draft_payload(task, {"links": []})["links"] == []
    edit(task, tasker, {"op": "delete", "annotation": second, "base_version": 1})
    submission.submit_draft(task, tasker, {})
    task.refresh_from_db()
    assert task.status == "completed" and task.response["links"] == []
    assert [a["uuid"] for a in task.response["annotations"]] == ["hypo-1"]

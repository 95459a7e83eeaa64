"""One state change, one event: what tasks.live publishes for each lifecycle and queue
change, and the progress stream built on it."""

from __future__ import annotations

import asyncio
import time

import pytest
from channels.layers import get_channel_layer
from django.db import transaction

from tasks import lifecycle, live, projects, queue, submission
from tasks.errors import ApiError
from tasks.models import Task
from tests.factories import make_tasker
from tests.realtime.conftest import db, new_task, run

pytestmark = pytest.mark.django_db(transaction=True)


class Listener:
    """A bare channel in some groups, collecting the events sent to them."""

    def __init__(self) -> None:
        self.layer = get_channel_layer()
        self.channel = ""

    async def join(self, *groups: str) -> Listener:
        self.channel = await self.layer.new_channel()
        for group in groups:
            await self.layer.group_add(group, self.channel)
        return self

    async def events(self, timeout: float = 0.3) -> list[dict]:
        found = []
        while True:
            try:
                found.append(await asyncio.wait_for(self.layer.receive(self.channel), timeout))
            except TimeoutError:
                return found

    async def kinds(self) -> list[str]:
        return [event["event"] for event in await self.events()]


def test_each_state_change_publishes_one_event(account, project, tasker, django_user_model):
    async def scenario():
        listen = await Listener().join("queue")
        task = await db(new_task)(account)
        assert await listen.kinds() == ["created"]
        task = await db(queue.claim_next)(tasker, project)
        assert await listen.kinds() == ["claimed"]
        await db(queue.claim_next)(tasker, project)  # a renewal is no change
        await db(submission.submit)(task, tasker, {"annotations": []})
        assert await listen.kinds() == ["completed"]
        await db(lifecycle.audit_task)(task, accepted=False, comments=None, by="acme")
        assert await listen.kinds() == ["audit"]
        task = await db(queue.claim_next)(tasker, project)
        await db(queue.release)(task, tasker)
        await db(queue.release)(task, tasker)  # nothing left to release
        assert await listen.kinds() == ["claimed", "released"]

        other = await db(new_task)(account)
        await db(lifecycle.cancel_task)(other)
        await db(lifecycle.cancel_task)(other)  # a repeated cancel changes nothing
        broken = await db(new_task)(account)
        await db(lifecycle.fail_task)(broken, {"error": "no image"})
        assert await listen.kinds() == ["created", "canceled", "created", "error"]

        await db(lifecycle.complete_task)(task, {"annotations": []})
        await db(lifecycle.recall_task)(task)
        assert await listen.kinds() == ["completed", "recall"]

    run(scenario)


def test_refused_and_rolled_back_changes_publish_nothing(account, project):
    task = new_task(account)
    lifecycle.complete_task(task, {"annotations": []})

    def rolled_back() -> None:
        with transaction.atomic():
            lifecycle.recall_task(task)
            raise RuntimeError("abandon")

    async def scenario():
        listen = await Listener().join("queue")
        with pytest.raises(ApiError):
            await db(lifecycle.complete_task)(task, {"annotations": []})
        with pytest.raises(RuntimeError):
            await db(rolled_back)()
        assert await listen.events() == []
        assert (await db(Task.objects.get)(pk=task.pk)).status == "completed"

    run(scenario)


def test_an_event_reaches_the_tasks_project_and_batch_groups(account, project, tasker):
    batch = projects.create_batch(owner=account, is_test=False,
                                   body={"name": "b1", "project": "streets"})
    new_task(account)

    async def scenario():
        groups = ("queue", f"project-{project.pk}", f"batch-{batch.pk}")
        listeners = [await Listener().join(group) for group in groups]
        task = await db(new_task)(account, batch="b1")
        on_task = await Listener().join(f"task-{task.task_id}")
        await db(queue.claim_next)(tasker, project)  # the older task, not in the batch
        await db(lifecycle.cancel_task)(task)
        (created, claimed, canceled), (p_created, *_), (b_created, b_canceled) = [
            await listener.events() for listener in listeners]
        assert created == p_created and created["event"] == "created"
        assert {k: created[k] for k in ("type", "task_id", "status", "project", "batch")} == {
            "type": "task.changed", "task_id": task.task_id, "status": "pending",
            "project": project.pk, "batch": batch.pk}
        assert claimed["claimed_by"] == tasker.pk
        assert b_created["batch"] == batch.pk and b_canceled["event"] == "canceled"
        assert [e["event"] for e in await on_task.events()] == ["canceled"]

    run(scenario)


def test_counts_split_pending_into_free_and_leased_and_are_cached(account, project, tasker):
    batch = projects.create_batch(owner=account, is_test=False,
                                   body={"name": "b1", "project": "streets"})
    for _ in range(3):
        new_task(account, batch="b1")
    queue.claim_next(tasker, project)
    lifecycle.cancel_task(new_task(account))
    expected = {"pending": 2, "in_progress": 1, "completed": 0, "canceled": 1, "error": 0}
    assert live.counts(project_id=project.pk) == expected
    assert live.counts(batch_id=batch.pk) == {**expected, "canceled": 0}
    before = time.time()
    assert live.counts_since(since=before, project_id=project.pk) == expected
    new_task(account)
    # Counted after `before`: the cached counts stand until a later change asks for more.
    assert live.counts_since(since=before, project_id=project.pk) == expected
    assert live.counts_since(since=time.time(), project_id=project.pk)["pending"] == 3


def test_the_progress_stream(account, project, tasker, admin, django_user_model, socket_for):
    batch = projects.create_batch(owner=account, is_test=False,
                                   body={"name": "b1", "project": "streets"})
    nobody = django_user_model.objects.create_user("nobody", password="pw-nobody-1")
    make_tasker("otto")

    async def scenario():
        refused = await socket_for(nobody, "/ws/progress/").open()
        assert await refused.close_code() == 4403
        mine = await socket_for(tasker, "/ws/progress/").open()
        staff = await socket_for(admin, "/ws/progress/").open()
        for ws in (mine, staff):
            snapshot = await ws.expect("progress")
            assert snapshot == {"type": "progress", "project": project.pk,
                                "counts": dict.fromkeys(["pending", "in_progress", "completed",
                                                         "canceled", "error"], 0)}
        await db(new_task)(account, batch="b1")
        assert (await mine.expect("progress"))["counts"]["pending"] == 1
        assert (await staff.expect("progress"))["project"] == project.pk
        assert (await staff.expect("progress"))["batch"] == batch.pk
        await db(queue.claim_next)(tasker, project)
        counts = (await mine.expect("progress"))["counts"]
        assert (counts["pending"], counts["in_progress"]) == (0, 1)
        assert await mine.silent()
        await mine.send({"type": "ping"})
        await mine.expect("pong")
        await mine.close()
        await staff.close()

    run(scenario)

"""An open page renews the lease only while the tasker works (docs/live-sessions.md
"Leases"): heartbeats of a page idle for a lease time leave the lease to run out."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from django.utils import timezone

from tasks import presence
from tasks.models import Task
from tests.polling import async_wait_until
from tests.realtime.conftest import db, run, task_path


@pytest.mark.django_db
def test_a_heartbeat_without_activity_does_not_renew(task, tasker):
    presence.open_session(task.task_id, tasker, "s1", "t1", "chan-1")
    soon = timezone.now() + timedelta(seconds=30)
    Task.objects.filter(pk=task.pk).update(lease_expires_at=soon)
    assert presence.heartbeat(task.task_id, tasker, "s1", "chan-1", renew=False) is None
    assert Task.objects.get(pk=task.pk).lease_expires_at == soon
    presence.heartbeat(task.task_id, tasker, "s1", "chan-1")
    assert Task.objects.get(pk=task.pk).lease_expires_at > soon


@pytest.mark.django_db(transaction=True)
def test_an_idle_page_stops_renewing_and_active_renews_again(task, tasker, settings,
                                                              socket_for):
    settings.ANNOTATOR_SESSION_HEARTBEAT_SECONDS = 0.05
    settings.ANNOTATOR_LEASE_SECONDS = 1

    async def lease():
        return (await db(Task.objects.get)(pk=task.pk)).lease_expires_at

    async def scenario():
        ws = await socket_for(tasker, task_path(task)).open()
        await ws.hello()
        far = timezone.now() + timedelta(seconds=600)
        await db(Task.objects.filter(pk=task.pk).update)(lease_expires_at=far)

        async def renewed() -> bool:  # active right after hello: renewed to 1 s from now
            return await lease() < far

        await async_wait_until(renewed, timeout=10, message="the hello did not count")
        await ws.send({"type": "active"})
        # a lease time without activity: the heartbeats stop renewing
        await asyncio.sleep(1.3)
        frozen = await lease()
        await asyncio.sleep(0.3)
        assert await lease() == frozen
        await ws.send({"type": "active"})

        async def moved() -> bool:
            return await lease() > frozen

        await async_wait_until(moved, timeout=10, message="active did not renew the lease")

    run(scenario)

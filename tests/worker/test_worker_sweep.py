"""The sweeper's pass: lost deliveries and fetches queued again, dead job rows closed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tasks import jobs, lifecycle
from tasks.job_runner import sweep
from tasks.models import CallbackDelivery, Task, WorkerBeat
from tests.worker.conftest import a_response, box_body, run_jobs

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("worker_settings")]


def test_a_sweep_recovers_what_a_dead_worker_left(api, receiver):
    res = api.post("task/imageannotation", box_body(receiver))
    task = lifecycle.complete_task(Task.objects.get(pk=res.json()["task_id"]), a_response())
    long_ago = timezone.now() - timedelta(hours=2)
    # A worker took both jobs and died: the rows stay RUNNING, the delivery's lease ran out.
    DBTaskResult.objects.update(status="RUNNING", started_at=long_ago)
    CallbackDelivery.objects.update(attempts=1, locked_until=long_ago)
    Task.objects.filter(pk=task.pk).update(status="pending", created_at=long_ago)

    assert sweep() == (1, 1)
    assert DBTaskResult.objects.filter(status="FAILED").count() == 2
    assert sweep() == (0, 0)
    assert sorted(run_jobs()) == ["delivered", "stored"]
    assert CallbackDelivery.objects.get().attempts == 2


def test_expire_lost_leaves_recent_and_foreign_jobs_alone(api, receiver):
    api.post("task/imageannotation", box_body(receiver))
    DBTaskResult.objects.update(status="RUNNING", started_at=timezone.now())
    assert jobs.expire_lost() == 0
    DBTaskResult.objects.update(task_path="elsewhere.job",
                                started_at=timezone.now() - timedelta(days=1))
    assert jobs.expire_lost() == 0


def _a_fetch_left_running_by(worker_id: str, api, receiver, beat_age: timedelta) -> Task:
    res = api.post("task/imageannotation", box_body(receiver))
    long_ago = timezone.now() - timedelta(minutes=5)
    Task.objects.filter(pk=res.json()["task_id"]).update(created_at=long_ago)
    DBTaskResult.objects.update(status="RUNNING", worker_ids=[worker_id],
                                started_at=timezone.now() - timedelta(seconds=40))
    now = timezone.now()
    WorkerBeat.objects.create(worker_id=worker_id, pid=1, started_at=long_ago,
                              beat_at=now - beat_age)
    return Task.objects.get(pk=res.json()["task_id"])


def test_a_fetch_is_queued_again_once_its_workers_heartbeat_stops(api, receiver):
    # The worker claimed it 40 s ago and has not beaten for 35 s: it is dead.
    _a_fetch_left_running_by("dead", api, receiver, beat_age=timedelta(seconds=35))
    assert sweep() == (0, 1)
    assert DBTaskResult.objects.filter(status="FAILED").count() == 1
    assert run_jobs() == ["stored"]


def test_a_fetch_whose_worker_still_beats_is_left_running(api, receiver):
    _a_fetch_left_running_by("alive", api, receiver, beat_age=timedelta(seconds=2))
    assert sweep() == (0, 0)
    assert DBTaskResult.objects.filter(status="RUNNING").count() == 1

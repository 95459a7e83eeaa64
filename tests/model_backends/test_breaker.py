"""A dead backend costs nothing: the task stays workable, the breaker opens after
FAILURES_TO_OPEN failures and then no request is made; a success closes it
(docs/assist.md, "The breaker")."""

from __future__ import annotations

import socket

import pytest
from django.utils import timezone

from tasks import queue
from tasks.model_backends import breaker
from tasks.models import ModelBackend, Prelabel, Task
from tests.model_backends.conftest import GEOMETRIES, attach_backend
from tests.worker.conftest import png_bytes, run_jobs

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("worker_settings")]


def create(api, receiver) -> Task:
    res = api.post("task/imageannotation", {
        "project": "streets", "attachment": receiver.serve_file("/image.png", png_bytes()),
        "geometries": GEOMETRIES})
    assert res.status_code == 200, res.content
    return Task.objects.get(pk=res.json()["task_id"])


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the block ends


def test_the_wait_doubles_up_to_ten_minutes():
    assert [breaker.open_seconds(n) for n in range(1, 9)] == [
        0, 0, 60, 120, 240, 480, 600, 600]


def test_a_dead_backend_leaves_the_task_workable(api, account, receiver):
    backend = attach_backend(account, f"http://127.0.0.1:{closed_port()}")
    task = create(api, receiver)
    assert run_jobs() == ["stored", "failed"]
    prelabel = Prelabel.objects.get(task=task)
    assert "could not connect" in prelabel.error
    assert queue.free_tasks().filter(pk=task.pk).exists()
    task.refresh_from_db()
    assert "hypothesis" not in task.params
    backend.refresh_from_db()
    assert (backend.failures, backend.open_until) == (1, None)


def test_an_open_breaker_costs_no_request_and_a_success_closes_it(
        api, account, receiver, backend_server):
    backend_server.failing = True
    backend = attach_backend(account, backend_server.url)
    for _ in range(breaker.FAILURES_TO_OPEN):
        create(api, receiver)
        assert run_jobs() == ["stored", "failed"]
    assert backend_server.count("/predict") == 3
    backend.refresh_from_db()
    assert backend.failures == 3 and breaker.is_open(backend)
    assert "HTTP 500" in backend.last_error

    task = create(api, receiver)  # not asked: skipped at create, served at once
    prelabel = Prelabel.objects.get(task=task)
    assert prelabel.status == "skipped" and "breaker" in prelabel.error
    assert queue.free_tasks().filter(pk=task.pk).exists()
    assert run_jobs() == ["stored"]
    assert backend_server.count() == 3

    # the wait is over and the backend is back: the trial request succeeds and closes it
    ModelBackend.objects.filter(pk=backend.pk).update(open_until=timezone.now())
    backend_server.failing = False
    task = create(api, receiver)
    assert run_jobs() == ["stored", "done"]
    backend.refresh_from_db()
    assert (backend.failures, backend.open_until, backend.model_version) == (0, None, "fixed-1")
    assert backend.last_ok_at is not None

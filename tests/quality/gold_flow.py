"""What the gold, training and consensus tests share: a project with quality settings, a
tasker's Start and submit through the workbench's URLs, boxes, a local HTTP receiver, and the
worker's jobs run in process."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from tasks.models import ProjectQuality, Task
from tasks.quality_flow import attempts
from tests.factories import make_project
from tests.worker.conftest import Receiver, png_bytes, run_jobs

__all__ = ["box", "lease", "local_receiver", "png_bytes", "quality_project", "run_jobs", "start",
           "submit"]

LABELS = ["car", "person", "sign", "bus"]


def quality_project(owner, name: str = "streets", **settings: object):
    """An image project whose quality settings are `settings` (no row when none given)."""
    project = make_project(owner, name, params={
        "geometries": {"box": {"objects_to_annotate": LABELS}}})
    if settings:
        ProjectQuality.objects.create(project=project, **settings)
    return project


def box(uuid: str, label: str, left: float, top: float, width: float, height: float) -> dict:
    return {"uuid": uuid, "type": "box", "label": label, "left": left, "top": top,
            "width": width, "height": height, "attributes": {}}


def start(client, project) -> Task | None:
    """The tasker's Start in the project: the task it opened, or None (back to the queue)."""
    res = client.post(f"/projects/{project.pk}/start")
    assert res.status_code == 302, res
    location = res["Location"]
    if not location.startswith("/tasks/"):
        return None
    return Task.objects.get(pk=location.split("/")[2])


def submit(client, task: Task, *annotations: dict) -> dict:
    """Submit an explicit answer as the page does; the answer's JSON."""
    res = client.post(f"/tasks/{task.task_id}/submit",
                      json.dumps({"annotations": list(annotations)}),
                      content_type="application/json")
    assert res.status_code == 200, res.content
    return res.json()


@contextmanager
def local_receiver(settings) -> Iterator[Receiver]:
    """The worker tests' HTTP receiver (images to fetch, callbacks to receive), with the
    worker allowed to reach it and retrying without waiting."""
    settings.ANNOTATOR_FETCH_ALLOW = ["127.0.0.0/8"]
    settings.ANNOTATOR_CALLBACK_BACKOFF_BASE = 0
    server = Receiver()
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()


def lease(task: Task, user, now: datetime) -> Task:
    """Lease a served copy to `user` as the queue does with it (the lease columns and the
    claim's attempt), for tests of serving and scoring without the queue."""
    task.claimed_by, task.lease_expires_at = user, now + timedelta(hours=1)
    task.work_started, task.work_started_at = True, now
    task.save(update_fields=["claimed_by", "lease_expires_at", "work_started",
                             "work_started_at"])
    attempts.record_claim(task, user, "work", now)
    return task

"""Prelabel on create (docs/assist.md, "Prelabel on create").

`after_create` (a lifecycle listener, in the create's transaction): a new customer task of a
kind that supports prelabels, created without a `hypothesis`, in a project whose model backend
predicts, gets a Prelabel row (queued) and the worker's job `tasks.jobs.prelabel_task`; the
queue holds the task back while it is queued (tasks/queue.py, at most
ANNOTATOR_PRELABEL_HOLD_SECONDS). A backend whose breaker is open is not asked: the row says
"skipped" and nothing is sent.

`run` (the job's body) waits for the task's image to be stored (tasks/attachments.py), asks the
backend once, checks the answer with the hypothesis rules (tasks/model_backends/checking.py)
and stores it as the task's `params["hypothesis"]` and its draft's starting rows, exactly as a
hypothesis given at create. A failure leaves the task workable without prelabels; the row
keeps the error (the task's admin page shows it).
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tasks import jobs, kinds, lifecycle
from tasks.model_backends import breaker, clients
from tasks.model_backends.checking import Checked, check_annotations
from tasks.model_backends.media import ImageMissing, image_for
from tasks.model_backends.transport import BackendError, BreakerOpen
from tasks.models import (
    DraftSession,
    ModelBackend,
    Prelabel,
    PrelabelStatus,
    Task,
    TaskRole,
    TaskStage,
    TaskStatus,
)

# Below the media fetch's jobs, so that a worker fetches the image before it asks.
JOB_PRIORITY = -10
RETRY_SECONDS = 1.0
ERROR_LIMIT = 2000


# --- at create ---------------------------------------------------------------------------

def after_create(task: Task) -> None:
    backend = wanted_backend(task)
    if backend is None:
        return
    if breaker.is_open(backend):
        Prelabel.objects.create(task=task, backend=backend, backend_name=backend.name,
                                status=PrelabelStatus.SKIPPED, finished_at=timezone.now(),
                                error="not asked: the backend's breaker is open after failures")
        return
    Prelabel.objects.create(task=task, backend=backend, backend_name=backend.name)
    enqueue(task.task_id)


def wanted_backend(task: Task) -> ModelBackend | None:
    """The backend that should prelabel a just created task, or None."""
    if task.is_test or task.role != TaskRole.CUSTOMER or task.project is None:
        return None
    if task.stage != TaskStage.WORK:  # e.g. a consensus parent: its replicas exist already
        return None
    if not kinds.of(task).supports_prelabels or (task.params or {}).get("hypothesis"):
        return None
    if task.project.model_backend_id is None:
        return None
    backend = ModelBackend.objects.filter(pk=task.project.model_backend_id).first()
    if backend is None or not backend.predict or not backend.enabled:
        return None
    return backend


def enqueue(task_id: str, run_after: float | None = None) -> None:
    job = jobs.prelabel_task.using(priority=JOB_PRIORITY)
    if run_after is not None:
        job = job.using(run_after=timezone.now() + timedelta(seconds=run_after))
    job.enqueue(task_id)


# --- the job -----------------------------------------------------------------------------

def run(task_id: str) -> str:
    """Ask the backend once; what happened, in a word."""
    prelabel = (Prelabel.objects.select_related("task", "task__project", "backend")
                .filter(task_id=task_id).first())
    if prelabel is None or prelabel.status != PrelabelStatus.QUEUED:
        return "skipped"
    task, backend = prelabel.task, prelabel.backend
    if task.status != TaskStatus.PENDING:
        return finish(prelabel, PrelabelStatus.SKIPPED, error="the task is no longer pending")
    if backend is None or not backend.predict or not backend.enabled:
        return finish(prelabel, PrelabelStatus.SKIPPED,
                      error="the backend was removed, disabled or no longer predicts")
    if not task.attachment_mime:
        waiting = _wait_for_image(prelabel)
        if waiting:
            return waiting
        task.refresh_from_db()
    return ask(prelabel, task, backend)


def _wait_for_image(prelabel: Prelabel) -> str:
    """"waiting" (asked again later) while the image's fetch is under way; "" when the image is
    stored now; a final word when it never will be in time."""
    task = prelabel.task
    if timezone.now() - prelabel.created_at > hold():
        return finish(prelabel, PrelabelStatus.FAILED, error="the image was not stored in time")
    if task.task_id in jobs.queued_args(jobs.fetch_attachment, include_running=True):
        enqueue(task.task_id, run_after=RETRY_SECONDS)
        return "waiting"
    jobs.fetch_for_task(task.task_id)  # its fetch job was lost: fetch here
    task.refresh_from_db()
    if not task.attachment_mime:
        return finish(prelabel, PrelabelStatus.FAILED, error="the image could not be stored")
    return ""


def ask(prelabel: Prelabel, task: Task, backend: ModelBackend) -> str:
    started = time.monotonic()
    try:
        image = image_for(task)
        annotations, version, notes = clients.predict(backend, task, image)
    except BreakerOpen as exc:
        return finish(prelabel, PrelabelStatus.SKIPPED, error=f"not asked: {exc.message}")
    except BackendError as exc:
        return finish(prelabel, PrelabelStatus.FAILED, error=exc.message, started=started)
    except ImageMissing as exc:
        return finish(prelabel, PrelabelStatus.FAILED, error=str(exc), started=started)
    checked = check_annotations(annotations, task.params or {})
    checked.notes[:0] = notes
    if not store(task, checked):
        return finish(prelabel, PrelabelStatus.FAILED, version=version, notes=checked.notes,
                      error="the task was taken before the backend answered: not applied",
                      started=started)
    return finish(prelabel, PrelabelStatus.DONE, version=version, notes=checked.notes,
                  count=checked.count, started=started)


def store(task: Task, checked: Checked) -> bool:
    """The hypothesis into the task's params and its draft's rows, unless someone has begun
    working on the task meanwhile (its hold ran out)."""
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task.pk)
        now = timezone.now()
        taken = task.claimed_by_id is not None and (task.lease_expires_at or now) > now
        if (task.status != TaskStatus.PENDING or task.work_started or taken
                or task.sent_back_response is not None or (task.params or {}).get("hypothesis")
                or DraftSession.objects.filter(task=task).exists()):
            return False
        task.params = {**(task.params or {}), "hypothesis": checked.hypothesis}
        task.save(update_fields=["params"])
        lifecycle.reset_draft(task)  # its rows: base annotations, then this hypothesis
    return True


def finish(prelabel: Prelabel, status: str, *, error: str = "", version: str = "",
           notes: list[str] | None = None, count: int = 0, started: float | None = None) -> str:
    prelabel.status = status
    prelabel.error = error[:ERROR_LIMIT]
    prelabel.model_version = version[:200]
    prelabel.notes = notes or []
    prelabel.annotation_count = count
    prelabel.duration_ms = (round((time.monotonic() - started) * 1000)
                            if started is not None else None)
    prelabel.finished_at = timezone.now()
    prelabel.save(update_fields=["status", "error", "model_version", "notes",
                                 "annotation_count", "duration_ms", "finished_at"])
    return status


def hold() -> timedelta:
    return timedelta(seconds=settings.ANNOTATOR_PRELABEL_HOLD_SECONDS)

"""Fetching a task's media once, and keeping our own copies: for an image task, its image and
context images.

The job `tasks.jobs.fetch_attachment` runs after a task is created and hands the task to its
kind (`Kind.fetch_media`, docs/architecture.md); the image kind fetches here (`fetch_images`)
with the copies of `tasks.media`. On success the task records the image's width, height and type,
and the copy in the default storage is what the workbench loads; `scaledata://` files are
already ours, so the task points at the stored file. If any attachment fails the task ends in
`error` with the contract's response (`tasks.lifecycle.fail_task`).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from tasks import lifecycle, tiles
from tasks.fetch_pool import Deadline, caught, run_bounded
from tasks.jobs import fetch_attachment, queued_args
from tasks.media import ERROR_MESSAGE, AttachmentFailure, Copy, copy_attachment
from tasks.models import ContextAttachment, Task, TaskStatus
from tasks.models.files import SCHEME

logger = logging.getLogger("annotator.attachments")

SWEEP_LIMIT = 200


def attachment_urls(task: Task) -> list[str]:
    """The task's image first, then its context images in their order."""
    params = task.params or {}
    contexts = params.get("context_attachments") or []
    return [params.get("attachment") or "",
            *[c.get("attachment") or "" for c in contexts if isinstance(c, dict)]]


def fetch_images(task: Task) -> str:
    """Fetch, check and keep the image and context images of an image task (its kind's
    fetch_media); what happened, in a word."""
    # Fetches a few at a time, all within the task's deadline (tasks/fetch_pool.py); our own
    # scaledata:// files are looked up here, in the job's thread and transaction.
    deadline = Deadline()
    urls = list(enumerate(attachment_urls(task)))

    def copy(item: tuple[int, str]) -> Copy:
        return copy_attachment(task, item[1], item[0], deadline)

    remote = [item for item in urls if not item[1].startswith(SCHEME)]
    fetched = dict(zip(remote, run_bounded(copy, remote), strict=True))
    results = [fetched[item] if item in fetched else caught(copy, item) for item in urls]
    copies: list[Copy] = []
    failures: list[AttachmentFailure] = []
    for (_, url), result in zip(urls, results, strict=True):
        if isinstance(result, AttachmentFailure):
            logger.warning("task %s: attachment %s failed: %s", task.task_id, url, result)
            failures.append(result)
        elif isinstance(result, BaseException):
            _discard([r for r in results if isinstance(r, Copy)])
            raise result
        else:
            copies.append(result)
    if failures:
        _discard(copies)
        lifecycle.fail_task(task, {"error": ERROR_MESSAGE,
                                   "attachments": [f.as_json() for f in failures]})
        return "error"
    if not _record(task, copies):
        return "skipped"
    build_tiles(task.task_id, copies[0])
    return "stored"


def build_tiles(task_id: str, main: Copy) -> None:
    """A large image gets its tile pyramid now, once (tasks/tiles.py). Without one the
    workbench loads the whole image, so a failure is logged, never the task's error."""
    if not tiles.needs_tiles(main.width, main.height):
        return
    try:
        tiles.build(task_id, main.name, main.mime_type)
    except Exception:  # MemoryError, a broken file, a full disk...
        logger.exception("task %s: the tile pyramid could not be built", task_id)


def _discard(copies: list[Copy]) -> None:
    for item in copies:
        if item.owned:
            default_storage.delete(item.name)


def _record(task: Task, copies: list[Copy]) -> bool:
    """Store the copies on the task, unless another run already did (then drop ours)."""
    main, contexts = copies[0], copies[1:]
    with transaction.atomic():
        current = Task.objects.select_for_update().filter(pk=task.pk).first()
        if current is None or current.attachment_mime:
            transaction.on_commit(lambda: _discard(copies))
            return False
        columns = {"attachment_file": main.name, "attachment_width": main.width,
                   "attachment_height": main.height, "attachment_mime": main.mime_type}
        Task.objects.filter(pk=task.pk).update(**columns)
        # Its consensus replicas (and a gold template's copies) show the same image
        # (docs/quality.md); their tiles and context images are read from this task.
        Task.objects.filter(parent=task).update(**columns)
        ContextAttachment.objects.filter(task=task).delete()
        ContextAttachment.objects.bulk_create(
            ContextAttachment(task=task, position=i, url=c.url, file=c.name, width=c.width,
                              height=c.height, mime_type=c.mime_type)
            for i, c in enumerate(contexts))
    return True


def requeue_unfinished() -> int:
    """Queue the fetch again for pending tasks whose fetch never finished (its worker was
    killed, or the task predates this worker). Returns how many."""
    waiting = queued_args(fetch_attachment, include_running=True)
    horizon = timezone.now() - timedelta(seconds=5)
    unfinished = (Task.objects.filter(status=TaskStatus.PENDING, is_test=False,
                                      attachment_mime="", created_at__lte=horizon,
                                      parent__isnull=True)  # a child's media are its parent's
                  .order_by("created_at").values_list("task_id", flat=True)[:SWEEP_LIMIT])
    count = 0
    for task_id in unfinished:
        if task_id not in waiting:
            fetch_attachment.enqueue(task_id)
            count += 1
    return count

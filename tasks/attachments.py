"""Fetching a task's image and context images once, and keeping our own copies.

`tasks.jobs.fetch_attachment` runs `fetch_for_task` after a task is created. Every URL goes
through the SSRF-safe `tasks.fetching` with the upload size limit, and must be an image
(`tasks.images`). On success the task records the image's width, height and type, and the copy
in the default storage is what the workbench loads; `scaledata://` files are already ours, so
the task points at the stored file. If any attachment fails the task ends in `error` with the
contract's response (`tasks.lifecycle.fail_task`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from tasks import fetching, lifecycle, tiles
from tasks.images import NotAnImage, inspect_image
from tasks.jobs import fetch_attachment, queued_args
from tasks.models import ContextAttachment, Task, TaskStatus
from tasks.models.files import SCHEME

logger = logging.getLogger("annotator.attachments")

ERROR_MESSAGE = "One or more attachments could not be downloaded."
FETCH_TIMEOUT_SECONDS = 60.0
SWEEP_LIMIT = 200
EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif",
              "image/webp": ".webp", "image/bmp": ".bmp", "image/tiff": ".tif"}


class AttachmentFailure(Exception):
    def __init__(self, url: str, status_code: int | None, reason: str) -> None:
        super().__init__(reason)
        self.url = url
        self.status_code = status_code

    def as_json(self) -> dict:
        return {"statusCode": self.status_code, "url": self.url}


@dataclass(frozen=True)
class Copy:
    url: str
    name: str  # in the default storage
    width: int
    height: int
    mime_type: str
    owned: bool  # written by us (False: a scaledata:// file we only point at)


def attachment_urls(task: Task) -> list[str]:
    """The task's image first, then its context images in their order."""
    params = task.params or {}
    contexts = params.get("context_attachments") or []
    return [params.get("attachment") or "",
            *[c.get("attachment") or "" for c in contexts if isinstance(c, dict)]]


def needs_fetch(task: Task) -> bool:
    return task.status == TaskStatus.PENDING and not task.is_test and not task.attachment_mime


def fetch_for_task(task_id: str) -> str:
    """Fetch, check and keep every attachment of the task; what happened, in a word."""
    task = Task.objects.select_related("owner").filter(pk=task_id).first()
    if task is None or not needs_fetch(task):
        return "skipped"
    if task.type == "videoannotation":
        from tasks import video_frames  # it imports this module

        return video_frames.fetch_frames(task)
    from tasks.fetch_pool import Deadline, caught, run_bounded

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


def copy_attachment(task: Task, url: str, position: int, deadline=None) -> Copy:
    if url.startswith(SCHEME):
        return _point_at_upload(task, url)
    timeout = FETCH_TIMEOUT_SECONDS if deadline is None else deadline.timeout(
        FETCH_TIMEOUT_SECONDS)
    if timeout <= 0:
        raise AttachmentFailure(url, None, "the task's time for fetching ran out")
    try:
        result = fetching.fetch(url, max_bytes=settings.ANNOTATOR_MAX_UPLOAD_BYTES,
                                timeout=timeout)
    except fetching.FetchError as exc:
        raise AttachmentFailure(url, exc.status_code, exc.message) from exc
    try:
        info = inspect_image(result.content)
    except NotAnImage as exc:
        raise AttachmentFailure(url, result.status_code, str(exc)) from exc
    path = f"attachments/{task.task_id}/{position}{EXTENSIONS.get(info.mime_type, '')}"
    name = default_storage.save(path, ContentFile(result.content))
    return Copy(url, name, info.width, info.height, info.mime_type, owned=True)


def _point_at_upload(task: Task, url: str) -> Copy:
    upload = lifecycle.resolve_file(task.owner, task.is_test, url)
    if upload is None or not upload.file:
        raise AttachmentFailure(url, None, "the uploaded file no longer exists")
    try:
        with upload.file.open("rb") as handle:
            info = inspect_image(handle.read())
    except (OSError, NotAnImage) as exc:
        raise AttachmentFailure(url, None, f"the uploaded file cannot be read: {exc}") from exc
    return Copy(url, upload.file.name, info.width, info.height, info.mime_type, owned=False)


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
        Task.objects.filter(pk=task.pk).update(
            attachment_file=main.name, attachment_width=main.width,
            attachment_height=main.height, attachment_mime=main.mime_type)
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
                                      attachment_mime="", created_at__lte=horizon)
                  .order_by("created_at").values_list("task_id", flat=True)[:SWEEP_LIMIT])
    count = 0
    for task_id in unfinished:
        if task_id not in waiting:
            fetch_attachment.enqueue(task_id)
            count += 1
    return count

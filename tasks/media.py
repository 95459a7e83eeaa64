"""Our copies of a task's media: an image URL fetched, or an uploaded file pointed at.

Both kinds copy their media through here (tasks/attachments.py a task's image and context
images, tasks/video_frames.py a video's frames, tasks/video_layers.py its layers file). Every
URL goes through the SSRF-safe `tasks.fetching` with the upload size limit, and a copy must be
an image (`tasks.images`); a `scaledata://` file is already ours, so the copy points at it.
`fetch_image` is the same fetch without the copy: the Assist reads a task's original with it
while the worker has not stored the copy yet (tasks/assist/task_image.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tasks import fetching
from tasks.fetch_pool import Deadline
from tasks.images import NotAnImage, inspect_image
from tasks.models import Task
from tasks.models.files import SCHEME, UploadedFile

ERROR_MESSAGE = "One or more attachments could not be downloaded."
FETCH_TIMEOUT_SECONDS = 60.0
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
class Fetched:
    """An image fetched from its URL and checked, not stored."""

    content: bytes
    width: int
    height: int
    mime_type: str


@dataclass(frozen=True)
class Copy:
    url: str
    name: str  # in the default storage
    width: int
    height: int
    mime_type: str
    owned: bool  # written by us (False: a scaledata:// file we only point at)


def copy_attachment(task: Task, url: str, position: int,
                    deadline: Deadline | None = None) -> Copy:
    """Our copy of one attachment; a `deadline` (tasks/fetch_pool.py) shortens the fetch's
    timeout to the time the task has left."""
    if url.startswith(SCHEME):
        return _point_at_upload(task, url)
    timeout = FETCH_TIMEOUT_SECONDS if deadline is None else deadline.timeout(
        FETCH_TIMEOUT_SECONDS)
    if timeout <= 0:
        raise AttachmentFailure(url, None, "the task's time for fetching ran out")
    image = fetch_image(url, timeout)
    path = f"attachments/{task.task_id}/{position}{EXTENSIONS.get(image.mime_type, '')}"
    name = default_storage.save(path, ContentFile(image.content))
    return Copy(url, name, image.width, image.height, image.mime_type, owned=True)


def fetch_image(url: str, timeout: float) -> Fetched:
    """The image at an http(s) `url`: the SSRF-safe fetch with the upload size limit, checked
    as an image; an AttachmentFailure otherwise."""
    try:
        result = fetching.fetch(url, max_bytes=settings.ANNOTATOR_MAX_UPLOAD_BYTES,
                                timeout=timeout)
    except fetching.FetchError as exc:
        raise AttachmentFailure(url, exc.status_code, exc.message) from exc
    try:
        info = inspect_image(result.content)
    except NotAnImage as exc:
        raise AttachmentFailure(url, result.status_code, str(exc)) from exc
    return Fetched(result.content, info.width, info.height, info.mime_type)


def _point_at_upload(task: Task, url: str) -> Copy:
    upload = UploadedFile.objects.resolve(task.owner, task.is_test, url)
    if upload is None or not upload.file:
        raise AttachmentFailure(url, None, "the uploaded file no longer exists")
    try:
        with upload.file.open("rb") as handle:
            info = inspect_image(handle.read())
    except (OSError, NotAnImage) as exc:
        raise AttachmentFailure(url, None, f"the uploaded file cannot be read: {exc}") from exc
    return Copy(url, upload.file.name, info.width, info.height, info.mime_type, owned=False)

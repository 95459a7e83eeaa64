"""The image a model backend is sent: inline (base64 of the stored copy) and as a signed,
time-limited URL on this server that needs no session (docs/assist.md, "The image").

The URL is `{ANNOTATOR_PUBLIC_URL or the request's address}/assist-media/<token>`; the token is
signed with the server's SECRET_KEY (django.core.signing) and names one task; it is refused
after URL_LIFETIME_SECONDS.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.http import Http404
from django.urls import reverse

from tasks.models import Task

URL_LIFETIME_SECONDS = 600
SALT = "tasks.model_backends.media"
MAX_INLINE_BYTES = 40 * 1024 * 1024


@dataclass(frozen=True)
class BackendImage:
    data: bytes
    content_type: str
    width: int
    height: int
    url: str | None  # None when the server does not know its own address

    def as_json(self) -> dict:
        return {"url": self.url, "data": base64.b64encode(self.data).decode("ascii"),
                "content_type": self.content_type, "width": self.width, "height": self.height}

    def data_uri(self) -> str:
        return f"data:{self.content_type};base64,{base64.b64encode(self.data).decode('ascii')}"


class ImageMissing(Exception):
    """The task's image is not stored yet (or is gone)."""


def image_for(task: Task, base_url: str = "") -> BackendImage:
    """The stored copy of the task's image (tasks/attachments.py), with its signed URL."""
    if not task.attachment_file or not task.attachment_mime:
        raise ImageMissing(f"the image of task {task.task_id} is not stored yet")
    try:
        with task.attachment_file.open("rb") as handle:
            data = handle.read(MAX_INLINE_BYTES + 1)
    except OSError as exc:
        raise ImageMissing(f"the image of task {task.task_id} cannot be read: {exc}") from None
    if len(data) > MAX_INLINE_BYTES:
        raise ImageMissing(f"the image of task {task.task_id} is too large to send")
    return BackendImage(data, task.attachment_mime, task.attachment_width or 0,
                        task.attachment_height or 0, signed_url(task, base_url))


def signed_url(task: Task, base_url: str = "") -> str | None:
    base = (settings.ANNOTATOR_PUBLIC_URL or base_url).rstrip("/")
    if not base:
        return None
    token = signing.dumps(task.task_id, salt=SALT, compress=True)
    return base + reverse("assist-media", args=[token])


def task_of_token(token: str) -> Task:
    try:
        task_id = signing.loads(token, salt=SALT, max_age=URL_LIFETIME_SECONDS)
    except signing.BadSignature:  # SignatureExpired is one
        raise Http404("This image link is not valid (or has expired).") from None
    task = Task.objects.filter(pk=task_id).first()
    if task is None:
        raise Http404("No such task.")
    return task

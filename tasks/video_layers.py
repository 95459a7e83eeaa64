"""The read-only layers of a video task, one Layer object per frame, ready for the frame rows.

A task's `layer` / `layers` (same meaning; both may be given, then merged frame by frame) is
either the per-frame Layer objects themselves, checked at create (tasks/rules/video.py), or
{"url": ...}: a JSON array of Layer objects that the worker fetches here with the SSRF-safe
fetch of frames (tasks/fetching.py; an uploaded scaledata:// file is read from storage) and
checks as if it had been sent inline. Both are checked against the number of frames, known
once the frames are stored (a video file's after decoding). A layers file that cannot be
fetched, is not JSON or does not fit raises LayersFailure: the task ends in error.
"""

from __future__ import annotations

import orjson
from django.conf import settings

from tasks import fetching
from tasks.fetch_pool import Deadline
from tasks.media import FETCH_TIMEOUT_SECONDS
from tasks.models import Task
from tasks.models.files import SCHEME, UploadedFile
from tasks.rules.errors import RuleError
from tasks.rules.video import LAYER_NAMES, frame_layer_list, merged_layers


class FileFailure(Exception):
    """A JSON file of the task (layers, prelabels) that cannot be used."""

    def __init__(self, message: str, url: str | None = None,
                 status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.url = url
        self.status_code = status_code

    def as_response(self) -> dict:
        """The task's response when it ends in error for this file."""
        return {"error": f"The file could not be used: {self.message}."}


class LayersFailure(FileFailure):
    def as_response(self) -> dict:
        """The task's response when it ends in error for its layers."""
        response: dict = {"error": f"The layers could not be used: {self.message}."}
        if self.url is not None:
            response["layers"] = {"statusCode": self.status_code, "url": self.url}
        return response


def frame_layers(task: Task, frame_count: int,
                 deadline: Deadline | None = None) -> list[dict] | None:
    """One Layer object per frame (None when the task has no layers); LayersFailure. A
    `deadline` (tasks/fetch_pool.py) shortens the fetch to the time the task has left."""
    params = task.params or {}
    found = []
    for name in LAYER_NAMES:
        value = params.get(name)
        if value is None:
            continue
        url = value.get("url") if isinstance(value, dict) else None
        try:
            content = fetch_json(task, url, "layers", deadline) if url is not None else value
        except FileFailure as exc:
            raise LayersFailure(exc.message, exc.url, exc.status_code) from exc
        where = f"{name}.url" if url is not None else name
        try:
            found.append(frame_layer_list(content, params, where, frame_count))
        except RuleError as exc:
            raise LayersFailure(str(exc), url) from exc
    return merged_layers(found) if found else None


def fetch_json(task: Task, url: str, what: str, deadline: Deadline | None = None) -> object:
    """The JSON of a task's file (`what`: its name in messages), fetched like a frame or read
    from the account's scaledata:// upload; FileFailure."""
    data = fetch_bytes(task, url, what, deadline)
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise FileFailure(f"the {what} file is not JSON", url, 200) from exc


def fetch_bytes(task: Task, url: str, what: str, deadline: Deadline | None = None) -> bytes:
    """The bytes of a task's file (a layers or prelabels file, a segmentation hypothesis's
    mask), fetched like a frame or read from the account's scaledata:// upload; FileFailure."""
    limit = settings.ANNOTATOR_MAX_UPLOAD_BYTES
    if url.startswith(SCHEME):
        upload = UploadedFile.objects.resolve(task.owner, task.is_test, url)
        if upload is None or not upload.file:
            raise FileFailure(f"the uploaded {what} file is gone", url)
        with upload.file.open("rb") as handle:
            data = handle.read(limit + 1)
        if len(data) > limit:
            raise FileFailure(f"the {what} file is larger than {limit:,} bytes", url)
    else:
        timeout = FETCH_TIMEOUT_SECONDS if deadline is None else deadline.timeout(
            FETCH_TIMEOUT_SECONDS)
        if timeout <= 0:
            raise FileFailure("the task's time for fetching ran out", url)
        try:
            data = fetching.fetch(url, max_bytes=limit, timeout=timeout).content
        except fetching.FetchError as exc:
            raise FileFailure(exc.message, url, exc.status_code) from exc
    return data

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
from tasks.media import FETCH_TIMEOUT_SECONDS
from tasks.models import Task
from tasks.models.files import SCHEME, UploadedFile
from tasks.rules.errors import RuleError
from tasks.rules.video import LAYER_NAMES, frame_layer_list, merged_layers


class LayersFailure(Exception):
    def __init__(self, message: str, url: str | None = None,
                 status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.url = url
        self.status_code = status_code

    def as_response(self) -> dict:
        """The task's response when it ends in error for its layers."""
        response: dict = {"error": f"The layers could not be used: {self.message}."}
        if self.url is not None:
            response["layers"] = {"statusCode": self.status_code, "url": self.url}
        return response


def frame_layers(task: Task, frame_count: int) -> list[dict] | None:
    """One Layer object per frame (None when the task has no layers); LayersFailure."""
    params = task.params or {}
    found = []
    for name in LAYER_NAMES:
        value = params.get(name)
        if value is None:
            continue
        url = value.get("url") if isinstance(value, dict) else None
        content = _fetched(task, url) if url is not None else value
        where = f"{name}.url" if url is not None else name
        try:
            found.append(frame_layer_list(content, params, where, frame_count))
        except RuleError as exc:
            raise LayersFailure(str(exc), url) from exc
    return merged_layers(found) if found else None


def _fetched(task: Task, url: str) -> object:
    limit = settings.ANNOTATOR_MAX_UPLOAD_BYTES
    if url.startswith(SCHEME):
        upload = UploadedFile.objects.resolve(task.owner, task.is_test, url)
        if upload is None or not upload.file:
            raise LayersFailure("the uploaded layers file is gone", url)
        with upload.file.open("rb") as handle:
            data = handle.read(limit + 1)
        if len(data) > limit:
            raise LayersFailure(f"the layers file is larger than {limit:,} bytes", url)
    else:
        try:
            data = fetching.fetch(url, max_bytes=limit, timeout=FETCH_TIMEOUT_SECONDS).content
        except fetching.FetchError as exc:
            raise LayersFailure(exc.message, url, exc.status_code) from exc
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise LayersFailure("the layers file is not JSON", url, 200) from exc

"""A video task's prelabels given as files, fetched and checked by the worker.

A `hypothesis` or `base_annotations` whose `annotations` is {"url": ...} (kept so at create,
tasks/rules/video.py) names a JSON array of tracks. The worker fetches it after the frames,
with the fetch rules and the task's deadline of a layers file (`video_layers.fetch_json`), and
checks the tracks as if they had been sent inline, against the stored frames. `resolved`
gives the params with the tracks in place of the URLs, which tasks/video_frames.py stores with
the frames: the prelabels are then stored exactly as inline ones, before the task is handed
out. A file that cannot be fetched, is not JSON or does not fit raises PrelabelsFailure: the
task ends in error.
"""

from __future__ import annotations

from tasks.fetch_pool import Deadline
from tasks.models import Task
from tasks.models.files import SCHEME
from tasks.rules.errors import RuleError
from tasks.rules.prelabel_files import PRELABEL_NAMES, annotations_url
from tasks.rules.video import prelabel_from_file
from tasks.video_layers import FileFailure, fetch_json


class PrelabelsFailure(FileFailure):
    def __init__(self, name: str, message: str, url: str | None,
                 status_code: int | None = None) -> None:
        super().__init__(message, url, status_code)
        self.name = name

    def as_response(self) -> dict:
        """The task's response when it ends in error for a prelabels file."""
        return {"error": f"The prelabels could not be used: {self.message}.",
                self.name: {"statusCode": self.status_code, "url": self.url}}


def resolved(task: Task, frame_count: int, deadline: Deadline | None = None) -> dict | None:
    """The task's params with each prelabels file replaced by its checked tracks; None when
    the task names no such file. PrelabelsFailure."""
    params = task.params or {}
    changed = dict(params)
    for name in PRELABEL_NAMES:
        url = annotations_url(params.get(name))
        if url is None:
            continue
        try:
            tracks = fetch_json(task, url, name, deadline)
        except FileFailure as exc:
            raise PrelabelsFailure(name, exc.message, url, exc.status_code) from exc
        try:
            changed[name] = prelabel_from_file(name, params[name], tracks, params, frame_count)
        except RuleError as exc:
            # a file received is a 200; an upload of the account has no HTTP answer
            status = None if url.startswith(SCHEME) else 200
            raise PrelabelsFailure(name, str(exc), url, status) from exc
    return None if changed == params else changed

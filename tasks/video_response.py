"""The response of a video task: checked tracks and events, and the files it points at.

A submit (tasks/submission.py) checks the tracks, events, global attributes and links with
`check_response`, then `publish` writes the response files and returns the task's response:
{"annotations": {"url"}, "events": {"url"}, "global_attributes"?, "links"?}. The files are
written once per completion to the default storage and never change while the task stays
completed (a recall or rejection and a new submit write them again):
* annotations.json: one {"annotations": [...]} per frame, every track on that frame
  (tasks/rules/interpolation.py);
* events.json: the events with startTime / endTime from the frames' timestamps;
* tracks.json: the tracks as drawn (keyframes), from which a draft is rebuilt when the task is
  sent back.
GET /v1/task/<id>/files/<name> (tasks/api/views_video.py) serves them to the owning account.
"""

from __future__ import annotations

import orjson
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tasks import draft_extras
from tasks.models import Task, VideoFrame
from tasks.rules.attributes import global_definitions
from tasks.rules.events import task_attribute_definitions, validate_events
from tasks.rules.values import require_dict
from tasks.rules.video import (
    annotation_frames,
    events_file,
    frame_timestamps,
    validate_tracks,
    validate_video_response,
)

FILE_NAMES = ("annotations.json", "events.json", "tracks.json")
# Where the response's URLs point when neither this nor a request names the server.
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


# --- frames ---------------------------------------------------------------------------------

def stored_frame_count(task: Task) -> int | None:
    """How many frames the worker stored for the task (None: none yet)."""
    return VideoFrame.objects.filter(task=task).count() or None


def frame_count(task: Task) -> int | None:
    """How many frames the task has: its stored frames; before they are stored, its frame
    URLs (None for a video file not decoded yet)."""
    stored = stored_frame_count(task)
    if stored:
        return stored
    attachments = (task.params or {}).get("attachments")
    return len(attachments) if isinstance(attachments, list) else None


def timestamps(task: Task, count: int) -> list[float]:
    """The seconds of the task's frames: as stored, else sampled from frame_rate (a test
    task's frames are never fetched)."""
    stored = list(VideoFrame.objects.filter(task=task).order_by("index")
                  .values_list("timestamp", flat=True))
    if len(stored) >= count:
        return stored
    return frame_timestamps(count, float((task.params or {}).get("frame_rate") or 1))


def _frames_used(tracks: list[dict], events: list[dict]) -> int:
    """Frames a response needs when the task's count is unknown: up to its last mark."""
    last = [k["frame"] for t in tracks for k in t["keyframes"]]
    last += [e.get("end", e["start"]) for e in events]
    return max(last, default=0) + 1


# --- checking -------------------------------------------------------------------------------

def check_response(task: Task, payload: object) -> dict:
    """A submitted video response, checked as for images (required attributes on every
    visible keyframe, labels, links; tasks/submission.py adds the locks) and with its events
    (the payload's, else the draft's). Raises RuleError."""
    submitted = require_dict(payload, "response")
    count = frame_count(task)
    params = task.params
    response = validate_video_response(submitted, params, "response", kind="response",
                                       frame_count=count)
    events = submitted["events"] if "events" in submitted else \
        draft_extras.stored(task.draft_extras).get("events")
    response["events"] = validate_events(events, params, count, "response.events",
                                         check_required=True)
    return response


def check_draft_track(wanted: dict, params: dict, *, frame_count: int | None,
                      known_labels: dict[str, str | None] | None) -> dict:
    """One track of a draft operation (tasks/drafts.py), checked as a hypothesis's."""
    (clean,) = validate_tracks([wanted], params, path="", kind="draft",
                               frame_count=frame_count, known_labels=known_labels)
    return clean


# --- files ----------------------------------------------------------------------------------

def base_url(request_base: str = "") -> str:
    """The server's address in the response's URLs: ANNOTATOR_PUBLIC_URL, else the address
    the completing request came to."""
    return (settings.ANNOTATOR_PUBLIC_URL or request_base or DEFAULT_BASE_URL).rstrip("/")


def file_url(task: Task, name: str, base: str) -> str:
    return f"{base_url(base)}/v1/task/{task.task_id}/files/{name}"


def storage_name(task_id: str, name: str) -> str:
    return f"video-responses/{task_id}/{name}"


def publish(task: Task, response: dict, *, base: str = "") -> dict:
    """Write the response files of a checked response; the task's response that points at
    them."""
    tracks, events = response["annotations"], response.get("events") or []
    count = frame_count(task) or _frames_used(tracks, events)
    geometries = (task.params or {}).get("geometries") or {}
    contents = {
        "annotations.json": annotation_frames(tracks, count, geometries),
        "events.json": events_file(events, timestamps(task, count)),
        "tracks.json": tracks,
    }
    for name, content in contents.items():
        _write(storage_name(task.task_id, name), orjson.dumps(content))
    result: dict = {"annotations": {"url": file_url(task, "annotations.json", base)},
                    "events": {"url": file_url(task, "events.json", base)}}
    for key in ("global_attributes", "links"):
        if key in response:
            result[key] = response[key]
    return result


def _write(name: str, data: bytes) -> None:
    if default_storage.exists(name):
        default_storage.delete(name)
    default_storage.save(name, ContentFile(data))


def open_file(task: Task, name: str):
    """The stored response file `name` of a completed task (a binary file), or None."""
    if name not in FILE_NAMES or task.status != "completed":
        return None
    path = storage_name(task.task_id, name)
    if not default_storage.exists(path):
        return None
    return default_storage.open(path, "rb")


def test_response(task: Task, params: dict, *, base: str = "") -> dict:
    """What a video task created with a test key completes with: its hypothesis."""
    hypothesis = params.get("hypothesis") or {}
    response = {"annotations": hypothesis.get("annotations") or [], "events": []}
    if "global_attributes" in hypothesis or global_definitions(
            task_attribute_definitions(params)):
        response["global_attributes"] = hypothesis.get("global_attributes", {})
    if "links" in hypothesis or params.get("links"):
        response["links"] = hypothesis.get("links", [])
    return publish(task, response, base=base)


def as_draft(task: Task, response: object) -> object:
    """A video response as a draft starts from it: the tracks and events of its files (a
    response that does not point at them is returned as it is)."""
    if not isinstance(response, dict) or not isinstance(response.get("annotations"), dict):
        return response
    events = _read(task, "events.json")
    return {**response, "annotations": _read(task, "tracks.json") or [],
            "events": [_draft_event(event) for event in events or [] if isinstance(event, dict)]}


def _draft_event(event: dict) -> dict:
    return {key: event[key] for key in ("label", "type", "start", "end", "attributes")
            if key in event}


def _read(task: Task, name: str) -> list | None:
    path = storage_name(task.task_id, name)
    if not default_storage.exists(path):
        return None
    with default_storage.open(path, "rb") as handle:
        content = orjson.loads(handle.read())
    return content if isinstance(content, list) else None

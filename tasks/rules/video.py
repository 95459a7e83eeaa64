"""The create body of a video task, tracks and events (docs/api-decisions.md, "Video").

`normalize_video_params` checks the video-only fields and hands the shared ones (geometries,
attributes, links, paddings, ...) to `params.normalize_image_params`. A track is one object
across the frames: {uuid, type, label, keyframes: [{frame, <geometry keys>, attributes?} or
{frame, outside: true}]}; each visible keyframe is checked as an annotation of the image
response format (`annotations.validate_annotations`) with the attributes in force on it.
`annotation_frames` and `events_file` build the response files from checked tracks and events
(tasks/rules/events.py checks the events and their attributes).
"""

from __future__ import annotations

import uuid as uuid_module
from typing import Any

from tasks.kinds.names import VIDEO

from .annotations import MAX_ANNOTATIONS, MAX_UUID_LENGTH, validate_annotations, validate_links
from .attributes import global_definitions
from .errors import RuleError, join
from .events import (
    check_event_attribute_conditions,
    task_attribute_definitions,
    validate_task_globals,
)
from .interpolation import is_outside, keyframe_attributes, round_half_up, track_frames
from .params import _layers as validate_layer
from .params import normalize_image_params, validate_attachment_url
from .values import (
    require_bool,
    require_dict,
    require_int,
    require_list,
    require_number,
    require_string,
)

ATTACHMENT_TYPES = ("image", "video")
MAX_FRAMES = 3000
MAX_FRAME_RATE = 60
DEFAULT_FRAME_RATE = 1
MAX_KEYFRAMES = 200_000
MAX_EVENT_LABELS = 1000
MAX_LABEL_LENGTH = 1000
# Fields of the shared image rules that a video task does not take (yet).
REFUSED_KEYS = ("context_attachments",)
# `layer` and `layers` mean the same (docs/task-format.md), here per frame.
LAYER_NAMES = ("layer", "layers")
VIDEO_KEYS = ("attachment_type", "attachments", "attachment", "frame_rate",
              "events_to_annotate", "hypothesis", "base_annotations", *LAYER_NAMES)
# Stands in for the attachment while the shared rules check the rest: a video task has none.
PLACEHOLDER_ATTACHMENT = "https://video-frames.invalid/frame"
TRACK_KEYS = frozenset({"uuid", "type", "label", "keyframes"})
KEYFRAME_META = frozenset({"frame", "outside", "attributes", "uuid", "type", "label"})
# The path a keyframe is checked under, replaced by the keyframe's own in error messages.
_CHECK_PATH = "\x00"


# ---------------------------------------------------------------- params


def normalize_video_params(params: Any) -> dict[str, Any]:
    """Validate the video task's params (the create body minus the task fields) and return
    a new, normalized dict, video fields first, then those the image rules normalize."""
    if not isinstance(params, dict):
        raise RuleError("", "the task parameters must be a JSON object")
    kind = _attachment_type(params.get("attachment_type"))
    result: dict[str, Any] = {"attachment_type": kind}
    if kind == "image":
        if params.get("attachment") is not None:
            raise RuleError("attachment", 'must be omitted when attachment_type is "image": '
                                          "send the frames as attachments")
        result["attachments"] = _frame_urls(params.get("attachments"))
    else:
        if params.get("attachments") is not None:
            raise RuleError("attachments", 'must be omitted when attachment_type is "video"')
        result["attachment"] = validate_attachment_url(params.get("attachment"), "attachment")
    result["frame_rate"] = _frame_rate(params.get("frame_rate"))
    for key in REFUSED_KEYS:
        if params.get(key) is not None:
            raise RuleError(key, f"is not supported for {VIDEO} tasks")
    shared = {key: value for key, value in params.items() if key not in VIDEO_KEYS}
    # the events first: a global attribute's label_condition may name them (events.py)
    events = None if params.get("events_to_annotate") is None else \
        _event_labels(params["events_to_annotate"])
    common = normalize_image_params({**shared, "attachment": PLACEHOLDER_ATTACHMENT},
                                    event_labels=events or ())
    for key in ("attachment", "attachment_type"):
        common.pop(key)
    result.update(common)
    if events is not None:
        result["events_to_annotate"] = events
    check_event_attribute_conditions(result)
    frame_count = len(result["attachments"]) if kind == "image" else None
    if params.get("hypothesis") is not None:
        result["hypothesis"] = _prelabel_file(params["hypothesis"], "hypothesis") or \
            validate_video_response(params["hypothesis"], result, "hypothesis",
                                    kind="hypothesis", frame_count=frame_count)
    for name in LAYER_NAMES:
        if params.get(name) is not None:
            result[name] = validate_frame_layers(params[name], result, name, frame_count)
    if params.get("base_annotations") is not None:
        result["base_annotations"] = _prelabel_file(params["base_annotations"],
                                                     "base_annotations") or \
            _base_tracks(params["base_annotations"], result, frame_count)
    return result


def _prelabel_file(value: Any, path: str) -> dict[str, Any] | None:
    """A prelabel whose annotations are {"url"}: a JSON array of tracks the worker fetches
    and checks against the frames (tasks/video_prelabels.py), else None. Its other keys (a
    hypothesis's global_attributes and links) are checked with the tracks."""
    if not isinstance(value, dict) or not isinstance(value.get("annotations"), dict):
        return None
    where = join(path, "annotations")
    if set(value["annotations"]) != {"url"}:
        raise RuleError(where, 'must be a list of tracks or {"url": "<URL of a JSON array of '
                               'tracks>"}')
    return {**value, "annotations": {
        "url": validate_attachment_url(value["annotations"]["url"], join(where, "url"))}}


def prelabel_from_file(name: str, stored: dict[str, Any], tracks: Any, params: dict[str, Any],
                       frame_count: int) -> dict[str, Any]:
    """A prelabel given as a file (`stored`: as kept at create), with the file's `tracks`,
    checked as if it had been sent inline; RuleError naming where."""
    if name == "hypothesis":
        return validate_video_response({**stored, "annotations": tracks}, params, name,
                                       kind="hypothesis", frame_count=frame_count)
    return {"annotations": validate_tracks(tracks, params, path=join(name, "annotations"),
                                           kind="base", frame_count=frame_count)}


def _base_tracks(value: Any, params: dict[str, Any], frame_count: int | None) -> dict[str, Any]:
    """{"annotations": [track, ...]}: tracks as in a hypothesis, each with `locked`."""
    path = "base_annotations"
    if not isinstance(value, dict):
        raise RuleError(path, "must be an object with an annotations list of tracks")
    if value.get("annotations") is None:
        raise RuleError(join(path, "annotations"), "is required")
    return {"annotations": validate_tracks(value["annotations"], params,
                                           path=join(path, "annotations"), kind="base",
                                           frame_count=frame_count)}


# ---------------------------------------------------------------- layers per frame

LAYERS_SHAPE = ('must be {"url": "<URL of a JSON array with one Layer object per frame>"} or '
                "an array with one Layer object per frame")


def validate_frame_layers(value: Any, params: dict[str, Any], path: str,
                          frame_count: int | None) -> dict[str, Any] | list[dict[str, Any]]:
    """`layers` of a video task: {"url"} (the worker fetches the file) or the per-frame Layer
    objects themselves, checked as an image's `layers` (null: an empty layer)."""
    if isinstance(value, dict):
        if set(value) != {"url"}:
            raise RuleError(path, LAYERS_SHAPE)
        return {"url": validate_attachment_url(value["url"], join(path, "url"))}
    if not isinstance(value, list):
        raise RuleError(path, LAYERS_SHAPE)
    return frame_layer_list(value, params, path, frame_count)


def frame_layer_list(value: Any, params: dict[str, Any], path: str,
                     frame_count: int | None) -> list[dict[str, Any]]:
    """One Layer object per frame (a fetched layers file, or sent inline), checked."""
    if not isinstance(value, list):
        raise RuleError(path, "must be an array with one Layer object per frame")
    if frame_count is not None and len(value) != frame_count:
        raise RuleError(path, f"must have one Layer object per frame: {frame_count}, "
                              f"not {len(value)}")
    if not 1 <= len(value) <= MAX_FRAMES:
        raise RuleError(path, f"must have between 1 and {MAX_FRAMES} Layer objects")
    return [{} if layer is None else validate_layer(layer, params, join(path, index))
            for index, layer in enumerate(value)]


def merged_layers(layers: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The per-frame layers of `layer` and `layers` (both may be given) as one list."""
    result: list[dict[str, Any]] = []
    for frames in layers:
        for index, layer in enumerate(frames):
            if index == len(result):
                result.append({})
            for key, items in layer.items():
                result[index][key] = [*result[index].get(key, []), *items]
    return result


def _attachment_type(value: Any) -> str:
    if value is None:
        return "image"
    if not isinstance(value, str) or value not in ATTACHMENT_TYPES:
        raise RuleError("attachment_type", 'must be "image" (frames) or "video"')
    return value


def _frame_urls(value: Any) -> list[str]:
    path = "attachments"
    if value is None:
        raise RuleError(path, 'is required when attachment_type is "image" (one URL per frame)')
    require_list(value, path)
    if not 1 <= len(value) <= MAX_FRAMES:
        raise RuleError(path, f"must have between 1 and {MAX_FRAMES} frame URLs")
    return [validate_attachment_url(url, join(path, index)) for index, url in enumerate(value)]


def _frame_rate(value: Any) -> int | float:
    if value is None:
        return DEFAULT_FRAME_RATE
    return require_number(value, "frame_rate", minimum=0, maximum=MAX_FRAME_RATE,
                          exclusive_minimum=True)


def _event_labels(value: Any) -> list[str]:
    path = "events_to_annotate"
    require_list(value, path)
    if len(value) > MAX_EVENT_LABELS:
        raise RuleError(path, f"must have at most {MAX_EVENT_LABELS} labels")
    seen: list[str] = []
    for index, label in enumerate(value):
        require_string(label, join(path, index), max_length=MAX_LABEL_LENGTH)
        if label in seen:
            raise RuleError(join(path, index), f'repeats "{label}"')
        seen.append(label)
    return seen


# ---------------------------------------------------------------- tracks


def validate_video_response(
    response: Any, params: dict[str, Any], path: str = "response", *, kind: str = "response",
    frame_count: int | None = None,
) -> dict[str, Any]:
    """A response (or hypothesis) whose annotations are tracks: {annotations, global_attributes?,
    links?}, checked like the image one (`annotations.validate_response`)."""
    require_dict(response, path)
    annotations_path = join(path, "annotations")
    if response.get("annotations") is None:
        raise RuleError(annotations_path, "is required")
    tracks = validate_tracks(response["annotations"], params, path=annotations_path, kind=kind,
                             frame_count=frame_count)
    result: dict[str, Any] = {"annotations": tracks}
    uuid_labels = {track["uuid"]: track.get("label") for track in tracks}
    given = response.get("global_attributes")
    if given is not None or global_definitions(task_attribute_definitions(params)):
        result["global_attributes"] = validate_task_globals(
            given, params, path=join(path, "global_attributes"), uuid_labels=uuid_labels,
            check_required=kind == "response")
    links = response.get("links")
    if links is not None or params.get("links"):
        result["links"] = validate_links(links, params, uuid_labels, join(path, "links"))
    return result


def validate_tracks(
    tracks: Any, params: dict[str, Any], *, path: str, kind: str, frame_count: int | None = None,
    known_labels: dict[str, str | None] | None = None,
) -> list[dict[str, Any]]:
    """Check a list of tracks against NORMALIZED params; a new list. `kind` as for
    `annotations.validate_annotations` ("response" asks for required attributes on every
    visible keyframe). `frame_count`: the task's frames, when known."""
    require_list(tracks, path)
    if len(tracks) > MAX_ANNOTATIONS:
        raise RuleError(path, f"must have at most {MAX_ANNOTATIONS} tracks")
    total = sum(len(t["keyframes"]) for t in tracks
                if isinstance(t, dict) and isinstance(t.get("keyframes"), list))
    if total > MAX_KEYFRAMES:
        raise RuleError(path, f"must have at most {MAX_KEYFRAMES} keyframes in all")
    uuid_labels = {**(known_labels or {}), **{
        t["uuid"]: t.get("label") for t in tracks
        if isinstance(t, dict) and isinstance(t.get("uuid"), str)}}
    result: list[dict[str, Any]] = []
    first: dict[str, int] = {}
    for index, track in enumerate(tracks):
        clean = validate_track(track, params, path=join(path, index), kind=kind,
                               frame_count=frame_count, uuid_labels=uuid_labels)
        if clean["uuid"] in first:
            raise RuleError(join(join(path, index), "uuid"),
                            f"duplicates the uuid of {join(path, first[clean['uuid']])}",
                            annotation_uuid=clean["uuid"])
        first[clean["uuid"]] = index
        result.append(clean)
    return result


def validate_track(
    track: Any, params: dict[str, Any], *, path: str, kind: str, frame_count: int | None = None,
    uuid_labels: dict[str, str | None] | None = None,
) -> dict[str, Any]:
    """One track, checked; a new dict {uuid, type, label?, keyframes}."""
    require_dict(track, path)
    uuid = track.get("uuid")
    sent_uuid = uuid if isinstance(uuid, str) else None
    try:
        return _track(track, params, path, kind, frame_count, uuid_labels or {})
    except RuleError as error:
        error.annotation_uuid = error.annotation_uuid or sent_uuid
        raise


def _track(track: dict[str, Any], params: dict[str, Any], path: str, kind: str,
           frame_count: int | None,
           uuid_labels: dict[str, Any]) -> dict[str, Any]:
    uuid = track.get("uuid")
    if uuid is None:
        uuid = str(uuid_module.uuid4())
    require_string(uuid, join(path, "uuid"), max_length=MAX_UUID_LENGTH)
    geometry = track.get("type")
    if geometry is None:
        raise RuleError(join(path, "type"), "is required")
    if not isinstance(geometry, str) or geometry not in (params.get("geometries") or {}):
        enabled = ", ".join(params.get("geometries") or {})
        raise RuleError(join(path, "type"), f"must be one of the task's geometries ({enabled})")
    head = {"uuid": uuid, "type": geometry}
    if track.get("label") is not None:
        head["label"] = track["label"]
    # a base track's keyframes are checked as a hypothesis's; `locked` is the track's
    keyframe_kind = "hypothesis" if kind == "base" else kind
    keyframes = _keyframes(track.get("keyframes"), head, params, join(path, "keyframes"),
                           keyframe_kind, frame_count, {**uuid_labels, uuid: track.get("label")})
    result = {**head, "keyframes": keyframes}
    if kind == "base":
        locked = track.get("locked")
        result["locked"] = False if locked is None else require_bool(locked,
                                                                     join(path, "locked"))
    return result


def _keyframes(value: Any, head: dict[str, Any], params: dict[str, Any], path: str, kind: str,
               frame_count: int | None, uuid_labels: dict[str, Any]) -> list[dict[str, Any]]:
    if value is None:
        raise RuleError(path, "is required")
    require_list(value, path)
    if not value:
        raise RuleError(path, "must have at least one keyframe")
    limit = MAX_FRAMES if frame_count is None else frame_count
    for index, keyframe in enumerate(value):
        require_dict(keyframe, join(path, index))
    merged = keyframe_attributes(value)
    result, previous = [], None
    for index, keyframe in enumerate(value):
        item_path = join(path, index)
        frame = require_int(keyframe.get("frame"), join(item_path, "frame"), minimum=0,
                            maximum=limit - 1)
        if previous is not None and frame <= previous:
            raise RuleError(join(item_path, "frame"),
                            f"must be greater than {previous}, the frame of the keyframe "
                            "before it (keyframes are sorted by frame, one per frame)")
        previous = frame
        outside = keyframe.get("outside")
        if outside is not None and require_bool(outside, join(item_path, "outside")):
            result.append({"frame": frame, "outside": True})
            continue
        clean = _visible(keyframe, merged[index], head, params, item_path, kind, uuid_labels)
        result.append(_stored_keyframe(frame, keyframe, clean))
    if all(is_outside(keyframe) for keyframe in result):
        raise RuleError(path, "must have at least one keyframe that is not outside")
    return result


def _visible(keyframe: dict[str, Any], attributes: dict[str, Any], head: dict[str, Any],
             params: dict[str, Any], path: str, kind: str,
             uuid_labels: dict[str, Any]) -> dict[str, Any]:
    annotation = {**{k: v for k, v in keyframe.items() if k not in KEYFRAME_META}, **head,
                  "attributes": attributes}
    try:
        (clean,) = validate_annotations([annotation], params, path=_CHECK_PATH, kind=kind,
                                        known_labels=uuid_labels)
    except RuleError as error:
        where = error.path.removeprefix(_CHECK_PATH + "[0]")
        if where == ".label":  # the track's label: named there (path is <track>.keyframes[i])
            track_path = path[:path.rindex("keyframes[")].rstrip(".")
            error.path = join(track_path, "label")
        else:
            error.path = path + where
        raise
    return clean


def _stored_keyframe(frame: int, keyframe: dict[str, Any], clean: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {"frame": frame}
    result.update({k: v for k, v in clean.items()
                   if k not in ("uuid", "type", "label", "attributes")})
    given = keyframe.get("attributes")
    if isinstance(given, dict):
        result["attributes"] = {k: clean["attributes"][k] for k in given
                                if k in clean["attributes"]}
    return result


# ---------------------------------------------------------------- response files


def annotation_frames(
    tracks: list[dict[str, Any]], frame_count: int, geometries: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """annotations.json: one {"annotations": [...]} per frame, every track present on it (in
    the tracks' order) as an annotation of the image response format."""
    frames: list[dict[str, Any]] = [{"annotations": []} for _ in range(frame_count)]
    for track in tracks:
        head = {"uuid": track["uuid"], "type": track["type"]}
        if track.get("label") is not None:
            head["label"] = track["label"]
        for index, geometry in enumerate(track_frames(track, frame_count, geometries)):
            if geometry is not None:
                frames[index]["annotations"].append({**head, **geometry})
    return frames


def events_file(events: list[dict[str, Any]], timestamps: list[float]) -> list[dict[str, Any]]:
    """events.json: each event with startTime / endTime, the seconds of its frames."""
    result = []
    for event in events:
        item: dict[str, Any] = {"label": event["label"], "type": event["type"],
        "start": event["start"],
                      "startTime": _seconds(timestamps, event["start"])}
        if event["type"] == "range":
            item["end"] = event["end"]
            item["endTime"] = _seconds(timestamps, event["end"])
        item["attributes"] = event.get("attributes") or {}
        result.append(item)
    return result


def _seconds(timestamps: list[float], frame: int) -> float | None:
    if 0 <= frame < len(timestamps):
        return round_half_up(timestamps[frame], 3)
    return None


def frame_timestamps(frame_count: int, frame_rate: float) -> list[float]:
    """The timestamps of frames sampled `frame_rate` times a second from 0."""
    return [round_half_up(index / frame_rate, 3) for index in range(frame_count)]

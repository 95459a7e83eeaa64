"""Tracks, events and the response files of video tasks (tasks/rules/video.py), without Django."""

from __future__ import annotations

import pytest

from tasks.rules.errors import RuleError
from tasks.rules.events import validate_events
from tasks.rules.video import (
    annotation_frames,
    events_file,
    frame_timestamps,
    normalize_video_params,
    validate_tracks,
)

PARAMS = normalize_video_params({
    "attachments": [f"https://example.com/{n}.jpg" for n in range(10)],
    "geometries": {"box": {"objects_to_annotate": ["car"], "can_rotate": True,
                           "min_width": 5}},
    "annotation_attributes": {"moving": {"choices": ["yes", "no"], "required": True}},
    "events_to_annotate": ["Stop"],
})
BOX = {"left": 0, "top": 0, "width": 10, "height": 10}


def track(*keyframes: dict, **extra) -> dict:
    return {"uuid": "t1", "type": "box", "label": "car", "keyframes": list(keyframes), **extra}


def error(call) -> RuleError:
    with pytest.raises(RuleError) as caught:
        call()
    return caught.value


def test_keyframes_are_normalized_like_annotations():
    (clean,) = validate_tracks([track({"frame": 0, **BOX, "attributes": {"moving": "no"},
                                       "junk": 1}, {"frame": 3, "outside": True, "left": 4})],
                               PARAMS, path="a", kind="hypothesis", frame_count=10)
    first, outside = clean["keyframes"]
    assert first["rotation"] == 0 and len(first["vertices"]) == 4  # can_rotate fills them in
    assert "junk" not in first and first["attributes"] == {"moving": "no"}
    assert outside == {"frame": 3, "outside": True}


def test_required_attributes_are_asked_on_every_visible_keyframe_at_submit_only():
    tracks = [track({"frame": 0, **BOX}, {"frame": 2, **BOX, "attributes": {"moving": "no"}})]
    assert validate_tracks(tracks, PARAMS, path="a", kind="draft", frame_count=10)
    failed = error(lambda: validate_tracks(tracks, PARAMS, path="a", kind="response"))
    assert str(failed) == "a[0].keyframes[0].attributes.moving is required"
    assert failed.annotation_uuid == "t1"
    # an answer holds for the keyframes after it
    held = [track({"frame": 0, **BOX, "attributes": {"moving": "no"}}, {"frame": 2, **BOX})]
    assert validate_tracks(held, PARAMS, path="a", kind="response")


def test_minimum_sizes_wait_for_the_submit():
    small = [track({"frame": 0, **BOX, "width": 2, "attributes": {"moving": "no"}})]
    assert validate_tracks(small, PARAMS, path="a", kind="draft")
    assert "a[0].keyframes[0].width must be at least" in str(
        error(lambda: validate_tracks(small, PARAMS, path="a", kind="response")))


def test_the_frame_count_bounds_keyframes_when_known():
    late = [track({"frame": 12, **BOX})]
    assert validate_tracks(late, PARAMS, path="a", kind="draft")  # a video not decoded yet
    assert str(error(lambda: validate_tracks(late, PARAMS, path="a", kind="draft",
                                             frame_count=10))) == \
        "a[0].keyframes[0].frame must be an integer between 0 and 9"


def test_events_are_checked_and_kept():
    events = [{"label": "Stop", "type": "point", "start": 2, "uuid": "e1"},
              {"label": "Stop", "type": "range", "start": 3, "end": 3, "attributes": {}}]
    assert validate_events(events, PARAMS, 10) == [
        {"uuid": "e1", "label": "Stop", "type": "point", "start": 2, "attributes": {}},
        {"label": "Stop", "type": "range", "start": 3, "end": 3, "attributes": {}}]
    for bad, message in [
        ({"label": "Go", "type": "point", "start": 0}, "events[0].label must be one of"),
        ({"label": "Stop", "type": "span", "start": 0}, 'events[0].type must be "point" or'),
        ({"label": "Stop", "type": "range", "start": 4, "end": 2}, "events[0].end must be"),
        ({"label": "Stop", "type": "point", "start": 1, "end": 2}, "events[0].end must be "
                                                                   "omitted"),
        ({"label": "Stop", "type": "point", "start": 10}, "events[0].start must be an "
                                                          "integer between 0 and 9"),
        ({"label": "Stop", "type": "point", "start": 0, "attributes": []},
         "events[0].attributes must be an object"),
    ]:
        assert str(error(lambda bad=bad: validate_events([bad], PARAMS, 10))).startswith(
            message)


def test_the_files_hold_every_frame_and_the_times_of_events():
    tracks = validate_tracks([track({"frame": 1, **BOX, "attributes": {"moving": "no"}},
                                    {"frame": 3, **BOX, "left": 20})],
                             PARAMS, path="a", kind="response", frame_count=5)
    frames = annotation_frames(tracks, 5, PARAMS["geometries"])
    assert frames[0] == {"annotations": []}
    assert [f["annotations"][0]["left"] for f in frames[1:]] == [0, 10, 20, 20]
    assert list(frames[2]["annotations"][0])[:3] == ["uuid", "type", "label"]
    stamps = frame_timestamps(5, 3)
    assert stamps == [0, 0.333, 0.667, 1.0, 1.333]
    assert events_file([{"label": "Stop", "type": "range", "start": 1, "end": 4,
                         "attributes": {}}], stamps) == [
        {"label": "Stop", "type": "range", "start": 1, "startTime": 0.333, "end": 4,
         "endTime": 1.333, "attributes": {}}]

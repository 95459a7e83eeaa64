"""Events of video tasks and their attributes (tasks/rules/events.py), without Django: which
global attributes are event attributes, and how an event's values are checked."""

from __future__ import annotations

import pytest

from tasks.rules.errors import RuleError
from tasks.rules.events import (
    event_definitions,
    task_attribute_definitions,
    validate_events,
    validate_task_globals,
)
from tasks.rules.video import events_file, normalize_video_params, validate_video_response

ATTRIBUTES = {
    "moving": {"choices": ["yes", "no"]},
    "weather": {"choices": ["sun", "rain"], "required": True,
                "conditions": {"is_global": True}},
    "lane": {"choices": ["left", "right"], "required": True,
             "conditions": {"is_global": True, "label_condition": {"label": "Turning"}}},
    "signal": {"choices": ["on", "off"], "default": "on",
               "conditions": {"is_global": True, "label_condition": {"label": ["Turning"]},
                              "attribute_conditions": [{"lane": "left"}]}},
    "hard": {"type": "number", "min": 0, "max": 5, "required": True,
             "conditions": {"is_global": True,
                            "label_condition": {"label": ["Stop", "Turning"]}}},
}


def params(attributes: dict | None = None, **extra) -> dict:
    return normalize_video_params({
        "attachments": [f"https://example.com/{n}.jpg" for n in range(10)],
        "geometries": {"box": {"objects_to_annotate": ["car"]}},
        "annotation_attributes": ATTRIBUTES if attributes is None else attributes,
        "events_to_annotate": ["Turning", "Stop"], **extra,
    })


PARAMS = params()


def error(call) -> RuleError:
    with pytest.raises(RuleError) as caught:
        call()
    return caught.value


def turning(**attributes) -> dict:
    return {"label": "Turning", "type": "range", "start": 2, "end": 5, "attributes": attributes}


def stop(**attributes) -> dict:
    return {"label": "Stop", "type": "point", "start": 7, "attributes": attributes}


def test_a_label_condition_naming_an_event_label_makes_an_event_attribute():
    assert list(event_definitions(PARAMS)) == ["lane", "signal", "hard"]
    assert list(task_attribute_definitions(PARAMS)) == ["moving", "weather"]
    # the event labels are accepted in the label_condition of global attributes only
    per_annotation = {"x": {"choices": ["a"], "conditions": {"label_condition": {"label": "Stop"}}}}
    assert str(error(lambda: params(per_annotation))) == \
        'annotation_attributes.x.conditions.label_condition.label "Stop" is not a label of any ' \
        "geometry"
    unknown = {"x": {"choices": ["a"], "conditions": {"is_global": True,
                                                      "label_condition": {"label": "Jump"}}}}
    assert "label_condition.label" in str(error(lambda: params(unknown)))
    # an image task knows no event labels
    assert event_definitions({"annotation_attributes": PARAMS["annotation_attributes"]}) == {}


def test_event_and_task_wide_attributes_cannot_depend_on_each_other():
    mixed = {**ATTRIBUTES, "wet": {"choices": ["y", "n"], "conditions": {
        "is_global": True, "label_condition": {"label": "Stop"},
        "attribute_conditions": [{"weather": "rain"}]}}}
    assert str(error(lambda: params(mixed))).startswith(
        "annotation_attributes.wet.conditions.attribute_conditions[0].weather an event "
        "attribute cannot depend on a task-wide global attribute")
    backwards = {**ATTRIBUTES, "dark": {"choices": ["y"], "conditions": {
        "is_global": True, "attribute_conditions": [{"lane": "left"}]}}}
    assert str(error(lambda: params(backwards))) == (
        "annotation_attributes.dark.conditions.attribute_conditions[0].lane a task-wide "
        "global attribute cannot depend on an event attribute")


def test_an_event_takes_the_attributes_whose_conditions_hold_for_it():
    events = [turning(lane="left", signal="off", hard=2), stop(hard=0), turning(lane="right")]
    clean = validate_events(events, PARAMS, 10)
    assert [e["attributes"] for e in clean] == [
        {"lane": "left", "signal": "off", "hard": 2}, {"hard": 0}, {"lane": "right"}]
    for bad, message in [
        (stop(lane="left"), 'events[0].attributes.lane does not apply to a "Stop" event '
                            "(its conditions do not hold)"),
        # signal shows only when lane is left: a hidden value is refused, as for images
        (turning(lane="right", signal="on"), 'events[0].attributes.signal does not apply to a '
                                             '"Turning" event'),
        (turning(signal="on"), "events[0].attributes.signal does not apply"),
        (turning(lane="up"), 'events[0].attributes.lane must be one of the choices: "left", '
                             '"right"'),
        (stop(hard=9), "events[0].attributes.hard must be"),
        (stop(nope=1), "events[0].attributes.nope is not a defined attribute"),
        (stop(weather="sun"), "events[0].attributes.weather is a task-wide global attribute"),
        (stop(moving="no"), "events[0].attributes.moving is a per-annotation attribute"),
    ]:
        assert str(error(lambda bad=bad: validate_events([bad], PARAMS, 10))).startswith(
            message), bad
    # null values are dropped
    assert validate_events([stop(hard=None)], PARAMS, 10)[0]["attributes"] == {}


def test_required_event_attributes_are_asked_at_the_submit_only():
    unanswered = [turning(lane="left", hard=1), stop()]
    assert validate_events(unanswered, PARAMS, 10)  # a draft may be incomplete
    assert str(error(lambda: validate_events(unanswered, PARAMS, 10, "response.events",
                                             check_required=True))) == \
        'response.events[1].attributes.hard is required for a "Stop" event'
    # a required attribute whose conditions do not hold is not asked
    lane_only = {"lane": ATTRIBUTES["lane"],
                 "speed": {"type": "number", "required": True, "conditions": {
                     "is_global": True, "label_condition": {"label": "Turning"},
                     "attribute_conditions": [{"lane": "right"}]}}}
    assert validate_events([turning(lane="left")], params(lane_only), 10,
                           check_required=True)[0]["attributes"] == {"lane": "left"}
    assert str(error(lambda: validate_events([turning(lane="right")], params(lane_only), 10,
                                             check_required=True))) == \
        'events[0].attributes.speed is required for a "Turning" event'


def test_the_task_wide_global_attributes_leave_the_event_ones_out():
    assert validate_task_globals({"weather": "sun"}, PARAMS, path="g",
                                 check_required=True) == {"weather": "sun"}
    assert str(error(lambda: validate_task_globals({"weather": "sun", "lane": "left"}, PARAMS,
                                                   path="g", check_required=False))) == \
        "g.lane is an event attribute (its label_condition names an event label): send it in " \
        "the events' attributes"
    assert str(error(lambda: validate_task_globals({}, PARAMS, path="g", check_required=True))) \
        == "g.weather is required"
    # a response: global_attributes holds the task-wide ones; none when there are none
    track = {"uuid": "t", "type": "box", "label": "car",
             "keyframes": [{"frame": 0, "left": 0, "top": 0, "width": 5, "height": 5}]}
    checked = validate_video_response({"annotations": [track], "global_attributes":
                                       {"weather": "rain"}}, PARAMS, frame_count=10)
    assert checked["global_attributes"] == {"weather": "rain"}
    events_only = params({"lane": ATTRIBUTES["lane"]})
    assert "global_attributes" not in validate_video_response(
        {"annotations": [track]}, events_only, kind="hypothesis", frame_count=10)


def test_events_json_carries_each_events_attributes():
    clean = validate_events([turning(lane="left", signal="on", hard=1), stop(hard=3)], PARAMS,
                            10, check_required=True)
    assert events_file(clean, [n / 10 for n in range(10)]) == [
        {"label": "Turning", "type": "range", "start": 2, "startTime": 0.2, "end": 5,
         "endTime": 0.5, "attributes": {"lane": "left", "signal": "on", "hard": 1}},
        {"label": "Stop", "type": "point", "start": 7, "startTime": 0.7,
         "attributes": {"hard": 3}}]

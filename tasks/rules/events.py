"""The events of a video task and the attributes they carry (docs/task-format.md "Video
events").

An event: {"label" (one of events_to_annotate), "type": "point"|"range", "start", "end" (range
only, >= start), "attributes"?, "uuid"? (an id of the page's, kept in the draft only)}.

"For video tasks, global attributes attach to events": a global attribute
(`conditions.is_global`) whose `label_condition` names at least one event label is an EVENT
attribute. It is answered per event, in the event's `attributes`, and applies to an event when
the event's label is one its label_condition names and the event's other values meet its
attribute_conditions (as a per-annotation attribute applies to an annotation). The other global
attributes (no label_condition, or one naming geometry labels only) stay task-wide, in
`response.global_attributes`, exactly as for images. The two kinds never depend on each other
(refused at create). Values of attributes that do not apply are refused (as for images); a
`required` one is asked at the submit only; `default` is the page's (filled when an event is
created).
"""

from __future__ import annotations

import copy
from collections.abc import Collection
from typing import Any

from .annotations import MAX_UUID_LENGTH
from .attributes import check_value, validate_attribute_values
from .conditions import applies, condition_values, is_global
from .errors import RuleError, join
from .values import require_dict, require_int, require_list, require_string

MAX_EVENTS = 10_000
MAX_FRAMES = 3000
EVENT_TYPES = ("point", "range")


# ---------------------------------------------------------------- definitions


def event_labels(params: dict[str, Any]) -> list[str]:
    labels = params.get("events_to_annotate")
    return list(labels) if isinstance(labels, list) else []


def is_event_attribute(definition: dict[str, Any], labels: Collection[str]) -> bool:
    """A global definition whose label_condition names one of the event `labels`."""
    if not is_global(definition):
        return False
    condition = (definition.get("conditions") or {}).get("label_condition") or {}
    if not condition:
        return False
    return any(label in labels for label in condition_values(condition.get("label")))


def event_definitions(params: dict[str, Any]) -> dict[str, Any]:
    """The event attributes of (normalized) params, in definition order."""
    labels = event_labels(params)
    defs = params.get("annotation_attributes") or {}
    return {key: value for key, value in defs.items() if is_event_attribute(value, labels)}


def task_attribute_definitions(params: dict[str, Any]) -> dict[str, Any]:
    """`annotation_attributes` without the event attributes: the per-annotation ones and the
    task-wide global ones."""
    events = event_definitions(params)
    defs = params.get("annotation_attributes") or {}
    return {key: value for key, value in defs.items() if key not in events}


def check_event_attribute_conditions(params: dict[str, Any],
                                     path: str = "annotation_attributes") -> None:
    """An event attribute's attribute_conditions name event attributes only, and a task-wide
    global attribute's name task-wide ones only (an event's values and the task's are answered
    in different places)."""
    events = event_definitions(params)
    defs = params.get("annotation_attributes") or {}
    for attr_id, definition in defs.items():
        if not is_global(definition):
            continue
        clauses = (definition.get("conditions") or {}).get("attribute_conditions") or []
        for index, clause in enumerate(clauses):
            for key in clause:
                if (key in events) != (attr_id in events):
                    where = join(join(join(path, attr_id), "conditions.attribute_conditions"),
                                 index)
                    raise RuleError(join(where, key), _mixed(attr_id in events))


def _mixed(event_side: bool) -> str:
    if event_side:
        return ("an event attribute cannot depend on a task-wide global attribute (one whose "
                "label_condition names no event label)")
    return "a task-wide global attribute cannot depend on an event attribute"


# ---------------------------------------------------------------- values


def applies_to_event(definition: dict[str, Any], label: str | None, values: dict[str, Any]) -> bool:
    """Does an event attribute apply to an event with `label` and attribute `values`? Its
    label_condition counts (unlike a task-wide global attribute's)."""
    conditions = {key: value for key, value in (definition.get("conditions") or {}).items()
                  if key != "is_global"}
    return applies({"conditions": conditions}, label, values)


def validate_event_attributes(
    values: Any, params: dict[str, Any], label: str, path: str, *, check_required: bool
) -> dict[str, Any]:
    """The `attributes` of one event: event attributes that apply to it, each value checked
    against its definition; a new dict without nulls."""
    values = {} if values is None else require_dict(values, path)
    defs = event_definitions(params)
    result = {}
    for attr_id, value in values.items():
        if value is None:
            continue
        item_path = join(path, attr_id)
        if attr_id not in defs:
            raise RuleError(item_path, _not_event_attribute(attr_id, params))
        result[attr_id] = check_value(value, defs[attr_id], item_path)
    for attr_id in result:
        if not applies_to_event(defs[attr_id], label, result):
            raise RuleError(join(path, attr_id),
                            f'does not apply to a "{label}" event (its conditions do not hold)')
    if check_required:
        for attr_id, definition in defs.items():
            if (definition.get("required") and result.get(attr_id) in (None, [])
                    and applies_to_event(definition, label, result)):
                raise RuleError(join(path, attr_id), f'is required for a "{label}" event')
    return result


def _not_event_attribute(attr_id: str, params: dict[str, Any]) -> str:
    definition = (params.get("annotation_attributes") or {}).get(attr_id)
    if definition is None:
        return "is not a defined attribute"
    if not is_global(definition):
        return ("is a per-annotation attribute: an event takes the global attributes whose "
                "label_condition names its label")
    return ("is a task-wide global attribute (its label_condition names no event label): "
            "send it in global_attributes")


def validate_task_globals(
    values: Any, params: dict[str, Any], *, path: str, check_required: bool,
    uuid_labels: dict[str, str | None] | None = None,
) -> dict[str, Any]:
    """A video task's `global_attributes`: its task-wide global attributes, checked as an
    image's; an event attribute there is refused with a pointer to the events."""
    events = event_definitions(params)
    if isinstance(values, dict):
        for attr_id, value in values.items():
            if attr_id in events and value is not None:
                raise RuleError(join(path, attr_id), "is an event attribute (its "
                                "label_condition names an event label): send it in the "
                                "events' attributes")
    return validate_attribute_values(
        values, task_attribute_definitions(params), label=None, uuid_labels=uuid_labels or {},
        own_uuid=None, path=path, is_global=True, check_required=check_required)


# ---------------------------------------------------------------- events


def validate_events(
    events: Any, params: dict[str, Any], frame_count: int | None, path: str = "events", *,
    check_required: bool = False,
) -> list[dict[str, Any]]:
    """The events of a draft or a response: labels from events_to_annotate, frames within the
    task's (when known), attributes as above (`required` only with check_required, at the
    submit). A new list."""
    if events is None:
        return []
    require_list(events, path)
    if len(events) > MAX_EVENTS:
        raise RuleError(path, f"must have at most {MAX_EVENTS} events")
    labels = event_labels(params)
    limit = MAX_FRAMES if frame_count is None else frame_count
    return [_event(event, params, labels, limit, join(path, index), check_required)
            for index, event in enumerate(events)]


def _event(event: Any, params: dict[str, Any], labels: list[str], limit: int, path: str,
           check_required: bool) -> dict[str, Any]:
    require_dict(event, path)
    label = event.get("label")
    if label is None:
        raise RuleError(join(path, "label"), "is required")
    if not isinstance(label, str) or label not in labels:
        shown = ", ".join(f'"{item}"' for item in labels[:20]) or "none"
        raise RuleError(join(path, "label"), f"must be one of events_to_annotate ({shown})")
    kind = event.get("type")
    if kind not in EVENT_TYPES:
        raise RuleError(join(path, "type"), 'must be "point" or "range"')
    result: dict[str, Any] = {}
    if event.get("uuid") is not None:
        result["uuid"] = require_string(event["uuid"], join(path, "uuid"),
                                        max_length=MAX_UUID_LENGTH)
    result.update(label=label, type=kind)
    result["start"] = require_int(event.get("start"), join(path, "start"), minimum=0,
                                  maximum=limit - 1)
    end = event.get("end")
    if kind == "range":
        result["end"] = require_int(end, join(path, "end"), minimum=result["start"],
                                    maximum=limit - 1)
    elif end is not None:
        raise RuleError(join(path, "end"), 'must be omitted for a "point" event')
    result["attributes"] = copy.deepcopy(validate_event_attributes(
        event.get("attributes"), params, label, join(path, "attributes"),
        check_required=check_required))
    return result

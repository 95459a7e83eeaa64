"""The parts of a draft beside its annotations (`Task.draft_extras`), one validator per key.

The draft operation `{op: "set_extras", key, after}` replaces the whole value of one key
(docs/live-sessions.md). Each key has a validator `(value, context) -> clean value` that raises
RuleError when the value breaks a rule of the task; another kind of task registers its own keys
with `register` (video tasks add "events"). The built-in keys:

* global_attributes: the values of the task's global attributes, checked as a hypothesis's
  (every rule but `required`, which waits for the submit);
* links: [{label, from, to}], checked with the task's link rules against the draft's
  annotations; adding or removing a link that starts at an annotation whose attributes may not
  change (a lock) is refused, as on the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tasks.rules import locks
from tasks.rules.annotations import validate_links
from tasks.rules.attributes import validate_attribute_values
from tasks.rules.errors import RuleError
from tasks.rules.events import validate_events, validate_task_globals
from tasks.rules.video import TASK_TYPE as VIDEO_TASK_TYPE


@dataclass
class ExtrasContext:
    """What a validator may read: the task's (light) params, its type, the draft's value of
    the key before the change, and some of the draft's annotations through `annotations()`."""

    params: dict
    task_type: str
    before: Any
    load_annotations: Callable[[set[str] | None], dict[str, dict]]

    def annotations(self, uuids: set[str] | None = None) -> dict[str, dict]:
        """uuid -> {uuid, label, source, locked} of the draft's annotations among `uuids`
        (None: all of them)."""
        return self.load_annotations(uuids)


class LockError(RuleError):
    """A value a base-annotation lock forbids (refused as kind "lock", not "rule")."""


Validator = Callable[[Any, ExtrasContext], Any]
VALIDATORS: dict[str, Validator] = {}


def register(key: str, validator: Validator) -> None:
    """Let `set_extras` change `key`; `validator(value, context)` returns the value to store."""
    VALIDATORS[key] = validator


def keys() -> list[str]:
    return list(VALIDATORS)


def validate(key: str, value: Any, context: ExtrasContext) -> Any:
    """The clean value of `key`; KeyError for a key nobody registered, RuleError for a value
    that breaks a rule (its path starts with the key), LockError for a change a lock forbids."""
    return VALIDATORS[key](value, context)


def stored(extras: object) -> dict:
    """A task's draft_extras as a dict (anything else: empty)."""
    return dict(extras) if isinstance(extras, dict) else {}


# --- the built-in keys ----------------------------------------------------------------------

def global_attributes(value: Any, context: ExtrasContext) -> dict:
    if context.task_type == VIDEO_TASK_TYPE:  # without the event attributes (rules/events.py)
        return validate_task_globals(value, context.params, path="global_attributes",
                                     check_required=False)
    return validate_attribute_values(
        value, context.params.get("annotation_attributes") or {}, label=None, uuid_labels={},
        own_uuid=None, path="global_attributes", is_global=True, check_required=False)


def links(value: Any, context: ExtrasContext) -> list[dict]:
    before_links = [link for link in context.before or [] if isinstance(link, dict)]
    annotations = context.annotations(_link_ends(value) | _link_ends(before_links))
    labels = {uuid: row["label"] for uuid, row in annotations.items()}
    clean = validate_links(value, context.params, labels, "links")
    before = {_link_key(link) for link in before_links}
    after = {_link_key(link) for link in clean}
    for label, start, end in sorted(before ^ after, key=repr):
        row = annotations.get(start)
        if row is None:
            continue  # a link of an annotation that is gone: dropping it is always fine
        ok, reason = locks.can("edit_attributes", row, context.params)
        if not ok:
            raise LockError("links", f'"{label}" from {start} to {end} cannot change: {reason}',
                            annotation_uuid=start)
    return clean


def _link_ends(links: object) -> set[str]:
    ends = set()
    for link in links if isinstance(links, list) else []:
        if isinstance(link, dict):
            ends.update(v for v in (link.get("from"), link.get("to")) if isinstance(v, str))
    return ends


def _link_key(link: dict) -> tuple:
    return (link.get("label"), link.get("from"), link.get("to"))


register("global_attributes", global_attributes)
register("links", links)


def events(value: Any, context: ExtrasContext) -> list[dict]:
    """A video task's events (tasks/rules/events.py): labels from events_to_annotate, their
    attributes (`required` waits for the submit); their frames are checked against the task's
    frame count at the submit."""
    if context.task_type != VIDEO_TASK_TYPE:
        raise RuleError("events", "only video tasks have events")
    return validate_events(value, context.params, None, "events")


register("events", events)

"""The parts of a draft beside its annotations (`Task.draft_extras`), one validator per key.

The draft operation `{op: "set_extras", key, after}` replaces the whole value of one key
(docs/live-sessions.md). Each key has a validator `(value, context) -> clean value` that raises
RuleError when the value breaks a rule of the task; a kind adds its own keys with their
validators (`Kind.draft_keys`, docs/architecture.md: video tasks add "events"). The keys every
task has:

* global_attributes: the values of the task's global attributes, checked as a hypothesis's
  (every rule but `required`, which waits for the submit) by the task's kind;
* links: [{label, from, to}], checked with the task's link rules against the draft's
  annotations; adding or removing a link that starts at an annotation whose attributes may not
  change (a lock) is refused, as on the page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tasks import kinds
from tasks.models import Task
from tasks.rules import locks
from tasks.rules.annotations import validate_links
from tasks.rules.errors import RuleError


@dataclass
class ExtrasContext:
    """What a validator may read: the task's (light) params, its kind, the draft's value of
    the key before the change, and some of the draft's annotations through `annotations()`."""

    params: dict
    kind: kinds.Kind
    before: Any
    load_annotations: Callable[[set[str] | None], dict[str, dict]]

    def annotations(self, uuids: set[str] | None = None) -> dict[str, dict]:
        """uuid -> {uuid, label, source, locked} of the draft's annotations among `uuids`
        (None: all of them)."""
        return self.load_annotations(uuids)


class LockError(RuleError):
    """A value a base-annotation lock forbids (refused as kind "lock", not "rule")."""


Validator = Callable[[Any, ExtrasContext], Any]


def all_keys() -> list[str]:
    """Every key a set_extras may name: those of every task, then those of the kinds."""
    found = dict.fromkeys(COMMON)
    for kind in kinds.all_kinds():
        found.update(dict.fromkeys(kind.draft_keys))
    return list(found)


def validate(key: str, value: Any, context: ExtrasContext) -> Any:
    """The clean value of `key`; KeyError for a key no kind has, RuleError for a value that
    breaks a rule (its path starts with the key) or a key of another kind, LockError for a
    change a lock forbids."""
    validator = COMMON.get(key) or context.kind.draft_keys.get(key)
    if validator is not None:
        return validator(value, context)
    owners = [kind.label for kind in kinds.all_kinds() if key in kind.draft_keys]
    if not owners:
        raise KeyError(key)
    raise RuleError(key, f"only {' and '.join(owners)} tasks have {key}")


def stored(extras: object) -> dict:
    """A task's draft_extras as a dict (anything else: empty)."""
    return dict(extras) if isinstance(extras, dict) else {}


def initial(response: object, uuids: set[str] | None = None) -> dict:
    """The draft's global attributes and links as a response (or a hypothesis) gives them;
    with `uuids`, only the links whose both ends are among them."""
    response = response if isinstance(response, dict) else {}
    given = response.get("global_attributes")
    links = response.get("links")
    links = [dict(link) for link in links if isinstance(link, dict)] \
        if isinstance(links, list) else []
    if uuids is not None:
        links = [link for link in links if link.get("from") in uuids and link.get("to") in uuids]
    return {"global_attributes": dict(given) if isinstance(given, dict) else {}, "links": links}


def current(task: Task, params: dict | None = None) -> dict:
    """The draft's {global_attributes, links}: as stored, or (a task from before they were
    stored) as the work started. `params`: the task's, when the caller read them already."""
    extras = task.draft_extras if isinstance(task.draft_extras, dict) else {}
    if "global_attributes" in extras or "links" in extras:
        return {"global_attributes": extras.get("global_attributes") or {},
                "links": extras.get("links") or []}
    params = task.params if params is None else params
    start = task.sent_back_response or (params or {}).get("hypothesis")
    return initial(start, set(task.annotations.values_list("uuid", flat=True)))


# --- the keys of every task -----------------------------------------------------------------

def global_attributes(value: Any, context: ExtrasContext) -> dict:
    return context.kind.check_draft_globals(value, context.params)


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
    ends: set[str] = set()
    for link in links if isinstance(links, list) else []:
        if isinstance(link, dict):
            ends.update(v for v in (link.get("from"), link.get("to")) if isinstance(v, str))
    return ends


def _link_key(link: dict) -> tuple:
    return (link.get("label"), link.get("from"), link.get("to"))


COMMON: dict[str, Validator] = {"global_attributes": global_attributes, "links": links}

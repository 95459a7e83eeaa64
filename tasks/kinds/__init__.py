"""The registry of task kinds: one kind per task type, behind the protocol of
tasks/kinds/base.py (docs/architecture.md).

Each kind's module registers it when imported; `TasksConfig.ready` imports them, so the
registry is complete once Django is set up. This module imports nothing of the house, so that
any module (the models' choices, the rules' messages) may import it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tasks.kinds.base import Kind
from tasks.kinds.names import IMAGE, SEGMENT, VIDEO

if TYPE_CHECKING:
    from tasks.models import Task

__all__ = ["IMAGE", "SEGMENT", "VIDEO", "Kind", "UnknownKind", "all_kinds", "choices", "find",
           "get", "names", "of", "register", "union"]

_KINDS: dict[str, Kind] = {}


class UnknownKind(KeyError):
    """A task type no kind is registered for."""


def register(kind: Kind) -> Kind:
    _KINDS[kind.name] = kind
    return kind


def find(name: object) -> Kind | None:
    """The kind of the type `name`, or None."""
    return _KINDS.get(name) if isinstance(name, str) else None


def get(name: str) -> Kind:
    """The kind of the type `name`; UnknownKind when there is none."""
    kind = find(name)
    if kind is None:
        raise UnknownKind(name)
    return kind


def of(task: Task) -> Kind:
    """The kind of a task (or of a project: anything with a `type`)."""
    return get(task.type)


def all_kinds() -> list[Kind]:
    return list(_KINDS.values())


def names() -> list[str]:
    return list(_KINDS)


def choices() -> list[tuple[str, str]]:
    """The `choices` of Task.type and Project.type."""
    return [(kind.name, kind.name) for kind in _KINDS.values()]


def union(attribute: str) -> tuple[str, ...]:
    """The keys every kind names in one of its tuple attributes, once each, in order."""
    found: dict[str, None] = {}
    for kind in _KINDS.values():
        found.update(dict.fromkeys(getattr(kind, attribute)))
    return tuple(found)

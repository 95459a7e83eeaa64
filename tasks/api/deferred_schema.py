"""`extend_schema` for the API's views, applied when the schema is first made, not on import.

drf_spectacular's decorator builds a schema class per decorated view from
`REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]` as the view module loads, which imports
drf_spectacular's generator and with it Django's and DRF's test modules (unittest, jinja2):
~5 MiB of every server process, for a document most of them never serve (docs/performance.md
"Memory of the server process"). Here the decorator only notes its arguments; the schema
generator (tasks/api/schema_generator.py) applies every note, in the order they were made —
the order the decorators would have run in — before it reads any view.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_notes: list[tuple[Any, dict[str, Any]]] = []
_lock = threading.Lock()


def extend_schema(**kwargs: Any) -> Callable[[T], T]:
    """drf_spectacular.utils.extend_schema(**kwargs), deferred: the view is returned as is."""

    def note(view: T) -> T:
        _notes.append((view, kwargs))
        return view

    return note


def apply_notes() -> None:
    """Run drf_spectacular's real decorator for every note (once; safe from several threads)."""
    from drf_spectacular.utils import extend_schema as decorate

    with _lock:
        while _notes:
            view, kwargs = _notes.pop(0)
            if decorate(**kwargs)(view) is not view:
                raise RuntimeError(f"extend_schema replaced {view!r}: it cannot be deferred")

"""A consensus task's k hidden replica rows (docs/quality.md)."""

from __future__ import annotations

from tasks.models import Task


def create(task: Task, k: int) -> list[Task]:
    """Insert k replica rows of `task` (in the caller's transaction)."""
    raise NotImplementedError

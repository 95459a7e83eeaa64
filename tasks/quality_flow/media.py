"""Whose media a task row shows: a replica's parent's, a gold or training copy's template's
(docs/quality.md)."""

from __future__ import annotations

from tasks.models import Task, TaskRole


def source(task: Task) -> Task:
    """The row whose image, tiles, frames and context images `task` shows."""
    if task.role != TaskRole.CUSTOMER and task.parent_id is not None:
        parent = task.parent
        assert parent is not None
        return parent
    return task

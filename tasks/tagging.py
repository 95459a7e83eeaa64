"""A task's tags live in its JSON (for output) and as rows (for filters); this keeps both."""

from __future__ import annotations

from tasks.models import Task, TaskTag


def write_tag_rows(task: Task, *, replace: bool = False) -> None:
    if replace:
        TaskTag.objects.filter(task=task).exclude(tag__in=task.tags).delete()
        existing = set(TaskTag.objects.filter(task=task).values_list("tag", flat=True))
    else:
        existing = set()
    TaskTag.objects.bulk_create(
        [TaskTag(task=task, tag=tag) for tag in task.tags if tag not in existing]
    )

"""Whose media a task shows: a consensus replica or a gold / training copy shows its parent's
image, tiles, video frames and context images (docs/quality.md).

The worker fetches and keeps media once, for the row the customer (or the gold API) created;
its children are served from it. The attachment columns are copied onto the children (so
the task's image needs nothing from here); the tile pyramid, the video frames and the
context copies are keyed by the task that was fetched, and read through `source`. A gold
template made from a customer task ("Use as gold") shows that task's media.
"""

from __future__ import annotations

from tasks.models import Task
from tasks.models.quality import GoldStandard
from tasks.models.tasks import TaskRole

# What `source` reads of the task it returns: never the big JSON columns.
LIGHT_FIELDS = ("task_id", "parent_id", "role", "type", "attachment_file", "attachment_mime",
                "attachment_width", "attachment_height")


def source(task: Task) -> Task:
    """The task whose stored media `task` shows: its parent for a replica or a copy (and a
    template's origin), else the task itself. No query for a customer task."""
    if task.parent_id is not None:
        task = _light(task.parent_id)
    if task.role != TaskRole.CUSTOMER and task.parent_id is None:  # a gold template
        origin = (GoldStandard.objects.filter(template_id=task.pk, origin__isnull=False)
                  .values_list("origin_id", flat=True).first())
        if origin is not None:
            task = _light(origin)
    return task


def _light(task_id: str) -> Task:
    return Task.objects.only(*LIGHT_FIELDS).get(pk=task_id)


def image_size(task: Task) -> tuple[float, float] | None:
    """The stored image's (width, height), for distances relative to its size."""
    if task.attachment_width and task.attachment_height:
        return float(task.attachment_width), float(task.attachment_height)
    return None

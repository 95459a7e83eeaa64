"""Live events over the channel layer: one function per kind of event (docs/live-sessions.md).

Every function here is called by the module that makes the change (`tasks.lifecycle`,
`tasks.queue`, `tasks.drafts`), inside its transaction; the message leaves only once that
transaction commits (`transaction.on_commit`), so a rolled-back change never announces itself
and each committed change is announced once. A failure to publish is logged and never undoes
the change.

Groups: `task-<task_id>` (the task's editing sessions and watchers), `project-<id>`,
`batch-<id>`, and `queue` (every task change, for the progress streams).

Publishing costs no query: the counts a progress stream shows are computed by its consumer,
coalesced over a moment and shared through the cache (`counts_since`), so that creating
thousands of tasks does not count a project thousands of times.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from tasks.models import Task, TaskStatus

logger = logging.getLogger("annotator.live")

QUEUE_GROUP = "queue"
COUNT_KEYS = ("pending", "in_progress", "completed", "canceled", "error")
COUNTS_CACHE_SECONDS = 300


def task_group(task_id: str) -> str:
    return f"task-{task_id}"


def project_group(project_id: int) -> str:
    return f"project-{project_id}"


def batch_group(batch_id: int) -> str:
    return f"batch-{batch_id}"


# --- the events -----------------------------------------------------------------------------

def publish_task_changed(task: Task, event: str) -> None:
    """A task changed state (`event`: created, claimed, released, expired, completed, error,
    canceled, audit, recall). Sent to the task's, project's and batch's groups and to `queue`;
    `at` is when it committed (counts computed since then include it)."""
    message = {
        "type": "task.changed", "event": event, "task_id": task.task_id,
        "status": task.status, "claimed_by": task.claimed_by_id,
        "project": task.project_id, "batch": task.batch_id,
    }
    _after_commit(lambda: _send_task_changed({**message, "at": time.time()}))


def publish_draft_changed(task_id: str, origin: str, seq: int, op: dict,
                          annotations: dict[str, dict | None],
                          extras: dict | None = None) -> None:
    """An operation was applied to a task's draft by the connection `origin`: the op as
    applied, the resulting state of every annotation it touched (None: deleted) and the new
    value of each draft extra it set."""
    message = {"type": "draft.changed", "task_id": task_id, "origin": origin, "seq": seq,
               "op": op, "annotations": annotations, "extras": extras or {}}
    _after_commit(lambda: group_send(task_group(task_id), message))


# --- counts ---------------------------------------------------------------------------------

def counts(*, project_id: int | None = None, batch_id: int | None = None) -> dict[str, int]:
    """Tasks of a project or batch by state; a pending task under a live lease is
    `in_progress`, the other pending ones are `pending` (free for the queue)."""
    scope = {"project_id": project_id} if project_id is not None else {"batch_id": batch_id}
    tasks = Task.objects.for_customer().filter(**scope)
    leased = Q(claimed_by__isnull=False, lease_expires_at__gte=timezone.now())
    result = dict.fromkeys(COUNT_KEYS, 0)
    rows = tasks.values("status").annotate(n=Count("pk"), leased=Count("pk", filter=leased))
    for row in rows.order_by():
        if row["status"] == TaskStatus.PENDING:
            result["in_progress"] = row["leased"]
            result["pending"] = row["n"] - row["leased"]
        elif row["status"] in result:
            result[row["status"]] = row["n"]
    return result


def counts_since(*, since: float, project_id: int | None = None,
                 batch_id: int | None = None) -> dict[str, int]:
    """`counts()`, from the cache when they were computed after `since` (a time.time())."""
    kind, pk = ("project", project_id) if project_id is not None else ("batch", batch_id)
    key = f"annotator:counts:{kind}:{pk}"
    cached = cache.get(key)
    if cached is not None and cached["at"] >= since:
        return cached["counts"]
    started = time.time()
    fresh = counts(project_id=project_id, batch_id=batch_id)
    cache.set(key, {"at": started, "counts": fresh}, COUNTS_CACHE_SECONDS)
    return fresh


# --- sending --------------------------------------------------------------------------------

def _after_commit(send: Callable[[], None]) -> None:
    transaction.on_commit(_guarded(send))


def _guarded(send: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        try:
            send()
        except Exception:  # a lost Redis must not break the change that already committed
            logger.exception("publishing a live event failed")

    return run


def _send_task_changed(message: dict) -> None:
    groups = [task_group(message["task_id"]), QUEUE_GROUP]
    if message["project"] is not None:
        groups.append(project_group(message["project"]))
    if message["batch"] is not None:
        groups.append(batch_group(message["batch"]))
    group_send_many(groups, message)


def group_send(group: str, message: dict) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group, message)


def group_send_many(groups: list[str], message: dict) -> None:
    """group_send() to several groups in one trip to the event loop (each trip from a request
    thread costs about as much as the send itself)."""
    layer = get_channel_layer()
    if layer is None:
        return

    async def send_all() -> None:
        for group in groups:
            await layer.group_send(group, message)

    async_to_sync(send_all)()

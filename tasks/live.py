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

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from tasks.models import Task, TaskStatus
from tasks.models.tasks import TaskStage

logger = logging.getLogger("annotator.live")

QUEUE_GROUP = "queue"
COUNT_KEYS = ("pending", "in_progress", "completed", "canceled", "error")
COUNTS_CACHE_SECONDS = 300
# The stages of a pending task a tasker can still take (docs/quality.md "Counts").
TO_DO_STAGES = (TaskStage.WORK, TaskStage.CONSENSUS, TaskStage.REWORK)


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
                          extras: dict | None = None, notes: dict | None = None) -> None:
    """An operation was applied to a task's draft by the connection `origin`: the op as
    applied, the resulting state of every annotation it touched (None: deleted), the new
    value of each draft extra it set, and what a registered operation stored (`notes`:
    {"verdicts": {...}, "issues": {...}}, tasks/drafts.py register_op)."""
    message = {"type": "draft.changed", "task_id": task_id, "origin": origin, "seq": seq,
               "op": op, "annotations": annotations, "extras": extras or {},
               "notes": notes or {}}
    _after_commit(lambda: group_send(task_group(task_id), message))


# --- counts ---------------------------------------------------------------------------------

def counts(*, project_id: int | None = None, batch_id: int | None = None) -> dict[str, int]:
    """The customer's tasks of a project or batch by state (a k > 1 task counts once): a
    pending task free for a tasker (stage work, consensus or rework, not leased) is `pending`,
    any other pending one (leased, or waiting for review) is `in_progress`."""
    scope = {"project_id": project_id} if project_id is not None else {"batch_id": batch_id}
    tasks = Task.objects.for_customer().filter(**scope)
    busy = (Q(claimed_by__isnull=False, lease_expires_at__gte=timezone.now())
            | ~Q(stage__in=TO_DO_STAGES))
    result = dict.fromkeys(COUNT_KEYS, 0)
    rows = tasks.values("status").annotate(n=Count("pk"), busy=Count("pk", filter=busy))
    for row in rows.order_by():
        if row["status"] == TaskStatus.PENDING:
            result["in_progress"] = row["busy"]
            result["pending"] = row["n"] - row["busy"]
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
        _run_for(layer, lambda: layer.group_send(group, message))


# The event loop of this process's server (annotator/asgi.py remembers it). The in-memory
# layer's queues belong to that loop: a send from a thread it did not start (the background
# jobs' threads, tasks/job_runner.py) must run there, never in a loop of the thread's own.
_server_loop: asyncio.AbstractEventLoop | None = None
SEND_SECONDS = 10.0


def remember_server_loop(loop: asyncio.AbstractEventLoop) -> None:
    global _server_loop
    _server_loop = loop


def _run_for(layer: object, make: Callable[[], Awaitable[object]]) -> None:
    loop = _server_loop
    if isinstance(layer, InMemoryChannelLayer) and loop is not None and loop.is_running() \
            and not _in_a_loop():
        asyncio.run_coroutine_threadsafe(_awaited(make), loop).result(SEND_SECONDS)
    else:  # Redis (any loop will do), or a caller that async_to_sync refuses as before
        async_to_sync(_awaited)(make)


def _in_a_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


async def _awaited(make: Callable[[], Awaitable[object]]) -> None:
    await make()


class RemembersServerLoop:
    """ASGI middleware around the whole application: the loop each connection arrives on is
    the server's (`remember_server_loop`)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        loop = asyncio.get_running_loop()
        if loop is not _server_loop:
            remember_server_loop(loop)
        await self.app(scope, receive, send)


def _may_have_members(layer: object, groups: list[str]) -> bool:
    """False only when the layer is this process's in-memory one and none of `groups` has a
    member: then no socket anywhere listens and the trip to the event loop (a tenth of a
    create's server CPU) is skipped: sending to an empty group delivers nothing either, so
    nothing changes for anyone. Redis's groups live in another process: always sent."""
    if not isinstance(layer, InMemoryChannelLayer):
        return True
    members = layer.groups  # read without the loop: each get is atomic under the GIL
    return any(members.get(group) for group in groups)


def group_send_many(groups: list[str], message: dict) -> None:
    """group_send() to several groups in one trip to the event loop (each trip from a request
    thread costs about as much as the send itself)."""
    layer = get_channel_layer()
    if layer is None or not _may_have_members(layer, groups):
        return

    async def send_all() -> None:
        for group in groups:
            await layer.group_send(group, message)

    _run_for(layer, send_all)

"""The quality loop's stages: where a pending task goes after it is created, submitted,
merged, reviewed or sent back by the customer (docs/quality.md).

This module is the only writer of `Task.stage`, `reserved_for`, `reserved_until` and
`Task.quality`; the status itself changes through `tasks.lifecycle` (which this module sits
above: the lifecycle tells it of creations and send-backs through its listeners).
"""

from __future__ import annotations

from tasks import lifecycle
from tasks.models import Task


def register() -> None:
    """Follow the lifecycle's creations and send-backs (called once, from tasks/apps.py)."""
    lifecycle.on_created(after_create)
    lifecycle.on_sent_back(customer_sent_back)


def after_create(task: Task) -> None:
    """A live task was inserted: with consensus on (and a kind that supports it) it waits in
    stage `consensus` while k replicas are worked (tasks/quality_flow/replicas.py)."""


def after_submit(task: Task, response: dict, user) -> Task:
    """A held task was submitted with a checked, published `response` (called by
    `tasks.submission` with the task locked): complete it, or route it to review, or finish
    an internal row (replica, gold or training copy)."""
    return lifecycle.complete_task(task, response, by=user, current=True)


def customer_sent_back(task: Task, comments: str) -> None:
    """The customer rejected the task (or recalled it): it goes to rework, first to the
    tasker who did it, with the customer's comments as its reason."""


def merged(parent: Task, response: dict, agreement: float) -> Task:
    """A consensus task's replicas were merged into `response`: route the parent to review
    or completion."""
    raise NotImplementedError


def finish_internal(task: Task, response: dict, by) -> Task:
    """Complete an internal row (replica, gold or training copy): no callback, no batch."""
    raise NotImplementedError

"""A reviewer's decision on a task in review: accept, fix-and-accept, or send back
(docs/quality.md). Apart from stages.py because it checks the reviewer's draft as a submit
(tasks.submission), which itself routes through the stages."""

from __future__ import annotations

from tasks.models import Task


def decide(task: Task, reviewer, decision: str, comment: str = "") -> Task:
    """`decision` is "accept" or "send_back"; raises ApiError (400, 409) in the API's shape."""
    raise NotImplementedError

"""Bounded concurrency and a deadline for one job's several fetches (docs/deploy.md).

A task's image and context images are fetched FETCH_THREADS at a time, all within
TASK_DEADLINE_SECONDS: slow servers cost one task at most that long, whatever the number of
attachments (at most 100 context attachments, docs/api-decisions.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from django.db import connection

FETCH_THREADS = 4
TASK_DEADLINE_SECONDS = 300.0
PER_FETCH_SECONDS = 60.0

T = TypeVar("T")
R = TypeVar("R")


class Deadline:
    def __init__(self, seconds: float | None = None) -> None:
        self.ends = time.monotonic() + (TASK_DEADLINE_SECONDS if seconds is None else seconds)

    def timeout(self, cap: float = PER_FETCH_SECONDS) -> float:
        """Seconds one fetch may take now: its cap, or what is left of the task's time
        (0 once it has passed)."""
        return max(0.0, min(cap, self.ends - time.monotonic()))


def run_bounded(work: Callable[[T], R], items: Sequence[T],
                threads: int = FETCH_THREADS) -> list[R | BaseException]:
    """`work(item)` for each item, `threads` at a time; each result or the exception it
    raised, in the items' order. `work` runs in other threads: it must not need the caller's
    database transaction (it may open a connection of its own, closed after)."""
    def one(item: T) -> R | BaseException:
        try:
            return work(item)
        except Exception as exc:  # handed back to the caller, which decides
            return exc
        finally:
            connection.close()  # the pool thread's own connection, if it opened one

    if len(items) <= 1:
        return [caught(work, item) for item in items]
    with ThreadPoolExecutor(min(threads, len(items)),
                            thread_name_prefix="annotator-fetch") as pool:
        return list(pool.map(one, items))


def caught(work: Callable[[T], R], item: T) -> R | BaseException:
    """`work(item)`, or the exception it raised."""
    try:
        return work(item)
    except Exception as exc:
        return exc

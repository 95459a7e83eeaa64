"""The cyclic garbage collector paused while a process of its own builds many small objects.

A COCO export of 10,000 tasks holds ~100,000 annotation dicts until it writes them, and every few
hundred allocations the collector walked them all again: 0.6 s of its 3 s; a consensus merge of
3 × 1,000 boxes spent a fifth of its time so (docs/performance.md). Neither makes reference
cycles. Only a process that does nothing else at the time may pause it — the `export`
management command, and the jobs of a worker process — never the threaded server, whose other
requests leave their objects in cycles meanwhile (annotator/memory.py): a server that runs the
jobs itself (tasks/job_runner.py) says so with `never_pause()`. So the callers pause it, not
the export or merge code itself.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

_never = False


def never_pause() -> None:
    """This process serves requests in other threads: from now on `collector_paused()` leaves
    the collector as it is."""
    global _never
    _never = True


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block (as it was if already paused), unless
    `never_pause()` was called."""
    if _never or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()

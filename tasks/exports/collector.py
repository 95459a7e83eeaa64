"""The cyclic garbage collector paused while a process of its own builds an export.

A COCO export of 10,000 tasks holds ~100,000 annotation dicts until it writes them, and every few
hundred allocations the collector walked them all again: 0.6 s of its 3 s (docs/performance.md).
The export makes no reference cycles. Only a process that does nothing else may pause it — the
`export` management command (and a worker job, should exports ever run there) — never the
threaded server, whose other requests leave their objects in cycles meanwhile
(annotator/memory.py).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block (as it was if already paused)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()

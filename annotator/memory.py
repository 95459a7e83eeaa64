"""Keeping the server's resident memory near what it uses, with glibc's malloc.

Two habits of glibc made a server that had handled a few large requests (a 2,000-annotation
submit, a task with a 10,000-annotation hypothesis) stay at 280 MiB when it used 80:

* every thread that allocates gets its own heap ("arena", up to 8 per core), and each keeps
  the peak its largest request reached. The request threads (annotator/handler.py) share
  ARENAS of them (default one) instead (`M_ARENA_MAX`, as `MALLOC_ARENA_MAX` would set it);
* freed memory inside a heap goes back to the system only when the top of the heap is free.
  After a request that moved more than BIG_REQUEST_BYTES, `malloc_trim(0)` hands back every
  free page (a fraction of a millisecond, after the response has been sent).

Elsewhere (no glibc) both are no-ops. bench/README.md has the figures.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os

logger = logging.getLogger("annotator")

M_ARENA_MAX = -8  # mallopt() parameter number in glibc's malloc.h
ARENAS = int(os.environ.get("ANNOTATOR_MALLOC_ARENAS") or 1)
BIG_REQUEST_BYTES = 256 * 1024

_libc = None


def _glibc():
    global _libc
    if _libc is None:
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            _libc = libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else False
        except OSError:
            _libc = False
    return _libc or None


def limit_arenas(arenas: int = ARENAS) -> None:
    """Call before the threads start allocating."""
    libc = _glibc()
    if libc is not None and arenas > 0 and not os.environ.get("MALLOC_ARENA_MAX"):
        libc.mallopt(M_ARENA_MAX, arenas)


def trim() -> None:
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)

"""Keeping the server's resident memory near what it uses, with glibc's malloc.

Two habits of glibc made a server that had handled a few large requests (a 2,000-annotation
submit, a task with a 10,000-annotation hypothesis) stay at 280 MiB when it used 80:

* every thread that allocates gets its own heap ("arena", up to 8 per core), and each keeps
  the peak its largest request reached. The request threads (annotator/handler.py) share
  ANNOTATOR_MALLOC_ARENAS of them (default one; a setting) instead (`M_ARENA_MAX`, as
  `MALLOC_ARENA_MAX` would set it);
* freed memory inside a heap goes back to the system only when the top of the heap is free.
  After a request that moved more than BIG_REQUEST_BYTES, `malloc_trim(0)` hands back every
  free page (a fraction of a millisecond, after the response has been sent).

Elsewhere (no glibc) both are no-ops.

And one habit of CPython's: Django and DRF leave every request in reference cycles (the message
storage and the request point at each other; so do DRF's view, request and response), so a
request's objects — a 10,000-annotation body, parsed — are freed only by the cyclic collector,
whose full passes come rarely once a server holds ~100,000 objects of loaded code. Hence
`release()` collects before it trims: in one process, the RSS after creating a
10,000-annotation task went 157 → 98 MiB with the collection, 167 → 157 without. The code
loaded at start is frozen out of the collector's passes first (`settle()`, `gc.freeze()`), so
a full collection scans only the objects made since: ~0.1 ms instead of ~25-100 ms.

bench/README.md has the figures.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import os
import sys

logger = logging.getLogger("annotator")

M_ARENA_MAX = -8  # mallopt() parameter number in glibc's malloc.h
BIG_REQUEST_BYTES = 256 * 1024
# A request after which the RSS grew by more than this since the last release is released too
# (one that read a big task without sending or receiving much, e.g. a claim).
GROWTH_BYTES = 4 * 1024 * 1024
# A server with no request ended for this long releases once (annotator/handler.py): ~0.1 ms
# of collection (the loaded code is frozen) and a trim, on a quiet process.
IDLE_SECONDS = 2.0
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096

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


def limit_arenas(arenas: int) -> None:
    """Call before the threads start allocating (`arenas`: ANNOTATOR_MALLOC_ARENAS). glibc's own
    MALLOC_ARENA_MAX, when the process was started with one, wins."""
    libc = _glibc()
    if libc is not None and arenas > 0 and not os.environ.get("MALLOC_ARENA_MAX"):
        libc.mallopt(M_ARENA_MAX, arenas)


def trim() -> None:
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)


def settle() -> None:
    """Once the server's code is loaded: collect, then keep what is left out of later passes."""
    gc.collect()
    gc.freeze()


def resident_bytes() -> int:
    """The process's RSS (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * PAGE_BYTES
    except (OSError, IndexError, ValueError):
        return 0


def release() -> int:
    """Free the cycles requests left, hand free memory back; returns the RSS after."""
    gc.collect()
    trim()
    return resident_bytes()


def lean_imports() -> None:
    """Import Django REST framework without the optional packages it loads when they are
    installed, for features this server never uses: `requests` (its test client), PyYAML and
    Pygments (its own schema renderer and browsable API) and `django.contrib.postgres` (its
    serializer fields for PostgreSQL's array, hstore and range columns, which no model has;
    on SQLite it would load psycopg too). 12 MiB of the server's RSS on SQLite, 4.5 on
    PostgreSQL (YAML and Pygments ~1 more). Call before anything imports rest_framework; later
    imports of those packages work as usual."""
    if "rest_framework.compat" in sys.modules:
        return
    # DRF's own schema and browsable-API helpers; drf_spectacular imports yaml itself when
    # the schema is asked for
    names = ["requests", "yaml", "pygments", "django.contrib.postgres"]
    blocked = [name for name in names if name not in sys.modules]
    for name in blocked:
        # `import name` raises ImportError (typeshed types the values as modules only)
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        import rest_framework.compat  # noqa: F401
    finally:
        for name in blocked:
            if sys.modules.get(name, ...) is None:
                del sys.modules[name]

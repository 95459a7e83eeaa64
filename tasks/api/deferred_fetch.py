"""`POST /v1/files/import` without holding a request thread while the file is fetched.

The server's request threads are few (annotator/handler.py). The import view, when the server
allows it (`can_defer`), answers at first with a `DeferredFetch` naming the URL, after the
whole middleware chain, the key's authentication and the body's checks; the server then
fetches the URL on IMPORT_THREADS threads of its own, within IMPORT_TIMEOUT_SECONDS, while
the request thread serves others, and runs the request through Django once more with the
result (`prefetched`), which stores the file and answers as the contract says (the File).
Under any other server (the test client) the view fetches in place, as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.http import HttpResponse

from tasks import fetching

DEFER_KEY = "annotator.defer_fetch"
PREFETCHED_KEY = "annotator.prefetched"
IMPORT_THREADS = 8
IMPORT_TIMEOUT_SECONDS = 10.0

_pool: ThreadPoolExecutor | None = None


class DeferredFetch(HttpResponse):
    """Never sent: it tells the server which URL to fetch before answering."""

    def __init__(self, url: str) -> None:
        super().__init__(status=202)
        self.fetch_url = url


def can_defer(request) -> bool:
    scope = getattr(request, "scope", None)
    return bool(scope and scope.get(DEFER_KEY))


def prefetched(request, url: str) -> Callable[..., fetching.FetchResult] | None:
    """A fetch function answering `url` with what the server fetched for this request."""
    scope = getattr(request, "scope", None) or {}
    found = scope.get(PREFETCHED_KEY)
    if not found or found[0] != url:
        return None
    outcome = found[1]

    def replay(given: str, **kwargs) -> fetching.FetchResult:
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    return replay


def _fetch(url: str) -> fetching.FetchResult | fetching.FetchError:
    try:
        return fetching.fetch(url, max_bytes=settings.ANNOTATOR_MAX_UPLOAD_BYTES,
                              timeout=IMPORT_TIMEOUT_SECONDS)
    except fetching.FetchError as exc:
        return exc


async def fetch_outside(url: str) -> fetching.FetchResult | fetching.FetchError:
    """The fetch on the import threads; the event loop and request threads stay free."""
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(IMPORT_THREADS, thread_name_prefix="annotator-import")
    return await asyncio.get_running_loop().run_in_executor(_pool, _fetch, url)

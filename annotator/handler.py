"""Django over ASGI in one thread hop per request, the way a threaded WSGI server runs it.

Django's own `ASGIHandler` builds an async middleware chain: every middleware's
`process_request` / `process_response`, the view and `request_started` / `request_finished`
each hop between the event loop and a worker thread, and each request gets a new thread
(`ThreadSensitiveContext`), hence a new database connection. With our sync views and sync
middleware that was most of a request's cost (GET one task: ~9 ms instead of ~2 ms; profile in
bench/README.md).

`PooledASGIHandler` keeps Django's ASGI request and response handling (body, request object,
chunked sending, file responses) but runs the whole sync chain — signals, middleware, view — as
ONE call on a fixed pool of threads (`ANNOTATOR_HTTP_THREADS`, default 4). Each pool thread keeps
its database connection between requests (`CONN_MAX_AGE`, health-checked at each request's
start as Django always does). Code in a view that calls `async_to_sync` (the live events) still
reaches the server's event loop: the pool runs it through asgiref's `sync_to_async`.

A view may answer `DeferredFetch` (the file import): the handler then fetches its URL off the
request threads and runs the request once more with the result (tasks/api/deferred_fetch.py).

WebSockets are not affected: they go through Channels (annotator/asgi.py).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers import base
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http import FileResponse
from django.urls import set_script_prefix

from annotator import memory
from tasks.api.deferred_fetch import (
    DEFER_KEY,
    PREFETCHED_KEY,
    DeferredFetch,
    fetch_outside,
)


class PooledASGIHandler(ASGIHandler):
    def __init__(self, threads: int | None = None) -> None:
        if threads is None:
            threads = settings.ANNOTATOR_HTTP_THREADS
        memory.lean_imports()
        base.BaseHandler.__init__(self)
        # The chain as WSGI builds it: sync middleware calling a sync view, no adapters.
        self.load_middleware(is_async=False)
        # before the pool's threads allocate (annotator/memory.py)
        memory.limit_arenas(settings.ANNOTATOR_MALLOC_ARENAS)
        self.pool = ThreadPoolExecutor(max_workers=max(threads, 1),
                                       thread_name_prefix="annotator-http")
        self._respond = sync_to_async(self.respond, thread_sensitive=False,
                                      executor=self.pool)
        self._close = sync_to_async(self.close_response, thread_sensitive=False,
                                    executor=self.pool)
        self._release = sync_to_async(memory.release, thread_sensitive=False,
                                      executor=self.pool)
        self._next_part = sync_to_async(_next_part, thread_sensitive=False, executor=self.pool)
        self._settled = False
        self._released_rss = 0
        # a quiet server hands back what its last requests left (memory.IDLE_SECONDS)
        self._last_request = 0.0
        self._released_since_request = True
        self._idle_loop: asyncio.AbstractEventLoop | None = None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not "
                             f"{scope['type']}.")
        await self.handle(scope, receive, send)

    async def handle(self, scope, receive, send) -> None:
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        big = body_file.seek(0, 2) > memory.BIG_REQUEST_BYTES
        body_file.seek(0)
        try:
            # handed over in a list, not as the call's result: the pool's future would keep
            # it (and the request it points at) alive past the release below
            handed: list = []
            await self._respond({**scope, DEFER_KEY: True}, _KeptOpen(body_file), handed)
            response = handed.pop()
            if isinstance(response, DeferredFetch):
                # slow outbound work waits off the request threads (tasks/api/deferred_fetch.py)
                outcome = await fetch_outside(response.fetch_url)
                body_file.seek(0)
                await self._respond({**scope, PREFETCHED_KEY: (response.fetch_url, outcome)},
                                    body_file, handed)
                response = handed.pop()
            if response.streaming and not response.is_async:
                response.streaming_content = self.parts_from_pool(response.streaming_content)
            try:
                await self.send_response(response, send)
            finally:
                if response.streaming:
                    await self._close(response)
            big = big or (not response.streaming
                          and len(response.content) > memory.BIG_REQUEST_BYTES)
        finally:
            body_file.close()
        del response, body_file
        if not self._settled:  # the first request has loaded the URLs, views and the rest
            self._settled = True
            memory.settle()
        loop = asyncio.get_running_loop()
        if self._idle_loop is not loop:  # uvicorn runs one loop; a test may run several
            self._idle_loop = loop
            loop.call_later(memory.IDLE_SECONDS, self._release_when_idle, loop)
        self._last_request, self._released_since_request = time.monotonic(), False
        if big or memory.resident_bytes() > self._released_rss + memory.GROWTH_BYTES:
            # a large request leaves its objects in cycles and its peak in malloc's free
            # lists: hand them back (annotator/memory.py)
            self._released_rss = await self._release()

    def _release_when_idle(self, loop: asyncio.AbstractEventLoop) -> None:
        """Every IDLE_SECONDS: once no request has ended for that long, one release (the
        requests below GROWTH_BYTES leave a few MiB in malloc's free lists between them)."""
        if loop is not self._idle_loop:
            return
        quiet = time.monotonic() - self._last_request >= memory.IDLE_SECONDS
        if quiet and not self._released_since_request:
            self._released_since_request = True
            loop.create_task(self._release_idle())
        loop.call_later(memory.IDLE_SECONDS, self._release_when_idle, loop)

    async def _release_idle(self) -> None:
        self._released_rss = await self._release()

    def respond(self, scope, body_file, handed: list) -> None:
        """In a pool thread: what WSGIHandler.__call__ does, up to a finished response, which
        goes into `handed`.

        A response with its body in memory is closed (request_finished: this thread's
        database connection is checked) before it is sent; a streaming one after."""
        set_script_prefix(get_script_prefix(scope))
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, error_response = self.create_request(scope, body_file)
        if request is None:
            assert error_response is not None  # create_request gives one or the other
            response = error_response
        else:
            response = self.get_response(request)
            # as Django's own handlers do (the test client reads it)
            response._handler_class = self.__class__  # type: ignore[attr-defined]
            if isinstance(response, FileResponse):
                response.block_size = self.chunk_size
        if not response.streaming:
            response.close()
        handed.append(response)

    async def parts_from_pool(self, parts: Iterator[bytes]) -> AsyncIterator[bytes]:
        """A file or other sync streaming body, read one part at a time in the pool as it is
        sent. Given the sync iterator, Django's ASGI handler would read the whole body into a
        list first (an 80 MB upload's download, an export) and warn about it."""
        while (part := await self._next_part(parts)) is not None:
            yield part

    @staticmethod
    def close_response(response) -> None:
        response.close()


class _KeptOpen:
    """The body file for a first pass that may be followed by another (a DeferredFetch): the
    request's close() leaves it open; the handler closes it at the end."""

    def __init__(self, file) -> None:
        self._file = file

    def close(self) -> None:
        pass

    def __getattr__(self, name: str):
        return getattr(self._file, name)


def _next_part(parts: Iterator[bytes]) -> bytes | None:
    return next(parts, None)

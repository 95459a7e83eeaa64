"""At most ANNOTATOR_API_IN_FLIGHT_PER_KEY requests of one API key at once in a server process.

The server runs every request's Django code on a small pool of threads (annotator/handler.py);
without a cap, one key sending a few slow requests at once (large bodies, slow validation)
held them all and every other account waited. `KeyInFlightASGI` wraps the HTTP application:
a key's request beyond its cap waits, before its body is read and without a thread, for one of
the key's requests to finish, at most QUEUE_SECONDS and with at most
ANNOTATOR_API_QUEUED_PER_KEY others; past either it is answered 429 in the error shape with
Retry-After. (A client sending many requests at once, as the official client's thread pools
do, is thus slowed to its share instead of refused.) The key is recognised from the
Authorization header alone (no database lookup); a request without one is not counted. The
counts are per process, since they protect that process's threads (docs/deploy.md).
"""

from __future__ import annotations

import asyncio
import hashlib

from django.conf import settings

from annotator.body_limits import error_body

QUEUE_SECONDS = 30.0
RETRY_AFTER_SECONDS = 1
MESSAGE = ("Too many requests of this API key at once (at most {cap} in progress and {queued} "
           "waiting); retry after {retry} s.")


def key_of(scope) -> str | None:
    """A digest of the request's credentials, or None when it carries none."""
    for name, value in scope.get("headers") or ():
        if name.lower() == b"authorization":
            return hashlib.sha256(value.strip()).hexdigest()[:32]
    return None


class _KeySlots:
    def __init__(self, cap: int) -> None:
        self.semaphore = asyncio.Semaphore(cap)
        self.users = 0  # in progress and waiting
        self.waiting = 0


class KeyInFlightASGI:
    def __init__(self, app) -> None:
        self.app = app
        self.keys: dict[str, _KeySlots] = {}

    async def __call__(self, scope, receive, send) -> None:
        cap = int(settings.ANNOTATOR_API_IN_FLIGHT_PER_KEY)
        key = key_of(scope) if scope["type"] == "http" and cap > 0 else None
        if key is None:
            await self.app(scope, receive, send)
            return
        slots = self.keys.get(key) or self.keys.setdefault(key, _KeySlots(cap))
        slots.users += 1
        try:
            if not await self._acquire(slots):
                await _too_many(send, cap)
                return
            try:
                await self.app(scope, receive, send)
            finally:
                slots.semaphore.release()
        finally:
            slots.users -= 1
            if not slots.users:
                self.keys.pop(key, None)

    @staticmethod
    async def _acquire(slots: _KeySlots) -> bool:
        if not slots.semaphore.locked():
            await slots.semaphore.acquire()
            return True
        if slots.waiting >= int(settings.ANNOTATOR_API_QUEUED_PER_KEY):
            return False
        slots.waiting += 1
        try:
            await asyncio.wait_for(slots.semaphore.acquire(), QUEUE_SECONDS)
            return True
        except TimeoutError:
            return False
        finally:
            slots.waiting -= 1


async def _too_many(send, cap: int) -> None:
    queued = int(settings.ANNOTATOR_API_QUEUED_PER_KEY)
    body = error_body(429, MESSAGE.format(cap=cap, queued=queued, retry=RETRY_AFTER_SECONDS))
    await send({"type": "http.response.start", "status": 429, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(RETRY_AFTER_SECONDS).encode())]})
    await send({"type": "http.response.body", "body": body})

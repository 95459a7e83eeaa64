"""At most ANNOTATOR_API_IN_FLIGHT_PER_KEY requests of one API key at once in a server process.

The server runs every request's Django code on a small pool of threads (annotator/handler.py);
without a cap, one key sending a few slow requests at once (large bodies, slow validation)
held them all and every other account waited. `KeyInFlightASGI` wraps the HTTP application
and answers a key's request beyond its cap with a 429 in the error shape, with Retry-After,
before its body is read. The key is recognised from the Authorization header alone (no
database lookup); a request without one is not counted. The count is per process, since it
protects that process's threads (docs/deploy.md).
"""

from __future__ import annotations

import hashlib
from collections import Counter

from django.conf import settings

from tasks.limits import error_body

RETRY_AFTER_SECONDS = 1
MESSAGE = ("Too many requests of this API key at once (at most {cap} in progress); "
           "retry after {retry} s.")


def key_of(scope) -> str | None:
    """A digest of the request's credentials, or None when it carries none."""
    for name, value in scope.get("headers") or ():
        if name.lower() == b"authorization":
            return hashlib.sha256(value.strip()).hexdigest()[:32]
    return None


class KeyInFlightASGI:
    def __init__(self, app) -> None:
        self.app = app
        self.in_flight: Counter[str] = Counter()

    async def __call__(self, scope, receive, send) -> None:
        cap = int(settings.ANNOTATOR_API_IN_FLIGHT_PER_KEY)
        key = key_of(scope) if scope["type"] == "http" and cap > 0 else None
        if key is None:
            await self.app(scope, receive, send)
            return
        if self.in_flight[key] >= cap:
            await _too_many(send, cap)
            return
        self.in_flight[key] += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight[key] -= 1
            if not self.in_flight[key]:
                del self.in_flight[key]


async def _too_many(send, cap: int) -> None:
    body = error_body(429, MESSAGE.format(cap=cap, retry=RETRY_AFTER_SECONDS))
    await send({"type": "http.response.start", "status": 429, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(RETRY_AFTER_SECONDS).encode())]})
    await send({"type": "http.response.body", "body": body})

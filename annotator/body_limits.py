"""A bounded request body (413), and no NUL character in the URL (400), before anything reads
the request.

Two layers enforce the body limit. `BodyLimitASGI` wraps the ASGI application (annotator/asgi.py)
and counts the bytes that actually arrive: a declared Content-Length over the limit is refused
before any of the body is read, and a body without one (chunked) is read only up to the limit,
then handed on with its length. `RequestLimitsMiddleware` refuses a declared Content-Length over
the limit under any server (WSGI, the test client), and NUL characters in the path or query
string, which PostgreSQL cannot store (tasks/limits.py finds them in a parsed body).

The limit is ANNOTATOR_MAX_BODY_BYTES (default 20 MB) for every request, except the upload
endpoint (the URL named `files-upload`), which takes ANNOTATOR_MAX_UPLOAD_BYTES (80 MB) plus room
for the multipart envelope.
"""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Iterator

import orjson
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from tasks.limits import NUL

UPLOAD_URL_NAME = "files-upload"
# The multipart envelope of an upload: boundaries, part headers and the small text fields.
MULTIPART_SLACK_BYTES = 1024 * 1024
REPLAY_CHUNK_BYTES = 256 * 1024


@functools.cache
def _upload_path() -> str:
    return reverse(UPLOAD_URL_NAME)


def _is_upload(path: str) -> bool:
    return path.rstrip("/") == _upload_path()


def body_limit(path: str) -> int:
    if _is_upload(path):
        return int(settings.ANNOTATOR_MAX_UPLOAD_BYTES) + MULTIPART_SLACK_BYTES
    return int(settings.ANNOTATOR_MAX_BODY_BYTES)


def _setting_name(path: str) -> str:
    if _is_upload(path):
        return "ANNOTATOR_MAX_UPLOAD_BYTES"
    return "ANNOTATOR_MAX_BODY_BYTES"


def too_large_message(path: str, size: int | None) -> str:
    limit = body_limit(path)
    given = f" of {size:,} bytes" if size is not None else ""
    return (f"The request body{given} is larger than this endpoint accepts ({limit:,} bytes, "
            f"set by {_setting_name(path)}).")


def error_body(status_code: int, message: str) -> bytes:
    return orjson.dumps({"status_code": status_code, "error": message})


def error_response(status_code: int, message: str) -> HttpResponse:
    return HttpResponse(error_body(status_code, message), status=status_code,
                        content_type="application/json")


def _query_has_nul(request: HttpRequest) -> bool:
    return any(NUL in key or any(NUL in v for v in values)
               for key, values in request.GET.lists())


class RequestLimitsMiddleware:
    """Django middleware: 413 for a declared body over the limit; 400 for NUL in the URL."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            nul = NUL in request.path or _query_has_nul(request)
        except SuspiciousOperation as exc:  # e.g. more query parameters than Django reads
            return error_response(400, f"The request was refused: {exc}")
        if nul:
            return error_response(400, "The URL contains a NUL character (%00), which this "
                                       "server does not accept.")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return error_response(400, "Content-Length is not a number.")
        if length > body_limit(request.path):
            return error_response(413, too_large_message(request.path, length))
        return self.get_response(request)


# --- ASGI -------------------------------------------------------------------------------------

def _header(scope: dict, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value
    return None


async def _send_error(send, status_code: int, message: str) -> None:
    body = error_body(status_code, message)
    await send({"type": "http.response.start", "status": status_code, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class BodyLimitASGI:
    """ASGI middleware around the HTTP application; see the module's docstring."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        limit = body_limit(path)
        declared = _header(scope, b"content-length")
        if declared is not None:
            try:
                length = int(declared)
            except ValueError:
                await _send_error(send, 400, "Content-Length is not a number.")
                return
            if length > limit:
                await _send_error(send, 413, too_large_message(path, length))
                return
            await self.app(scope, receive, send)
            return
        if _header(scope, b"transfer-encoding") is None:
            await self.app(scope, receive, send)  # neither header: HTTP/1.1 has no body then
            return
        await self._spooled(scope, receive, send, path, limit)

    async def _spooled(self, scope, receive, send, path: str, limit: int) -> None:
        """A body without a Content-Length: read it up to the limit, then pass it on whole."""
        with tempfile.SpooledTemporaryFile(max_size=REPLAY_CHUNK_BYTES * 4) as spool:
            await self._spool_and_replay(spool, scope, receive, send, path, limit)

    async def _spool_and_replay(self, spool, scope, receive, send, path: str,
                                limit: int) -> None:
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _send_error(send, 413, too_large_message(path, None))
                return
            spool.write(chunk)
            if not message.get("more_body", False):
                break
        headers = [(k, v) for k, v in scope.get("headers", ())
                   if k.lower() != b"transfer-encoding"]
        headers.append((b"content-length", str(size).encode()))
        replay_scope = {**scope, "headers": headers}
        spool.seek(0)
        chunks = _chunks(spool)

        async def replay() -> dict:
            piece = next(chunks, None)
            if piece is None:
                return await receive()
            return {"type": "http.request", "body": piece[0], "more_body": piece[1]}

        await self.app(replay_scope, replay, send)


def _chunks(spool) -> Iterator[tuple[bytes, bool]]:
    """(bytes, more_body) pieces of the spooled body; one empty piece for an empty body."""
    piece = spool.read(REPLAY_CHUNK_BYTES)
    while True:
        following = spool.read(REPLAY_CHUNK_BYTES)
        yield piece, bool(following)
        if not following:
            return
        piece = following

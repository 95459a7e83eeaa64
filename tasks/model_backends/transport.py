"""One HTTP exchange with a model backend: through tasks/fetching.py (SSRF-safe, the
ANNOTATOR_FETCH_ALLOW list), within the backend's timeout, behind its breaker
(tasks/model_backends/breaker.py). A refused, failed, non-2xx or non-JSON exchange counts as
a failure; while the breaker is open no request is made at all."""

from __future__ import annotations

import time
from typing import Any

import orjson

from tasks import fetching
from tasks.model_backends import breaker
from tasks.models import ModelBackend

MAX_RESPONSE_BYTES = 8 * 1024 * 1024  # a predict answer with brush masks can be large
MIN_TIMEOUT, MAX_TIMEOUT = 0.5, 120.0


class BackendError(Exception):
    """The backend could not be used; `message` says why (shown in the admin)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BreakerOpen(BackendError):
    """The backend is disabled or its breaker is open: nothing was sent."""


def timeout_of(backend: ModelBackend) -> float:
    return min(max(float(backend.timeout_seconds or 0), MIN_TIMEOUT), MAX_TIMEOUT)


def endpoint(backend: ModelBackend, path: str) -> str:
    return backend.url.rstrip("/") + "/" + path.lstrip("/")


def call(backend: ModelBackend, path: str, payload: Any = None) -> Any:
    """GET (no payload) or POST JSON to `path` under the backend's URL; the decoded answer.
    Raises BreakerOpen without a request, BackendError after a failed one."""
    if not breaker.usable(backend):
        raise BreakerOpen(f"model backend {backend.name} is "
                          f"{'disabled' if not backend.enabled else 'paused after failures'}")
    try:
        data = _exchange(backend, endpoint(backend, path), payload)
    except BackendError as exc:
        breaker.record_failure(backend, exc.message)
        raise
    version = data.get("model_version") if isinstance(data, dict) else None
    breaker.record_success(backend, version if isinstance(version, str) else "")
    return data


def _exchange(backend: ModelBackend, url: str, payload: Any) -> Any:
    headers = {"Accept": "application/json"}
    if backend.auth_header:
        headers["Authorization"] = backend.auth_header
    started = time.monotonic()
    try:
        if payload is None:
            result = fetching.fetch(url, max_bytes=MAX_RESPONSE_BYTES, timeout=timeout_of(backend))
            body = result.content
        else:
            posted = fetching.post_json(url, orjson.dumps(payload), headers=headers,
                                        timeout=timeout_of(backend),
                                        response_limit=MAX_RESPONSE_BYTES + 1)
            if not posted.ok:
                raise BackendError(f"{url} answered HTTP {posted.status_code}: "
                                   f"{posted.body[:300].decode('utf-8', 'replace')}")
            body = posted.body
    except fetching.FetchError as exc:
        raise BackendError(exc.message) from None
    if len(body) > MAX_RESPONSE_BYTES:
        raise BackendError(f"{url} answered more than {MAX_RESPONSE_BYTES} bytes")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        spent = time.monotonic() - started
        raise BackendError(f"{url} did not answer JSON (after {spent:.1f} s)") from None

"""The breaker of a model backend, kept on its row so every process sees one state
(docs/assist.md, "The breaker").

After FAILURES_TO_OPEN consecutive failures the breaker opens for OPEN_SECONDS; each further
failure (the one try let through once it is over) doubles the wait, up to MAX_OPEN_SECONDS.
While it is open no request is made. A success closes it.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from tasks.models import ModelBackend

FAILURES_TO_OPEN = 3
OPEN_SECONDS = 60.0
MAX_OPEN_SECONDS = 600.0
ERROR_LIMIT = 2000


def is_open(backend: ModelBackend) -> bool:
    return backend.open_until is not None and backend.open_until > timezone.now()


def usable(backend: ModelBackend | None) -> bool:
    """Enabled, and its breaker closed (or its wait over: the next call is the trial)."""
    return backend is not None and backend.enabled and not is_open(backend)


def open_seconds(failures: int) -> float:
    """How long the breaker stays open after the `failures`-th consecutive failure (0: shut)."""
    if failures < FAILURES_TO_OPEN:
        return 0.0
    return min(OPEN_SECONDS * 2 ** (failures - FAILURES_TO_OPEN), MAX_OPEN_SECONDS)


def record_success(backend: ModelBackend, model_version: str = "") -> None:
    now = timezone.now()
    changes: dict = {"failures": 0, "open_until": None, "last_ok_at": now}
    if model_version:
        changes["model_version"] = model_version[:200]
    ModelBackend.objects.filter(pk=backend.pk).update(**changes)
    for key, value in changes.items():
        setattr(backend, key, value)


def record_failure(backend: ModelBackend, error: str) -> None:
    """Count one more consecutive failure (under the row's lock: workers race)."""
    with transaction.atomic():
        row = ModelBackend.objects.select_for_update().get(pk=backend.pk)
        row.failures += 1
        wait = open_seconds(row.failures)
        row.open_until = timezone.now() + timedelta(seconds=wait) if wait else None
        row.last_error = error[:ERROR_LIMIT]
        row.save(update_fields=["failures", "open_until", "last_error"])
    backend.failures, backend.open_until, backend.last_error = (
        row.failures, row.open_until, row.last_error)

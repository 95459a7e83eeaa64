"""GET /healthz: is this server up, and is a worker alive (docs/deploy.md)."""

from __future__ import annotations

from django.db import DatabaseError
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from tasks import heartbeat


@never_cache
@require_GET
def healthz(request) -> JsonResponse:
    """Always 200 while the server answers (so that a proxy does not take every server out
    when the worker is down); `status` says "ok" only when the database answers and some
    worker's heartbeat is fresh."""
    try:
        worker = heartbeat.health()
    except DatabaseError:
        return JsonResponse({"status": "database-unavailable", "worker": None})
    return JsonResponse({"status": "ok" if worker["alive"] else "no-worker", "worker": worker})

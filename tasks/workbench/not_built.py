"""A placeholder answer for pages of the quality loop while they are being built: removed
once every view it stands in for is written."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET, require_POST


def _not_built(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    return JsonResponse({"error": "Not built yet.", "status_code": 501}, status=501)


reading = require_GET(_not_built)
changing = require_POST(_not_built)

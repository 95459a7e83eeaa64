"""GET /assist-media/<token>: a task's image for a model backend, by the signed,
time-limited token of tasks/model_backends/media.py (no session; docs/assist.md)."""

from __future__ import annotations

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_GET

from tasks.model_backends.media import task_of_token
from tasks.workbench.views import image_response


@require_GET
def assist_media(request: HttpRequest, token: str) -> HttpResponseBase:
    return image_response(task_of_token(token))

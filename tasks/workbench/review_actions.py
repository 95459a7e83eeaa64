"""A reviewer's decision on the task they hold in review (docs/quality.md):

    POST /tasks/<id>/review/decide  {"decision": "accept" | "send_back", "comment"?: str}
    -> {"status": "completed" | "rework", "next_url": "/review/"}

409 when they no longer hold it in review; 400 (the API's error shape, naming the annotation
when the draft breaks a rule) for a bad body or a send-back without a reason."""

from __future__ import annotations

import orjson
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_POST

from tasks import queue, workforce
from tasks.errors import ApiError
from tasks.models import Task, TaskStatus
from tasks.quality_flow import decisions


@require_POST  # the method first: a GET is a 405 for anyone
@login_required
def decide(request: HttpRequest, task_id: str) -> JsonResponse:
    if not queue.is_reviewer(request.user):
        return _error(ApiError(403, "This account is not a reviewer."))
    task = get_object_or_404(workforce.openable_tasks(request.user, Task.objects.only("pk")),
                             task_id=task_id)
    try:
        decision, comment = _body(request.body)
        task = decisions.decide(task, request.user, decision, comment,
                                base_url=request.build_absolute_uri("/"))
    except ApiError as exc:
        return _error(exc)
    status = "completed" if task.status == TaskStatus.COMPLETED else "rework"
    return JsonResponse({"status": status, "next_url": reverse("review-queue")})


def _body(raw: bytes) -> tuple[str, str]:
    try:
        body = orjson.loads(raw or b"null")
    except orjson.JSONDecodeError as exc:
        raise ApiError(400, "The body is not valid JSON.") from exc
    if not isinstance(body, dict):
        raise ApiError(400, 'The body is an object: {"decision": "accept" | "send_back", '
                            '"comment"?: string}.')
    decision, comment = body.get("decision"), body.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise ApiError(400, "comment must be a string.")
    return (decision if isinstance(decision, str) else ""), comment or ""


def _error(exc: ApiError) -> JsonResponse:
    return JsonResponse(exc.as_json(), status=exc.status_code)

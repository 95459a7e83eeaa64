"""A reviewer's decision on the task they hold in review (docs/quality.md):

    POST /tasks/<id>/review/decide  {"decision": "accept" | "send_back", "comment"?: str}
    -> {"status": "completed" | "rework", "next_url": the next review of the project (leased
        now, as its Start would), else "/review/"}

409 when they no longer hold it in review; 400 (the API's error shape, naming the annotation
when the draft breaks a rule) for a bad body or a send-back without a reason."""

from __future__ import annotations

import orjson
from django.contrib import messages
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
    # what the review queue, where the page goes next, says about the decision just made
    messages.success(request, f"Task {task.task_id} accepted." if status == "completed"
                     else f"Task {task.task_id} sent back for rework.")
    return JsonResponse({"status": status, "next_url": next_review_url(request.user, task)})


def next_review_url(user, task: Task) -> str:
    """The reviewer's next review in the task's project, claimed now (a Start of it), else
    the review queue (docs/workbench.md "Review mode")."""
    project = queue.review_projects(user).filter(pk=task.project_id).first()
    following = queue.claim_next_review(user, project) if project is not None else None
    return (reverse("review", args=[following.task_id]) if following is not None
            else reverse("review-queue"))


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

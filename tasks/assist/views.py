"""POST /tasks/<task_id>/assist: a shape from a prompt on the task's image, for the holder of
the task (its tasker, or its reviewer on review) (docs/assist.md, "The endpoint")."""

from __future__ import annotations

import time

import orjson
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_POST

from tasks import kinds, queue, workforce
from tasks.assist import prompts, providers, shapes, task_image
from tasks.errors import ApiError
from tasks.models import Task
from tasks.workbench.views import HEAVY_FIELDS, worker_required

MAX_BODY_BYTES = 256 * 1024


@worker_required
@require_POST
def assist(request: HttpRequest, task_id: str) -> JsonResponse:
    started = time.monotonic()
    try:
        task = held_task(request, task_id)
        prompt = read_prompt(request)
        body = run(task, prompt)
    except ApiError as exc:
        return JsonResponse(exc.as_json(), status=exc.status_code)
    body["ms"] = round((time.monotonic() - started) * 1000)
    return JsonResponse(body)


def held_task(request: HttpRequest, task_id: str) -> Task:
    """The task, if this user holds it; else 404 (staff looking at a task do not hold it)."""
    qs = (Task.objects.select_related("project").defer(*HEAVY_FIELDS)
          .with_params_subset(("geometries", "attachment")))
    task = workforce.openable_tasks(request.user, qs).filter(task_id=task_id).first()
    if task is None or not queue.holds(request.user, task):
        raise ApiError(404, "No such task, or it is not leased to you.")
    return task


def read_prompt(request: HttpRequest) -> prompts.Prompt:
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES:
        raise ApiError(400, f"The body is larger than {MAX_BODY_BYTES // 1024} KB.")
    try:
        return prompts.parse(orjson.loads(request.body or b"null"))
    except orjson.JSONDecodeError as exc:
        raise ApiError(400, "The body is not valid JSON.") from exc
    except prompts.PromptError as exc:
        raise ApiError(400, str(exc)) from exc


def run(task: Task, prompt: prompts.Prompt) -> dict:
    """The response's body for a checked prompt."""
    from tasks.assist import cv  # its errors; numpy and cv2 only when an assist runs

    geometries = kinds.of(task).assist_geometries(task.params_subset)
    if prompt.geometry not in geometries:
        raise ApiError(400, f"geometry: this task has no {prompt.geometry} geometry")
    image = task_image.for_task(task)
    cap = shapes.vertex_cap(prompt.max_vertices, geometries)
    try:
        answer = providers.answer(task, prompt, image, cap)
    except cv.NothingFound as exc:
        raise ApiError(422, str(exc)) from exc
    except cv.BadPrompt as exc:
        raise ApiError(400, str(exc)) from exc
    shape = shapes.response_shape(answer, prompt.geometry, (image.width, image.height), cap)
    body = {"shape": shape, "source": answer.source, "model_version": answer.model_version}
    if answer.note:
        body["note"] = answer.note
    return body

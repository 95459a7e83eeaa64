"""The taskers' pages: the queue, the workbench, and the session endpoints the page calls."""

from __future__ import annotations

import orjson
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from tasks import queue, submission
from tasks.errors import ApiError
from tasks.models import Project, Task, UploadedFile
from tasks.models.files import SCHEME
from tasks.rules.params import effective_padding


def tasker_required(view):
    @login_required
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not queue.is_tasker(request.user):
            raise PermissionDenied("This account is not a tasker.")
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def work_url(task: Task) -> str:
    return reverse("work", args=[task.task_id])


@tasker_required
@require_GET
def queue_page(request: HttpRequest) -> HttpResponse:
    return render(request, "workbench/queue.html", {"rows": queue.queue_rows(request.user)})


@tasker_required
@require_POST
def start_next(request: HttpRequest, project_id: int) -> HttpResponse:
    project = get_object_or_404(queue.visible_projects(request.user), pk=project_id)
    task = queue.claim_next(request.user, project)
    if task is None:
        messages.info(request, f"No pending tasks in {project.name} right now.")
        return redirect("queue")
    return redirect(work_url(task))


def viewable_task(request: HttpRequest, task_id: str) -> tuple[Task, bool]:
    """The task and whether this user may only look at it (staff who do not hold it)."""
    task = Task.objects.select_related("project", "batch").filter(task_id=task_id).first()
    if task is None:
        raise Http404("No such task.")
    if queue.holds(request.user, task):
        return task, False
    if request.user.is_staff:
        return task, True
    raise PermissionDenied("This task is not leased to you.")


@login_required
@require_GET
def work_page(request: HttpRequest, task_id: str) -> HttpResponse:
    task, read_only = viewable_task(request, task_id)
    return render(request, "workbench/work.html", {"task": task, "read_only": read_only})


@login_required
@require_GET
def task_data(request: HttpRequest, task_id: str) -> HttpResponse:
    task, read_only = viewable_task(request, task_id)
    pad_x, pad_y = effective_padding(task.params)
    data = {
        "task_id": task.task_id,
        "project": task.project.name if task.project_id else None,
        "instruction": task.instruction,
        "params": task.params,
        "padding": {"x": pad_x, "y": pad_y},
        "image": {"url": reverse("task-image", args=[task.task_id]),
                  "width": task.attachment_width, "height": task.attachment_height},
        "read_only": read_only,
        "annotations": [
            {**a.as_json(), "source": a.source, "locked": a.locked, "version": a.version}
            for a in task.annotations.all()
        ],
        "lease_expires_at": task.lease_expires_at.isoformat() if task.lease_expires_at
        else None,
    }
    return HttpResponse(orjson.dumps(data), content_type="application/json")


@login_required
@require_GET
def task_image(request: HttpRequest, task_id: str) -> HttpResponse:
    task, _ = viewable_task(request, task_id)
    if task.attachment_file:
        return FileResponse(task.attachment_file.open("rb"),
                            content_type=task.attachment_mime or None)
    url = task.params.get("attachment", "")
    if url.startswith(SCHEME):
        file_id = url[len(SCHEME):].partition("/")[2]
        record = UploadedFile.objects.filter(owner=task.owner, id=file_id).first()
        if record is None:
            raise Http404("The task's file is gone.")
        return FileResponse(record.file.open("rb"), content_type=record.mime_type)
    # Not fetched yet: the browser loads the original directly.
    return redirect(url)


@tasker_required
@require_POST
def submit_task(request: HttpRequest, task_id: str) -> JsonResponse:
    task = get_object_or_404(Task, task_id=task_id)
    try:
        payload = orjson.loads(request.body or b"null")
    except orjson.JSONDecodeError:
        return JsonResponse({"error": "The body is not valid JSON."}, status=400)
    try:
        submission.submit(task, request.user, payload)
    except ApiError as exc:
        return JsonResponse(exc.as_json(), status=exc.status_code)
    return JsonResponse({"status": "completed", "next_url": next_url(request.user, task)})


def next_url(user, task: Task) -> str:
    if task.project_id is None:
        return reverse("queue")
    project = Project.objects.get(pk=task.project_id)
    following = queue.claim_next(user, project)
    return work_url(following) if following else reverse("queue")


@tasker_required
@require_POST
def skip_task(request: HttpRequest, task_id: str) -> HttpResponse:
    task = get_object_or_404(Task, task_id=task_id)
    if queue.release(task, request.user):
        messages.info(request, f"Task {task.task_id} went back to the queue.")
    return redirect("queue")

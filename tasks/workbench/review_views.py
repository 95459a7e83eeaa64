"""The review page of the workbench (docs/workbench.md, "Review mode"); the review's state
that GET /data carries is tasks/quality_flow/page.py."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from tasks import tiles
from tasks.models.tasks import TaskStage, TaskStatus
from tasks.workbench import views
from tasks.workbench.csp import csp_protected


@csp_protected
@login_required
@require_GET
def review_page(request: HttpRequest, task_id: str) -> HttpResponse:
    """The workbench in review mode: for the holder of a task in stage review; staff who do
    not hold it see it read-only (any stage). The holder of a task in another stage has its
    work page."""
    task, read_only = views.viewable_task(request, task_id, light=True)
    if not read_only and (task.status != TaskStatus.PENDING or task.stage != TaskStage.REVIEW):
        return redirect(views.work_url(task))
    preload = bool(task.attachment_mime) and not tiles.needs_tiles(task.attachment_width,
                                                                   task.attachment_height)
    return render(request, "workbench/work.html", {"task": task, "read_only": read_only,
                                                   "preload_image": preload, "mode": "review"})

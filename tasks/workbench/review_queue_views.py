"""The reviewers' queue page and its Start next review (docs/quality.md "A reviewer's
Start")."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from tasks import queue
from tasks.quality_flow import review_queue
from tasks.workbench.csp import csp_protected
from tasks.workbench.views import reviewer_required


@csp_protected
@require_GET  # before the role: a wrong method is a 405 for anyone
@reviewer_required
def review_queue_page(request: HttpRequest) -> HttpResponse:
    return render(request, "workbench/review_queue.html",
                  {"rows": review_queue.review_rows(request.user),
                   "queue_link": queue.is_tasker(request.user)})


@require_POST
@reviewer_required
def start_next_review(request: HttpRequest, project_id: int) -> HttpResponse:
    projects = queue.review_projects(request.user).select_related("quality")
    project = get_object_or_404(projects, pk=project_id)
    task = queue.claim_next_review(request.user, project)
    if task is None:
        messages.info(request, f"Nothing to review in {project.name} right now.")
        return redirect("review-queue")
    return redirect(reverse("review", args=[task.task_id]))

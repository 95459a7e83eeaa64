"""The admin's quality pages: a staff page per project and per tasker, and their JSON.

Mounted by `annotator/urls.py` at /admin/quality/, beside the daily view (tasks/admin_stats.py)
and scoped like it: a superuser sees every project, a manager their accounts' projects and
people, a person's figures counted over those projects only (docs/workforce.md). The figures
come from `tasks.quality_flow.metrics` (docs/quality.md, "Measured quality"); the page draws
them from the same JSON that `<page>.json` serves, which it also carries as
`#project-quality`.
The Pause / Unpause / Let retry training buttons call `tasks.quality_flow.standing`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from tasks.admin_scoping import projects_of, sees_all, workforce_people
from tasks.models import Project
from tasks.prelabel_ledger import views as prelabel_views
from tasks.quality_flow import metrics, standing
from tasks.stats import duration_text

PROJECT_TEMPLATE = "admin/tasks/project_quality.html"
TASKER_TEMPLATE = "admin/tasks/tasker_quality.html"
CHART_WIDTH, CHART_HEIGHT, BAR_GAP = 300, 40, 1
MAX_DAYS = 365

LABELS = {
    "acceptance_rate": "Acceptance rate",
    "annotation_acceptance": "Annotation acceptance",
    "rework_rate": "Rework rate",
    "issues_per_task": "Issues per reviewed task",
    "consensus_agreement": "Consensus agreement",
    "gold_accuracy": "Gold accuracy",
    "review_accuracy": "Review accuracy",
    "training_score": "Training score",
    "work_seconds_median": "Time per task (median)",
    "review_seconds_median": "Review time (median)",
}
SECONDS = {"work_seconds_median", "review_seconds_median"}
COUNTS = {"issues_per_task"}


def days_of(request: HttpRequest) -> int:
    """`?days=N` (1 to 365), else 30."""
    try:
        days = int(request.GET.get("days", metrics.DAYS))
    except ValueError:
        days = metrics.DAYS
    return min(max(days, 1), MAX_DAYS)


def figure_text(name: str, figure: dict) -> str:
    value = figure["value"]
    if value is None:
        return "–"
    if name in SECONDS:
        return duration_text(value)
    return f"{value:.2f}" if name in COUNTS else f"{100 * value:.1f} %"


def bar_slots(count: int, chart_width: float, gap: float) -> tuple[float, float]:
    """The step from one bar to the next and each bar's width, for `count` bars across
    `chart_width`: bars `gap` apart, the gap shrinking with the bars when they get narrower
    than it (a fifth of the step at most; 365 days across 300 px)."""
    step = chart_width / max(count, 1)
    return step, round(step - min(gap, step / 5), 2)


def trend_chart(name: str, trend: list[dict]) -> dict:
    """Bar geometry for an inline SVG, one bar per day as the daily view draws its chart:
    shares are scaled to 100 %, counts and times to the largest day; a day without any row
    is a flat grey bar."""
    values = [day[name]["value"] for day in trend]
    fraction = name not in SECONDS and name not in COUNTS
    peak = 1.0 if fraction else max((v for v in values if v is not None), default=0) or 1
    step, width = bar_slots(len(trend), CHART_WIDTH, BAR_GAP)
    bars = []
    for i, day in enumerate(trend):
        value = day[name]["value"]
        height = round(CHART_HEIGHT * min(value, peak) / peak, 1) if value else 0
        bars.append({"x": round(i * step, 2), "y": round(CHART_HEIGHT - height, 1),
                     "width": width, "height": height, "empty": value is None, "day": day["day"],
                     "title": f"{day['day']}: {figure_text(name, day[name])}"
                              f" (n = {day[name]['n']})"})
    return {"width": CHART_WIDTH, "height": CHART_HEIGHT, "bars": bars}


def figure_rows(figures: dict, trend: list[dict]) -> list[dict]:
    return [{"name": name, "label": LABELS[name], "text": figure_text(name, figure),
             "n": figure["n"], "chart": trend_chart(name, trend)}
            for name, figure in figures.items()]


def cells(names: tuple[str, ...], figures: dict) -> list[dict]:
    return [{"name": name, "text": figure_text(name, figures[name]), "n": figures[name]["n"]}
            for name in names]


NO_CELLS = cells(metrics.OVERVIEW_FIGURES,
                 {name: metrics.EMPTY.as_json() for name in metrics.OVERVIEW_FIGURES})


def overview_cells() -> dict[int, list[dict]]:
    """The daily view's overview columns per project: acceptance rate and gold accuracy."""
    return {pk: cells(metrics.OVERVIEW_FIGURES, metrics.as_json(figures))
            for pk, figures in metrics.overview().items()}


def project_context(project: Project, data: dict) -> dict:
    return {
        "figures": figure_rows(data["figures"], data["trend"]),
        "tasker_heads": [LABELS[name] for name in metrics.TASKER_FIGURES],
        "reviewer_heads": [LABELS[name] for name in metrics.REVIEWER_FIGURES],
        "taskers": [{**row, "cells": cells(metrics.TASKER_FIGURES, row["figures"])}
                    for row in data["taskers"]],
        "reviewers": [{**row, "cells": cells(metrics.REVIEWER_FIGURES, row["figures"])}
                      for row in data["reviewers"]],
    }


@staff_member_required
def project_page(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(projects_of(request).select_related("owner"), pk=pk)
    data = metrics.project_figures(project, days_of(request))
    context = {**admin.site.each_context(request), "title": f"Quality: {project.name}",
               "project": project, "data": data, **project_context(project, data),
               "opts": Project._meta,
               "json_url": reverse("admin-quality-project-json", args=[project.pk])}
    return render(request, PROJECT_TEMPLATE, context)


@staff_member_required
def project_json(request: HttpRequest, pk: int) -> JsonResponse:
    project = get_object_or_404(projects_of(request), pk=pk)
    return JsonResponse(metrics.project_figures(project, days_of(request)))


@staff_member_required
def tasker_page(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_object_or_404(people_of(request), pk=user_id)
    data = metrics.tasker_figures(user, days_of(request), projects=scoped_projects(request))
    context = {**admin.site.each_context(request), "title": f"Quality: {user.get_username()}",
               "person": user, "data": data,
               "figures": figure_rows(data["figures"], data["trend"]),
               "review_figures": figure_rows(data["review"]["figures"], data["review"]["trend"]),
               "worked": any(f["n"] for f in data["figures"].values()),
               "reviewed": any(f["n"] for f in data["review"]["figures"].values()),
               "tasker_heads": [LABELS[name] for name in metrics.TASKER_FIGURES],
               "projects": [{**row, "cells": cells(metrics.TASKER_FIGURES, row["figures"])}
                            for row in data["projects"]],
               "json_url": reverse("admin-quality-tasker-json", args=[user.pk])}
    return render(request, TASKER_TEMPLATE, context)


@staff_member_required
def tasker_json(request: HttpRequest, user_id: int) -> JsonResponse:
    user = get_object_or_404(people_of(request), pk=user_id)
    return JsonResponse(metrics.tasker_figures(user, days_of(request),
                                               projects=scoped_projects(request)))


def people_of(request: HttpRequest) -> Any:
    """The people whose quality pages the signed-in staff user may open."""
    if sees_all(request):
        return get_user_model().objects.all()
    return workforce_people(request)


def scoped_projects(request: HttpRequest) -> Any:
    """None (every project) for a superuser, else the manager's accounts' projects."""
    return None if sees_all(request) else projects_of(request)


ACTIONS: dict[str, tuple[Callable[[Project, Any, Any], object], str]] = {
    "pause": (lambda project, user, by: standing.pause(project, user, by), "paused"),
    "unpause": (lambda project, user, by: standing.unpause(project, user), "unpaused"),
    "retry-training": (lambda project, user, by: standing.let_retry(project, user),
                       "may take the training again"),
}


@require_POST
@staff_member_required
def standing_action(request: HttpRequest, pk: int, user_id: int, action: str) -> HttpResponse:
    """Pause, unpause or let retry training one tasker in the project, then back to the page."""
    project = get_object_or_404(projects_of(request), pk=pk)
    user = get_object_or_404(people_of(request), pk=user_id)
    if action not in ACTIONS:
        return HttpResponse(status=404)
    act, done = ACTIONS[action]
    act(project, user, request.user)
    messages.success(request, f"{user.get_username()} {done} in {project.name}.")
    return redirect("admin-quality-project", pk=project.pk)


urlpatterns = [
    path("projects/<int:pk>/", project_page, name="admin-quality-project"),
    path("projects/<int:pk>.json", project_json, name="admin-quality-project-json"),
    path("projects/<int:pk>/taskers/<int:user_id>/<slug:action>", standing_action,
         name="admin-quality-standing"),
    path("taskers/<int:user_id>/", tasker_page, name="admin-quality-tasker"),
    path("taskers/<int:user_id>.json", tasker_json, name="admin-quality-tasker-json"),
    # the prelabel ledger's page, JSON and CSV (docs/assist.md)
    *prelabel_views.urlpatterns,
]

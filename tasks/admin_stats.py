"""The admin's daily view: a staff page per project (and one over all projects).

Mounted by `annotator/urls.py` at /admin/stats/ (before the admin's own URLs), so it needs no
particular AdminSite. The numbers come from `tasks.stats`; the page marks every number with
`data-stat` and carries them as JSON (`#project-stats`), and the same JSON is served at
`<page>.json`, so that a live feed can later update the page without reshaping anything.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html

from tasks import admin_quality, stats
from tasks.admin_scoping import projects_of, sees_all
from tasks.models import Project
from tasks.prelabel_ledger import figures as prelabel_figures
from tasks.prelabel_ledger import views as prelabel_views
from tasks.prelabel_ledger.filters import last_days

TEMPLATE = "admin/tasks/project_stats.html"
CHART_WIDTH, CHART_HEIGHT, BAR_GAP = 600, 120, 2


def bar_chart(days: list[stats.Day]) -> dict:
    """Bar geometry for an inline SVG: one bar per day, scaled to the busiest day."""
    peak = max((d.completed for d in days), default=0) or 1
    step, width = admin_quality.bar_slots(len(days), CHART_WIDTH, BAR_GAP)
    bars = []
    for i, day in enumerate(days):
        height = round(CHART_HEIGHT * day.completed / peak, 1)
        bars.append({"x": round(i * step, 1), "y": round(CHART_HEIGHT - height, 1),
                     "width": width, "height": height, "day": day.day,
                     "completed": day.completed})
    return {"width": CHART_WIDTH, "height": CHART_HEIGHT, "bars": bars, "peak": peak,
            "total": sum(d.completed for d in days)}


@staff_member_required
def overview(request: HttpRequest) -> HttpResponse:
    quality = admin_quality.overview_cells()
    # a manager's rows: their accounts' projects only (docs/workforce.md)
    seen = None if sees_all(request) else set(projects_of(request).values_list("pk", flat=True))
    prelabels = prelabel_figures.by_project(
        last_days(projects=None if seen is None else projects_of(request)))
    context = {**admin.site.each_context(request), "title": "Daily view: all projects",
               "rows": [(row, quality.get(row.project.pk, admin_quality.NO_CELLS),
                         prelabel_views.display(prelabels.get(row.project.pk, {})))
                        for row in stats.overview()
                        if seen is None or row.project.pk in seen],
               "ledger_url": reverse("admin-prelabel-ledger")}
    return render(request, TEMPLATE, context)


@staff_member_required
def project_page(request: HttpRequest, project_id: int) -> HttpResponse:
    project = get_object_or_404(projects_of(request).select_related("owner"), pk=project_id)
    data = stats.project_stats(project)
    context = {**admin.site.each_context(request), "title": f"Daily view: {project.name}",
               "project": project, "stats": data, "chart": bar_chart(data.days),
               "stats_json": data.as_json(), "opts": Project._meta,
               "json_url": reverse("admin-project-stats-json", args=[project.pk]),
               **prelabel_section(project)}
    return render(request, TEMPLATE, context)


def prelabel_section(project: Project) -> dict:
    """The daily view's prelabel ledger section: the project's last 30 days in all and per
    model version, tasker and label (docs/assist.md, "The prelabel ledger")."""
    data = prelabel_figures.report(last_days(project=project.pk),
                                   ("model_version", "tasker", "label"))
    show = prelabel_views.display
    return {"prelabel_totals": [show({**data["totals"], "group": "total"})],
            "prelabel_sections": [(title, [show(row) for row in data[name]])
                                  for name, title in (("by_model_version", "Model version"),
                                                      ("by_tasker", "Tasker"),
                                                      ("by_label", "Label"))],
            "prelabel_images": data["totals"]["images"],
            "ledger_url": f"{reverse('admin-prelabel-ledger')}?project={project.pk}"}


@staff_member_required
def project_json(request: HttpRequest, project_id: int) -> JsonResponse:
    project = get_object_or_404(projects_of(request), pk=project_id)
    return JsonResponse(stats.project_stats(project).as_json())


urlpatterns = [
    path("", overview, name="admin-stats"),
    path("projects/<int:project_id>/", project_page, name="admin-project-stats"),
    path("projects/<int:project_id>.json", project_json, name="admin-project-stats-json"),
]


@admin.display(description="daily view")
def daily_view_link(obj: Project) -> str:
    return format_html('<a href="{}">Daily view</a>',
                       reverse("admin-project-stats", args=[obj.pk]))


def attach_to_project_admin() -> None:
    """Link the page from the Project admin's changelist (a column) and change page."""
    # The Project admin (tasks/admin.py) gets a column and a field at run time: Any, since
    # Django's types forbid assigning a ModelAdmin's class attributes through an instance.
    project_admin: Any = admin.site._registry.get(Project)
    if project_admin is None or "daily_view_link" in (project_admin.list_display or ()):
        return
    project_admin.daily_view_link = daily_view_link
    project_admin.list_display = (*project_admin.list_display, "daily_view_link")
    project_admin.readonly_fields = (*project_admin.readonly_fields, "daily_view_link")
    if project_admin.fields:
        project_admin.fields = (*project_admin.fields, "daily_view_link")

"""The prelabel ledger in the admin (docs/assist.md, "The prelabel ledger"): a staff page,
its JSON and a CSV export of the same rows, at /admin/quality/prelabels/ (.json, .csv), with
the filters `project`, `model_version`, `from` / `to` or `days`. Scoped like the quality
pages (tasks/admin_scoping.py): a manager sees their accounts' projects only."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import path, reverse

from tasks.admin_scoping import projects_of, sees_all
from tasks.errors import ApiError
from tasks.prelabel_ledger import figures
from tasks.prelabel_ledger.filters import Filters, parse
from tasks.stats import duration_text

TEMPLATE = "admin/tasks/prelabel_ledger.html"
CSV_COLUMNS = ("group", "key", "project", "tasker", "model_version", "submitted_at", "images",
               *figures.COUNTS, "acceptance_rate", "mean_iou", "added_per_image",
               "timed_tasks", "work_seconds", "baseline_tasks", "baseline_seconds",
               "time_saved_seconds", "time_saved_percent")
SECTIONS = (("by_model_version", "Model version"), ("by_tasker", "Tasker"),
            ("by_label", "Label"), ("by_project", "Project"), ("by_day", "Day (UTC)"),
            ("by_task", "Task"))


def filters_of(request: HttpRequest) -> Filters:
    """The request's filters within what the user may see; a project they may not see is
    not found (404), a bad value a 400."""
    projects = None if sees_all(request) else projects_of(request)
    found = parse(request.GET.dict(), projects)
    if found.project is not None and not projects_of(request).filter(pk=found.project).exists():
        raise ApiError(404, f"No project {found.project}.")
    return found


def _error(exc: ApiError) -> JsonResponse:
    return JsonResponse(exc.as_json(), status=exc.status_code)


@staff_member_required
def ledger_json(request: HttpRequest) -> HttpResponse:
    try:
        return JsonResponse(figures.report(filters_of(request)))
    except ApiError as exc:
        return _error(exc)


@staff_member_required
def ledger_csv(request: HttpRequest) -> HttpResponse:
    try:
        data = figures.report(filters_of(request))
    except ApiError as exc:
        return _error(exc)
    response = HttpResponse(csv_text(data), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="prelabel-ledger.csv"'
    return response


def csv_rows(data: dict) -> list[dict]:
    """The JSON's rows in one list: the totals first, then each grouping's."""
    rows = [{"group": "total", "key": "", **data["totals"]}]
    for name, _ in SECTIONS:
        rows += data.get(name, [])
    return rows


def csv_text(data: dict) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore",
                            lineterminator="\n")
    writer.writeheader()
    for row in csv_rows(data):
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return out.getvalue()


@staff_member_required
def ledger_page(request: HttpRequest) -> HttpResponse:
    try:
        filters = filters_of(request)
    except ApiError as exc:
        return _error(exc)
    data = figures.report(filters)
    query = request.GET.urlencode()
    context = {**admin.site.each_context(request), "title": "Prelabel ledger",
               "data": data, "totals_rows": [display({**data["totals"], "group": "total"})],
               "sections": [(title, [display(row) for row in data[name]])
                            for name, title in SECTIONS],
               "projects": projects_of(request).order_by("name"),
               "json_url": f"{reverse('admin-prelabel-ledger-json')}?{query}",
               "csv_url": f"{reverse('admin-prelabel-ledger-csv')}?{query}"}
    return render(request, TEMPLATE, context)


def display(row: dict) -> dict[str, Any]:
    """A row's figures as the page shows them (– for none)."""
    return {**row,
            "acceptance_text": percent(row.get("acceptance_rate")),
            "iou_text": number(row.get("mean_iou"), 3),
            "added_text": number(row.get("added_per_image"), 2),
            "work_text": seconds(row.get("work_seconds")),
            "baseline_text": seconds(row.get("baseline_seconds")),
            "saved_text": saved(row.get("time_saved_seconds"), row.get("time_saved_percent"))}


def percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f} %"


def number(value: float | None, digits: int) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def seconds(value: float | None) -> str:
    return "–" if value is None else duration_text(value)


def saved(value: float | None, share: float | None) -> str:
    if value is None:
        return "–"
    sign = "-" if value < 0 else ""
    return f"{sign}{duration_text(abs(value))} ({share:.1f} %)" if share is not None else "–"


urlpatterns = [
    path("prelabels/", ledger_page, name="admin-prelabel-ledger"),
    path("prelabels.json", ledger_json, name="admin-prelabel-ledger-json"),
    path("prelabels.csv", ledger_csv, name="admin-prelabel-ledger-csv"),
]

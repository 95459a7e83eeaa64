"""The Project admin's export actions (one per format) and its link to the daily view.

Imported at the end of `tasks.admin`, after the Project admin is registered. An action exports
the completed tasks of the selected projects and downloads the file; the export's report is
also left as admin messages, shown on the next admin page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest

from tasks.admin_stats import attach_to_project_admin
from tasks.exports import FORMATS, LABELS, file_response
from tasks.models import Project, Task, TaskStatus

MESSAGE_LINES = 12

Action = Callable[[admin.ModelAdmin, HttpRequest, QuerySet], FileResponse]


def export_action(fmt: str) -> Action:
    def action(model_admin: admin.ModelAdmin, request: HttpRequest,
               queryset: QuerySet) -> FileResponse:
        projects = list(queryset)
        tasks = Task.objects.for_customer().filter(project__in=projects,
                                                   status=TaskStatus.COMPLETED)
        stem = projects[0].name if len(projects) == 1 else f"{len(projects)}-projects"
        response, report = file_response(tasks, fmt, stem)
        lines = report.lines()
        level = messages.WARNING if report.issues else messages.SUCCESS
        for line in lines[:MESSAGE_LINES]:
            model_admin.message_user(request, line, level)
        if len(lines) > MESSAGE_LINES:
            model_admin.message_user(request, f"… and {len(lines) - MESSAGE_LINES} more kinds; "
                                     "see the report in the file.", level)
        return response

    action.__name__ = f"export_{fmt}"
    return admin.action(description=f"Export completed tasks as {LABELS[fmt]}")(action)


EXPORT_ACTIONS = [export_action(fmt) for fmt in FORMATS]


def _add_project_actions() -> None:
    project_admin = admin.site._registry.get(Project)
    if project_admin is None:
        return
    actions = list(project_admin.actions or ())
    names = {getattr(a, "__name__", a) for a in actions}
    project_admin.actions = [*actions, *(a for a in EXPORT_ACTIONS if a.__name__ not in names)]


_add_project_actions()
attach_to_project_admin()

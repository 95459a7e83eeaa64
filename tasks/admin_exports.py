"""The Project admin's export actions (one per format) and its link to the daily view.

Imported at the end of `tasks.admin`, after the Project admin is registered. An action exports
the completed tasks of the selected projects and downloads the file; the export's report is
also left as admin messages, shown on the next admin page. A format's options
(`tasks.exports.options`, e.g. "COCO instances") are menus beside the action menu, read by
that format's action only.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest

from tasks.admin_stats import attach_to_project_admin
from tasks.exports import FORMATS, LABELS, file_response
from tasks.exports import options as export_options
from tasks.models import Project, Task, TaskStatus

MESSAGE_LINES = 12

Action = Callable[[admin.ModelAdmin, HttpRequest, QuerySet], FileResponse | None]


def _option_field(fmt: str, option: export_options.Option) -> forms.CharField:
    """A menu of the option's choices; the action checks the value (a ChoiceField would
    fail the whole action form with Django's "No action selected.")."""
    menu = forms.Select(choices=[(c, c) for c in option.choices])
    return forms.CharField(widget=menu, initial=option.default, required=False,
                           label=f"{LABELS[fmt].split()[0]} {option.name}",
                           help_text=option.help)


# The changelist's action form, with one menu per format option (named as the option).
ExportActionForm = type("ExportActionForm", (ActionForm,), {
    option.name: _option_field(fmt, option)
    for fmt, options in export_options.OPTIONS.items() for option in options})


def export_action(fmt: str) -> Action:
    def action(model_admin: admin.ModelAdmin, request: HttpRequest,
               queryset: QuerySet) -> FileResponse | None:
        given = {o.name: request.POST.get(o.name) or None for o in export_options.of_format(fmt)}
        try:
            chosen = export_options.parse(fmt, given)
        except export_options.OptionError as exc:
            model_admin.message_user(request, str(exc), messages.ERROR)
            return None
        projects = list(queryset)
        tasks = Task.objects.for_customer().filter(project__in=projects,
                                                   status=TaskStatus.COMPLETED)
        stem = projects[0].name if len(projects) == 1 else f"{len(projects)}-projects"
        response, report = file_response(tasks, fmt, stem, chosen)
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
    type(project_admin).action_form = ExportActionForm


_add_project_actions()
attach_to_project_admin()

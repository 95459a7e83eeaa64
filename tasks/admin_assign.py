"""Assignment in the admin (docs/api-decisions.md, "Teams and Studio"): "Assign to a person"
on tasks (Task.assigned_to: the task is served to that person only, before other work) and
"Give to groups" on batches (Batch.groups, as PUT /v1/studio/batches/{batch} does), and plain
pages for invitations (with "Make new links", since a link is shown only once) and project
groups.
"""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.html import format_html

from tasks import teams
from tasks.admin_scoping import AccountScopedAdmin
from tasks.models import Batch, Invitation, Project, ProjectGroup, Task, TaskStatus
from tasks.workforce import work_q

TEMPLATE = "admin/tasks/assign_action.html"


class PersonForm(forms.Form):
    person = forms.ModelChoiceField(queryset=get_user_model().objects.none(), required=False,
                                    empty_label="Nobody (remove the assignment)")


class GroupsForm(forms.Form):
    groups = forms.ModelMultipleChoiceField(
        queryset=ProjectGroup.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None: every labeler of the project works the batch.")


def _intermediate(model_admin, request: HttpRequest, queryset: QuerySet, form: forms.Form,
                  action: str, title: str) -> TemplateResponse:
    context = {**model_admin.admin_site.each_context(request), "title": title, "form": form,
               "queryset": queryset, "action": action, "opts": model_admin.model._meta,
               "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME}
    return TemplateResponse(request, TEMPLATE, context)


def _offered(task: Task, person) -> bool:
    """The task's project is offered to `person` in the queue (tasks.workforce.work_q); a
    task without a project, to every member of its account."""
    if task.project_id is None:
        return person.memberships.filter(account_id=task.owner_id).exists()
    return Project.objects.filter(pk=task.project_id).filter(work_q(person)).exists()


@admin.action(description="Assign to a person")
def assign_to_person(model_admin, request: HttpRequest, queryset: QuerySet):
    accounts = set(queryset.values_list("owner_id", flat=True))
    if len(accounts) != 1:
        model_admin.message_user(request, "Choose tasks of one account: a task is assigned "
                                          "to a member of its account.", messages.ERROR)
        return None
    form = PersonForm(request.POST if "apply" in request.POST else None)
    members = get_user_model().objects.filter(memberships__account_id=accounts.pop())
    cast("forms.ModelChoiceField", form.fields["person"]).queryset = members.order_by("username")
    if not form.is_bound or not form.is_valid():
        return _intermediate(model_admin, request, queryset, form, "assign_to_person",
                             "Assign tasks to a person")
    person = form.cleaned_data["person"]
    assigned, refused = 0, []
    for task in queryset.select_related("project"):
        if person is not None and task.status != TaskStatus.PENDING:
            refused.append(f"{task.task_id} is {task.status}")
            continue
        if person is not None and not _offered(task, person):
            refused.append(f"{task.task_id}: its project is not offered to {person}")
            continue
        task.assigned_to = person
        task.save(update_fields=["assigned_to"])
        assigned += 1
    who = person if person is not None else "nobody"
    model_admin.message_user(request, f"Assigned {assigned} task(s) to {who}.",
                             messages.SUCCESS)
    for reason in refused[:10]:
        model_admin.message_user(request, f"Not assigned: {reason}.", messages.WARNING)
    return None


@admin.action(description="Give to groups")
def give_to_groups(model_admin, request: HttpRequest, queryset: QuerySet):
    projects = set(queryset.values_list("project_id", flat=True))
    if len(projects) != 1:
        model_admin.message_user(request, "Choose batches of one project: groups belong to "
                                          "a project.", messages.ERROR)
        return None
    form = GroupsForm(request.POST if "apply" in request.POST else None)
    groups_field = cast("forms.ModelMultipleChoiceField", form.fields["groups"])
    groups_field.queryset = ProjectGroup.objects.filter(project_id=projects.pop())
    if not form.is_bound or not form.is_valid():
        return _intermediate(model_admin, request, queryset, form, "give_to_groups",
                             "Give batches to groups")
    groups = list(form.cleaned_data["groups"])
    for batch in queryset:
        batch.groups.set(groups)
    names = ", ".join(g.name for g in groups) or "every labeler of the project"
    model_admin.message_user(request, f"{queryset.count()} batch(es) given to {names}.",
                             messages.SUCCESS)
    return None


def _add_actions(model, action) -> None:
    model_admin = admin.site._registry.get(model)
    if model_admin is None:
        return
    actions = list(model_admin.actions or ())
    if action not in actions:
        model_admin.actions = [*actions, action]


_add_actions(Task, assign_to_person)
_add_actions(Batch, give_to_groups)


# --- invitations and project groups ---------------------------------------------------------

@admin.register(Invitation)
class InvitationAdmin(AccountScopedAdmin, admin.ModelAdmin):
    account_path = "account"
    list_display = ("email", "account", "role", "status", "created_at", "expires_at",
                    "accepted_by")
    list_filter = ("role",)
    list_select_related = ("account", "accepted_by")
    search_fields = ("email", "account__username")
    fields = ("account", "email", "role", "status", "created_at", "expires_at", "accepted_at",
              "accepted_by")
    readonly_fields = ("status", "created_at", "expires_at", "accepted_at", "accepted_by")
    actions = ("make_new_links",)

    @admin.display(description="status")
    def status(self, obj: Invitation) -> str:
        return teams.state(obj) if obj.pk else "-"

    def get_readonly_fields(self, request: HttpRequest, obj: Invitation | None = None):
        if obj is not None:  # what an invitation is stays; its link is made anew by action
            return ("account", "email", *self.readonly_fields)
        return self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Invitation, form: forms.ModelForm,
                   change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        obj.email = obj.email.strip().lower()
        token = teams.new_link(obj)
        self._show_link(request, obj, token)

    def _show_link(self, request: HttpRequest, obj: Invitation, token: str) -> None:
        url = teams.invite_url(token, request.build_absolute_uri("/"))
        messages.success(request, format_html(
            "The invitation link for {} is <code>{}</code>. Copy it now: it is shown only "
            "this once.", obj.email, url))

    @admin.action(description="Make new links (the old ones stop working)")
    def make_new_links(self, request: HttpRequest, queryset: QuerySet) -> None:
        for invitation in queryset.filter(accepted_at__isnull=True):
            self._show_link(request, invitation, teams.new_link(invitation))
        used = queryset.filter(accepted_at__isnull=False).count()
        if used:
            self.message_user(request, f"{used} invitation(s) already used: no new link.",
                              messages.WARNING)


@admin.register(ProjectGroup)
class ProjectGroupAdmin(AccountScopedAdmin, admin.ModelAdmin):
    account_path = "project__owner"
    list_display = ("name", "project", "is_singleton", "created_at")
    list_select_related = ("project",)
    search_fields = ("name", "project__name")
    filter_horizontal = ("members",)
    fields = ("project", "name", "members", "is_singleton", "created_at")
    readonly_fields = ("created_at",)

"""The Django admin: a window onto tasks, projects, files and API keys.

Nothing here changes a task's status (that is `tasks.lifecycle`'s job), and an API key's plain
text is shown exactly once, right after it is issued; only its prefix is visible afterwards.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from tasks import kinds
from tasks.accounts import REVIEWERS_GROUP, TASKERS_GROUP
from tasks.admin_attempts import AttemptInline
from tasks.admin_model_backends import prelabel_summary
from tasks.admin_quality_settings import ProjectQualityInline, name_the_add_button
from tasks.admin_scoping import AccountScopedAdmin
from tasks.callback_signing import first_secret, new_secret
from tasks.models import (
    AccountSettings,
    Annotation,
    ApiKey,
    Batch,
    Project,
    ProjectParamVersion,
    Task,
    TaskTag,
    UploadedFile,
    VideoFrame,
)

# JSON longer than this many lines is shown folded (a <details> the reader opens)
FOLD_LINES = 12


def pretty_json(value: object) -> SafeString:
    """Indented JSON in a <pre>, HTML-escaped; folded under a one-line summary when long."""
    text = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
    pre = format_html('<pre style="white-space: pre-wrap; margin: 0">{}</pre>', text)
    lines = text.count("\n") + 1
    if lines <= FOLD_LINES:
        return pre
    what = (f"{len(value)} keys" if isinstance(value, dict)
            else f"{len(value)} items" if isinstance(value, list) else "value")
    return format_html('<details class="admin-json"><summary>{} · {} lines · {} characters'
                       "</summary>{}</details>", what, lines, len(text), pre)


def group_members(group: str) -> QuerySet:
    return get_user_model().objects.filter(groups__name=group)


class TaskerFilter(admin.SimpleListFilter):
    """Tasks a tasker holds (claimed_by) or completed (completed_by)."""

    title = "tasker"
    parameter_name = "tasker"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        users = group_members(TASKERS_GROUP).order_by("username").values_list("pk", "username")
        return [(str(pk), name) for pk, name in users[:500]]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value or not value.isdigit():
            return queryset
        return queryset.filter(Q(claimed_by_id=int(value)) | Q(completed_by_id=int(value)))


class TagFilter(admin.SimpleListFilter):
    """Tasks with a tag, through a subquery (no join: see TaskAdmin.get_search_results)."""

    title = "tag"
    parameter_name = "tag"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        tags = TaskTag.objects.order_by("tag").values_list("tag", flat=True).distinct()[:200]
        return [(tag, tag) for tag in tags]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        return queryset.filter(pk__in=TaskTag.objects.filter(tag=value).values("task"))


class NoAddMixin:
    """For objects that only the API or a lifecycle function may create."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


# --- tasks ----------------------------------------------------------------------------------

class AnnotationInline(NoAddMixin, admin.TabularInline):
    model = Annotation
    extra = 0
    can_delete = False
    fields = ("uuid", "type", "label", "source", "locked", "version", "geometry_json",
              "attributes_json")
    readonly_fields = fields
    ordering = ("position",)

    @admin.display(description="geometry")
    def geometry_json(self, obj: Annotation) -> SafeString:
        return pretty_json(obj.geometry)

    @admin.display(description="attributes")
    def attributes_json(self, obj: Annotation) -> SafeString:
        return pretty_json(obj.attributes)


class VideoFrameInline(NoAddMixin, admin.TabularInline):
    """The frames of a video task, as the worker stored them."""

    model = VideoFrame
    extra = 0
    can_delete = False
    fields = ("index", "timestamp", "width", "height", "mime_type", "file", "source_url")
    readonly_fields = fields
    ordering = ("index",)


@admin.register(Task)
class TaskAdmin(AccountScopedAdmin, NoAddMixin, admin.ModelAdmin):
    list_display = ("task_id", "project", "batch", "status", "stage", "role", "priority",
                    "is_test", "created_at", "work_started")
    list_filter = ("status", "stage", "role", "project", "batch", TaskerFilter, TagFilter,
                   "is_test")
    list_select_related = ("project", "batch")
    search_fields = ("task_id", "unique_id")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    inlines = [AnnotationInline, AttemptInline]

    def get_inlines(self, request: HttpRequest, obj: Task | None = None) -> list:
        kind = kinds.find(obj.type) if obj is not None else None
        if kind is not None and kind.has_frames:
            return [VideoFrameInline, *self.inlines]
        return self.inlines

    def get_search_results(self, request: HttpRequest, queryset, search_term: str):
        """Also by tag, through a subquery: a join would make the admin add DISTINCT, which
        PostgreSQL cannot apply to the task's `json` columns."""
        found, _ = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if not term:
            return found, False
        tagged = TaskTag.objects.filter(tag__icontains=term).values("task")
        return found | queryset.filter(pk__in=tagged), False
    fieldsets = (
        (None, {"fields": ("task_id", "visual_view", "owner", "is_test", "type", "status",
                           "project", "batch",
                           "project_param_version", "priority", "urgency", "unique_id", "tags",
                           "instruction", "callback_url")}),
        ("Work", {"fields": ("work_started", "claimed_by", "lease_expires_at", "completed_by",
                             "created_at", "updated_at", "completed_at",
                             "customer_review_status", "callback_succeeded")}),
        ("Quality", {"fields": ("role", "stage", "parent", "reserved_for", "reserved_until",
                                "quality_json")}),
        ("Prelabel from the model backend", {"fields": ("prelabel_result",)}),
        ("Attachment", {"fields": ("attachment_file", "attachment_width", "attachment_height",
                                   "attachment_mime")}),
        ("JSON", {"fields": ("params_json", "response_json", "metadata_json", "audits_json")}),
    )
    # Only priority, instruction and callback_url stay editable: the status moves through
    # tasks.lifecycle, and ids, tags and prelabels have API endpoints that keep them consistent.
    readonly_fields = (
        "task_id", "visual_view", "owner", "is_test", "type", "status", "project", "batch",
        "project_param_version", "urgency", "unique_id", "tags", "work_started", "claimed_by",
        "lease_expires_at", "completed_by", "created_at", "updated_at", "completed_at",
        "customer_review_status", "callback_succeeded", "attachment_file", "attachment_width",
        "attachment_height", "attachment_mime", "params_json", "response_json",
        "metadata_json", "audits_json", "role", "stage", "parent", "reserved_for",
        "reserved_until", "quality_json", "prelabel_result",
    )

    @admin.display(description="visual view")
    def visual_view(self, obj: Task) -> SafeString:
        """The workbench page, read-only for staff (docs/workbench.md, "Read-only view")."""
        url = reverse("work", args=[obj.task_id])
        return format_html('<a href="{}" target="_blank" rel="noopener">Open the task in the '
                           "workbench (read-only)</a>", url)

    @admin.display(description="prelabel")
    def prelabel_result(self, obj: Task) -> SafeString:
        """What the project's model backend answered for it (docs/assist.md)."""
        return prelabel_summary(obj.task_id)

    @admin.display(description="quality")
    def quality_json(self, obj: Task) -> SafeString:
        return pretty_json(obj.quality)

    @admin.display(description="params")
    def params_json(self, obj: Task) -> SafeString:
        return pretty_json(obj.params)

    @admin.display(description="response")
    def response_json(self, obj: Task) -> SafeString:
        return pretty_json(obj.response)

    @admin.display(description="metadata")
    def metadata_json(self, obj: Task) -> SafeString:
        return pretty_json(obj.metadata)

    @admin.display(description="audits")
    def audits_json(self, obj: Task) -> SafeString:
        return pretty_json(obj.audits)

    def save_model(self, request: HttpRequest, obj: Task, form: forms.ModelForm,
                   change: bool) -> None:
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)


# --- projects and batches -------------------------------------------------------------------

class ParamVersionInline(NoAddMixin, admin.TabularInline):
    model = ProjectParamVersion
    extra = 0
    can_delete = False
    fields = ("version", "created_at", "params_json")
    readonly_fields = fields
    ordering = ("-version",)

    @admin.display(description="params")
    def params_json(self, obj: ProjectParamVersion) -> SafeString:
        return pretty_json(obj.params)


@admin.register(Project)
class ProjectAdmin(AccountScopedAdmin, NoAddMixin, admin.ModelAdmin):
    list_display = ("name", "owner", "type", "is_test", "archived", "created_at")
    list_filter = ("type", "is_test", "archived")
    list_select_related = ("owner",)
    search_fields = ("name", "owner__username")
    filter_horizontal = ("taskers", "reviewers")
    inlines = [ProjectQualityInline, ParamVersionInline]
    fields = ("name", "owner", "type", "is_test", "archived", "created_at", "model_backend",
              "taskers", "reviewers", "ontology_json", "extra_json")
    readonly_fields = ("owner", "type", "is_test", "created_at", "ontology_json", "extra_json")

    # "Available taskers" lists only the taskers group, reviewers only the reviewers group
    # (and whoever is chosen already, so that saving never drops them silently)
    M2M_GROUPS = {"taskers": TASKERS_GROUP, "reviewers": REVIEWERS_GROUP}

    def get_inline_formsets(self, request: HttpRequest, formsets: Any, inline_instances: Any,
                            obj: Project | None = None) -> list:
        return name_the_add_button(super().get_inline_formsets(request, formsets,
                                                               inline_instances, obj))

    def get_form(self, request: HttpRequest, obj: Project | None = None, change: bool = False,
                 **kwargs: Any) -> type[forms.ModelForm]:
        request._admin_project = obj  # type: ignore[attr-defined]
        return super().get_form(request, obj, change=change, **kwargs)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        """A project names a model backend of its own account (docs/assist.md)."""
        project = getattr(request, "_admin_project", None)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "model_backend" and project is not None and field is not None:
            field.queryset = field.queryset.filter(owner_id=project.owner_id)
        return field

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest,
                                 **kwargs: Any) -> Any:
        group = self.M2M_GROUPS.get(db_field.name)
        if group is not None:
            members = Q(groups__name=group)
            project = getattr(request, "_admin_project", None)
            if project is not None:
                members |= Q(pk__in=getattr(project, db_field.name).values("pk"))
            kwargs["queryset"] = (get_user_model().objects.filter(
                pk__in=get_user_model().objects.filter(members).values("pk"))
                .order_by("username"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description="ontology")
    def ontology_json(self, obj: Project) -> SafeString:
        return pretty_json(obj.ontology)

    @admin.display(description="extra")
    def extra_json(self, obj: Project) -> SafeString:
        return pretty_json(obj.extra)


@admin.register(Batch)
class BatchAdmin(AccountScopedAdmin, NoAddMixin, admin.ModelAdmin):
    list_display = ("name", "project", "owner", "status", "is_test", "created_at",
                    "completed_at")
    list_filter = ("status", "is_test", "project")
    list_select_related = ("project", "owner")
    search_fields = ("name", "project__name", "owner__username")
    fields = ("name", "project", "owner", "status", "is_test", "callback",
              "calibration_batch", "self_label_batch", "created_at", "completed_at",
              "metadata_json")
    readonly_fields = ("project", "owner", "status", "is_test", "calibration_batch",
                       "self_label_batch", "created_at", "completed_at", "metadata_json")

    @admin.display(description="metadata")
    def metadata_json(self, obj: Batch) -> SafeString:
        return pretty_json(obj.metadata)


# --- files and accounts ---------------------------------------------------------------------

@admin.register(UploadedFile)
class UploadedFileAdmin(AccountScopedAdmin, NoAddMixin, admin.ModelAdmin):
    list_display = ("__str__", "owner", "mime_type", "size", "is_test", "created_at",
                    "file_link")
    list_filter = ("is_test", "mime_type")
    list_select_related = ("owner",)
    search_fields = ("id", "display_name", "reference_id", "sha256", "owner__username")
    fields = ("id", "owner", "is_test", "file_link", "attachment_url", "display_name",
              "mime_type", "size", "sha256", "project_names", "reference_id", "source_url",
              "created_at", "updated_at", "metadata_json")
    readonly_fields = ("id", "owner", "is_test", "file_link", "attachment_url", "mime_type",
                       "size", "sha256", "project_names", "reference_id", "source_url",
                       "created_at", "updated_at", "metadata_json")

    @admin.display(description="file")
    def file_link(self, obj: UploadedFile) -> str:
        if not obj.file:
            return "-"
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', obj.file.url,
                           obj.display_name or obj.file.name)

    @admin.display(description="metadata")
    def metadata_json(self, obj: UploadedFile) -> SafeString:
        return pretty_json(obj.metadata)


@admin.register(AccountSettings)
class AccountSettingsAdmin(AccountScopedAdmin, admin.ModelAdmin):
    account_path = "user"
    list_display = ("user", "default_callback_url")
    list_select_related = ("user",)
    search_fields = ("user__username", "default_callback_url")
    autocomplete_fields = ("user",)
    actions = ("new_signing_secrets",)

    @admin.action(description="Make new callback signing secrets (live and test)")
    def new_signing_secrets(self, request: HttpRequest, queryset) -> None:
        for account in queryset.select_related("user"):
            live, test = (new_secret(account.user, is_test) for is_test in (False, True))
            messages.success(request, format_html(
                "New callback signing secrets of {}: live <code>{}</code>, test <code>{}</code>."
                " Copy them now: they are shown only this once.", account.user, live, test))

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> tuple:
        return ("user",) if obj else ()


class ApiKeyAddForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ("user", "name", "is_test")


@admin.register(ApiKey)
class ApiKeyAdmin(AccountScopedAdmin, admin.ModelAdmin):
    account_path = "user"
    list_display = ("prefix", "user", "name", "is_test", "revoked", "created_at",
                    "last_used_at")
    list_filter = ("is_test", "revoked")
    list_select_related = ("user",)
    search_fields = ("prefix", "name", "user__username")
    autocomplete_fields = ("user",)
    actions = ("revoke_keys",)

    def get_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> tuple:
        if obj is None:
            return ("user", "name", "is_test")
        return ("user", "name", "is_test", "prefix", "created_at", "last_used_at", "revoked")

    def get_readonly_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> tuple:
        if obj is None:
            return ()
        return ("user", "is_test", "prefix", "created_at", "last_used_at")

    def get_form(self, request: HttpRequest, obj: ApiKey | None = None, change: bool = False,
                 **kwargs: Any) -> type[forms.ModelForm]:
        if obj is None:
            kwargs["form"] = ApiKeyAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request: HttpRequest, obj: ApiKey, form: forms.ModelForm,
                   change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        key, raw = ApiKey.issue(obj.user, is_test=obj.is_test, name=obj.name)
        # The admin goes on with `obj` (log entry, redirect), so it must become the saved key.
        obj.pk, obj.prefix, obj.key_hash, obj.created_at = (
            key.pk, key.prefix, key.key_hash, key.created_at)
        obj._state.adding = False
        obj._state.db = key._state.db
        messages.success(request, format_html(
            "The new API key is <code>{}</code>. Copy it now: it is shown only this once, "
            "and only its hash is stored.", raw))
        secret = first_secret(obj.user, obj.is_test)
        if secret is not None:
            messages.success(request, format_html(
                "The account's {} callback signing secret is <code>{}</code>. Copy it now: it "
                "is shown only this once.", "test" if obj.is_test else "live", secret))

    @admin.action(description="Revoke selected API keys")
    def revoke_keys(self, request: HttpRequest, queryset) -> None:
        count = queryset.update(revoked=True)
        from tasks.api.auth import forget_cached_keys

        forget_cached_keys()  # an update() sends no post_save
        self.message_user(request, f"Revoked {count} API key(s).", messages.SUCCESS)


from tasks import (  # noqa: E402,F401
    admin_assign,
    admin_deliveries,
    admin_exports,
    admin_gold,
    admin_workforce,
)

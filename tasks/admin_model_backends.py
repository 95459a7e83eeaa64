"""The admin of model backends (docs/assist.md, "Attaching a backend"): the account's backends
with their breaker, a "test connection" action (GET /health), and the prelabels (a list, and
a summary on each task's page)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from tasks.admin_scoping import AccountScopedAdmin
from tasks.model_backends import breaker, clients
from tasks.model_backends.transport import BackendError
from tasks.models import ModelBackend, Prelabel

PRELABEL_FIELDS = ("status", "backend_name", "model_version", "annotation_count", "error",
                   "notes", "duration_ms", "created_at", "finished_at")


@admin.register(ModelBackend)
class ModelBackendAdmin(AccountScopedAdmin, admin.ModelAdmin):
    list_display = ("name", "owner", "protocol", "url", "predict", "interact", "enabled",
                    "breaker_state", "model_version", "last_ok_at")
    list_filter = ("protocol", "enabled", "predict", "interact")
    search_fields = ("name", "url", "owner__username")
    actions = ("test_connection", "close_breaker")
    fieldsets = (
        (None, {"fields": ("owner", "name", "url", "protocol", "predict", "interact",
                           "enabled", "timeout_seconds", "auth_header")}),
        ("Breaker", {"fields": ("failures", "open_until", "last_error", "last_ok_at",
                                "model_version")}),
    )
    readonly_fields = ("failures", "open_until", "last_error", "last_ok_at", "model_version")

    @admin.display(description="breaker")
    def breaker_state(self, obj: ModelBackend) -> str:
        if breaker.is_open(obj):
            return f"open until {timezone.localtime(obj.open_until):%H:%M:%S}"
        return f"closed ({obj.failures} failures)" if obj.failures else "closed"

    @admin.action(description="Test connection (GET /health)")
    def test_connection(self, request: HttpRequest, queryset: QuerySet) -> None:
        for backend in queryset:
            try:
                health = clients.health(backend)
            except BackendError as exc:
                self.message_user(request, f"{backend.name}: {exc.message}", messages.ERROR)
                continue
            self.message_user(request, f"{backend.name}: {health['status']}, model version "
                                       f"{health['model_version'] or '-'}, capabilities "
                                       f"{', '.join(health['capabilities']) or '-'}",
                              messages.SUCCESS)

    @admin.action(description="Close the breaker (ask again now)")
    def close_breaker(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = queryset.update(failures=0, open_until=None)
        self.message_user(request, f"Closed the breaker of {count} backend(s).")


@admin.register(Prelabel)
class PrelabelAdmin(AccountScopedAdmin, admin.ModelAdmin):
    account_path = "task__owner"
    list_display = ("task", "status", "backend_name", "model_version", "annotation_count",
                    "duration_ms", "created_at")
    list_filter = ("status", "backend_name")
    search_fields = ("task__task_id", "backend_name", "model_version")
    fields = ("task", *PRELABEL_FIELDS)
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


def prelabel_summary(task_id: str) -> SafeString:
    """The task's prelabel for its admin page: what the backend answered, or why not."""
    prelabel = Prelabel.objects.filter(task_id=task_id).first()
    if prelabel is None:
        return format_html("{}", "none (no model backend was asked)")
    notes = format_html_join("", "<li>{}</li>", ((note,) for note in prelabel.notes or []))
    return format_html(
        "<b>{}</b> · backend {} · model version {} · {} annotation(s) · {} ms{}{}",
        prelabel.status, prelabel.backend_name or "-", prelabel.model_version or "-",
        prelabel.annotation_count, prelabel.duration_ms if prelabel.duration_ms is not None
        else "-", format_html("<br>error: {}", prelabel.error) if prelabel.error else "",
        format_html("<ul>{}</ul>", notes) if notes else "")

"""Admin for callback deliveries (with "retry now"), and the Task admin's "recall" action.

Imported at the end of `tasks.admin`, after the Task admin is registered.
"""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString

from tasks import callbacks, lifecycle
from tasks.admin_scoping import AccountScopedAdmin
from tasks.errors import ApiError
from tasks.models import CallbackDelivery, Task


@admin.register(CallbackDelivery)
class CallbackDeliveryAdmin(AccountScopedAdmin, admin.ModelAdmin):
    list_display = ("created_at", "subject", "url", "event", "status", "attempts",
                    "last_status_code", "next_attempt_at")
    list_filter = ("status", "event")
    list_select_related = ("task", "batch")
    search_fields = ("id", "task__task_id", "batch__name", "url")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    actions = ("retry_now",)
    fields = ("id", "owner", "task", "batch", "event", "url", "status", "attempts",
              "last_status_code", "last_error", "next_attempt_at", "locked_until",
              "created_at", "delivered_at", "payload_json")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # the view stays; every field is the worker's record

    @admin.display(description="task or batch")
    def subject(self, obj: CallbackDelivery) -> str:
        if obj.task_id:
            return f"task {obj.task_id}"
        return f"batch {obj.batch.name}" if obj.batch else "-"

    @admin.display(description="payload")
    def payload_json(self, obj: CallbackDelivery) -> SafeString:
        text = json.dumps(obj.payload, indent=2, ensure_ascii=False, sort_keys=True)
        return format_html('<pre style="white-space: pre-wrap; margin: 0">{}</pre>', text)

    @admin.action(description="Retry now")
    def retry_now(self, request: HttpRequest, queryset: QuerySet) -> None:
        queued = sum(callbacks.retry_now(delivery) for delivery in queryset)
        skipped = queryset.count() - queued
        self.message_user(request, f"Queued {queued} delivery(ies) to be sent now."
                          + (f" {skipped} already delivered were left alone." if skipped
                             else ""), messages.SUCCESS)


@admin.action(description="Recall completed tasks to pending (fires a callback)")
def recall_tasks(model_admin: admin.ModelAdmin, request: HttpRequest,
                 queryset: QuerySet) -> None:
    recalled, refused = 0, []
    for task in queryset:
        try:
            lifecycle.recall_task(task)
            recalled += 1
        except ApiError as exc:
            refused.append(exc.message)
    if recalled:
        model_admin.message_user(request, f"Recalled {recalled} task(s).", messages.SUCCESS)
    for reason in refused[:10]:
        model_admin.message_user(request, reason, messages.WARNING)


def _add_task_actions() -> None:
    task_admin = admin.site._registry.get(Task)
    if task_admin is None:
        return
    actions = list(task_admin.actions or ())
    if recall_tasks not in actions:
        task_admin.actions = [*actions, recall_tasks]


_add_task_actions()

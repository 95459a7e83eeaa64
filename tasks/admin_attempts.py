"""The attempts on a task in its admin page: who claimed it, how it ended, and what a tasker
said when they skipped it (docs/live-sessions.md "Leases")."""

from __future__ import annotations

from django.contrib import admin

from tasks.models import TaskAttempt


class AttemptInline(admin.TabularInline):
    """Read-only: the claims of the task, the skips with their reasons among them."""

    model = TaskAttempt
    fk_name = "task"
    extra = 0
    can_delete = False
    verbose_name_plural = "attempts (claims, skips with their reasons)"
    fields = ("user", "kind", "claimed_at", "ended_at", "outcome", "reason")
    readonly_fields = fields
    ordering = ("claimed_at", "pk")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

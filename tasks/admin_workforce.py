"""The admin's people: each account's memberships (docs/workforce.md). Scoped like every
model admin of `tasks` (tasks/admin_scoping.py): a manager sees their accounts' members."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from tasks import workforce
from tasks.admin_scoping import AccountScopedAdmin
from tasks.models import Membership, TeamRole


@admin.register(Membership)
class MembershipAdmin(AccountScopedAdmin, admin.ModelAdmin):
    account_path = "account"
    list_display = ("user", "account", "role", "created_at")
    list_filter = ("role", "account")
    list_select_related = ("user", "account")
    search_fields = ("user__username", "user__email", "account__username")
    fields = ("account", "user", "role", "created_at")
    readonly_fields = ("created_at",)

    def get_readonly_fields(self, request: HttpRequest, obj: Membership | None = None) -> tuple:
        if obj is not None:  # a membership changes its role only
            return ("account", "user", "created_at")
        return self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Membership, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if obj.role in (TeamRole.MANAGER, TeamRole.ADMIN):
            workforce.grant_manager(obj.user)

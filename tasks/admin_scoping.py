"""The admin scoped to a manager's accounts (docs/workforce.md, "Managers in the admin").

Every model admin of `tasks` mixes in `AccountScopedAdmin` and names the path from its model to
the account that owns it (`account_path`). A Django superuser sees everything; anyone else
(staff with a manager or admin membership) sees only the objects of the accounts they manage:
the changelist, its searches, its filters' choices and its actions work on that queryset, and
another account's change page is not found (the admin redirects with "doesn't exist").
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest

from tasks import workforce
from tasks.models import Membership


def sees_all(request: HttpRequest) -> bool:
    return bool(request.user.is_superuser)


def managed(request: HttpRequest) -> QuerySet:
    """The ids of the accounts the signed-in user manages (a subquery)."""
    return workforce.managed_ids(request.user)


def scope(request: HttpRequest, qs: QuerySet, account_path: str) -> QuerySet:
    """`qs` narrowed to the objects whose `account_path` is an account the user manages."""
    if sees_all(request):
        return qs
    return qs.filter(**{f"{account_path}__in": managed(request)})


def account_path_of(model: Any) -> str | None:
    """The path from `model` to its owner account, for a related model a filter lists."""
    names = {f.name for f in model._meta.get_fields()}
    for name in ("owner", "account"):
        if name in names:
            return name
    if "project" in names:
        return "project__owner"
    return None


def projects_of(request: HttpRequest) -> QuerySet:
    """The projects the signed-in staff user sees in the admin's pages."""
    from tasks.models import Project

    return scope(request, Project.objects.all(), "owner")


class ScopedRelatedFilter(admin.RelatedFieldListFilter):
    """A related field's filter whose choices are the manager's accounts' objects only."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> list:
        choices = super().field_choices(field, request, model_admin)
        if sees_all(request):
            return choices
        related = field.related_model
        path = account_path_of(related)
        if related is get_user_model():
            account_field = getattr(model_admin, "account_path", "").split("__")[0]
            people = (get_user_model().objects.filter(pk__in=managed(request))
                      if field.name == account_field else workforce_people(request))
            allowed = set(people.values_list("pk", flat=True))
        elif path is None:
            return []
        else:
            allowed = set(related._default_manager.filter(**{f"{path}__in": managed(request)})
                          .values_list("pk", flat=True))
        return [(pk, label) for pk, label in choices if pk in allowed]


def workforce_people(request: HttpRequest) -> QuerySet:
    """The users a manager may see: the accounts they manage and those accounts' members."""
    accounts = managed(request)
    return get_user_model().objects.filter(
        pk__in=Membership.objects.filter(account__in=accounts).values("user_id")
    ) | get_user_model().objects.filter(pk__in=accounts)


class AccountScopedAdmin:
    """Mix into a ModelAdmin (first) and set `account_path` (the lookup from the model to its
    owner account: "owner", "user", "project__owner", ...)."""

    account_path = "owner"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return scope(request, super().get_queryset(request), self.account_path)  # type: ignore[misc]

    def get_list_filter(self, request: HttpRequest) -> Any:
        filters = super().get_list_filter(request)  # type: ignore[misc]
        if sees_all(request):
            return filters
        return tuple(self._scoped_filter(f) for f in filters)

    def _scoped_filter(self, spec: Any) -> Any:
        if not isinstance(spec, str):
            return spec
        model = self.model  # type: ignore[attr-defined]
        field = None
        for part in spec.split("__"):
            field = model._meta.get_field(part)
            if not field.is_relation:
                return spec
            model = field.related_model
        return (spec, ScopedRelatedFilter) if field is not None else spec

    def get_autocomplete_fields(self, request: HttpRequest) -> tuple:
        if sees_all(request):
            return super().get_autocomplete_fields(request)  # type: ignore[misc]
        return ()  # the users' autocomplete would list every account

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if not sees_all(request):
            limited = self._limited_choices(db_field, request)
            if limited is not None:
                kwargs["queryset"] = limited
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if not sees_all(request):
            limited = self._limited_choices(db_field, request)
            if limited is not None:
                kwargs["queryset"] = limited
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]

    def _limited_choices(self, db_field: Any, request: HttpRequest) -> QuerySet | None:
        related = db_field.related_model
        if related is get_user_model():
            if db_field.name == self.account_path.split("__")[0]:
                return get_user_model().objects.filter(pk__in=managed(request))
            return workforce_people(request)
        path = account_path_of(related)
        if path is None:
            return None
        return related._default_manager.filter(**{f"{path}__in": managed(request)})

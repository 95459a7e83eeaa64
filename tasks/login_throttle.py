"""Login throttling with django-axes (docs/sso.md): failed sign-ins are counted per user name
and per address, each against its own limit, and a locked name or address is refused, its
right password too, until the lockout ends; the login page then says when that is.

Only Django's `authenticate()` is counted (the login page, the admin's login, the single
sign-on callback); API keys never pass through it and are not throttled here."""

from __future__ import annotations

from datetime import datetime

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone


class ThrottleBackend(AxesStandaloneBackend):
    """django-axes' gate, first of AUTHENTICATION_BACKENDS. A caller without a request (a
    management command, the test client's `login()`) is no sign-in attempt from anywhere and is
    let through to the other backends, where django-axes would raise."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def _count(attempts) -> tuple[int, datetime | None]:
    row = attempts.aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    return row["failures"] or 0, row["last"]


class LoginThrottleHandler(AxesDatabaseHandler):
    """django-axes' database handler (SQLite and PostgreSQL alike) with two limits: the user
    name's (AXES_FAILURE_LIMIT) and the address's (ANNOTATOR_LOGIN_FAILURES_PER_ADDRESS)."""

    def lockouts(self, request, credentials=None) -> dict[str, datetime]:
        """When each lockout in force ends: {"name": …, "address": …}, only those in force."""
        by_name, by_address = self.get_user_attempts(request, credentials)
        cool_off = settings.AXES_COOLOFF_TIME
        ends: dict[str, datetime] = {}
        if get_client_username(request, credentials):  # the sign-on callback names nobody
            failures, last = _count(by_name)
            if failures >= settings.AXES_FAILURE_LIMIT and last is not None:
                ends["name"] = last + cool_off
        failures, last = _count(by_address)
        if failures >= settings.ANNOTATOR_LOGIN_FAILURES_PER_ADDRESS and last is not None:
            ends["address"] = last + cool_off
        return ends

    def get_failures(self, request, credentials=None) -> int:
        # django-axes compares this with AXES_FAILURE_LIMIT: a locked address counts as a full
        # tally, and a sign-on callback's missing user name counts nothing by name.
        ends = self.lockouts(request, credentials)
        if ends:
            return settings.AXES_FAILURE_LIMIT
        if not get_client_username(request, credentials):
            return 0
        return _count(self.get_user_attempts(request, credentials)[0])[0]


def lockout_message(ends: dict[str, datetime]) -> str:
    what = {frozenset({"name"}): "for this user name",
            frozenset({"address"}): "from your address",
            frozenset({"name", "address"}): "for this user name and from your address"}
    until = max(ends.values()) if ends else timezone.now() + settings.AXES_COOLOFF_TIME
    minutes = max(1, round((until - timezone.now()).total_seconds() / 60))
    return (f"Too many failed sign-ins {what.get(frozenset(ends), '')}. "
            f"Try again after {until:%H:%M} UTC (in about {minutes} minute"
            f"{'s' if minutes != 1 else ''}). Other people can still sign in.")


def lockout_response(request, original_response=None, credentials=None):
    """The login page again (429), with the lockout message and the user name kept."""
    handler = AxesProxyHandler.get_implementation()
    ends = handler.lockouts(request, credentials) if isinstance(
        handler, LoginThrottleHandler) else {}
    form = AuthenticationForm(request, initial={
        "username": get_client_username(request, credentials) or ""})
    return render(request, "registration/login.html", {
        "form": form, "lockout_message": lockout_message(ends),
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }, status=429)

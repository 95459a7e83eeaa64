"""The invitation link's page, /invite/<token> (docs/api-decisions.md, "Teams and Studio").

A new person sets a password and becomes a member of the inviting account; a person who
already has a user with the invited address signs in as that user and joins (the link never
sets the password of an existing user: whoever holds a link could otherwise take over a
person of another account). A used, expired or unknown link says so.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.views import redirect_to_login
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from tasks import teams
from tasks.workbench.csp import csp_protected

BACKEND = "django.contrib.auth.backends.ModelBackend"
STATUS = {"unknown": 404, "used": 410, "expired": 410}


def _page(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    response = render(request, "workbench/invite.html", context, status=status)
    response["Referrer-Policy"] = "no-referrer"  # the token is in the address
    return response


@csp_protected
@never_cache
@require_http_methods(["GET", "POST"])
def invite_page(request: HttpRequest, token: str) -> HttpResponse:
    invitation = teams.find_invitation(token)
    state = teams.state(invitation)
    if invitation is None or state != "valid":
        return _page(request, {"state": state, "invitation": invitation}, STATUS[state])
    context = {"state": state, "invitation": invitation,
               "account": invitation.account.get_username()}
    person = teams.existing_person(invitation)
    if person is not None:
        context["state"] = "sign_in"
        if request.user.is_authenticated and request.user.pk == person.pk:
            context["state"] = "join"
            if request.method == "POST":
                try:
                    teams.accept(invitation, person)
                except ValueError:  # used or expired meanwhile
                    return invite_page(request, token)
                messages.success(request, f"You joined {context['account']}'s team.")
                return redirect("queue")
        elif request.method == "POST" or not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return _page(request, context)
    form = SetPasswordForm(teams.new_person(invitation), data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = teams.join_as_new_person(invitation, form.cleaned_data["new_password1"])
        except IntegrityError:  # the address's user was made meanwhile: sign in as them
            return redirect_to_login(request.get_full_path())
        except ValueError:  # used or expired meanwhile
            return invite_page(request, token)
        login(request, user, backend=BACKEND)
        messages.success(request, f"Welcome: you joined {context['account']}'s team.")
        return redirect("queue")
    context["form"] = form
    return _page(request, context, 400 if request.method == "POST" else 200)

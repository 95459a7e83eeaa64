"""The invitation link's page and `manage.py invite` (docs/api-decisions.md, "Teams and
Studio"): a new person sets a password and joins, then logs in; an expired, used or unknown
link says so; an existing person must sign in as themselves to join."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from tasks import teams
from tasks.models import Invitation, Membership, TeamRole

pytestmark = pytest.mark.django_db
PASSWORD = "a-Long-enough-pw-42"


def link(account, email="new@example.com", role=TeamRole.LABELER) -> str:
    return teams.invite_path(teams.invite(account, [email], role)[0].token)


def test_a_new_person_sets_a_password_joins_and_logs_in(account):
    url = link(account, role=TeamRole.MEMBER)
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(url)
    assert page.status_code == 200
    assert b"new@example.com" in page.content and b"Choose a password" in page.content
    assert page["Referrer-Policy"] == "no-referrer"
    token = page.cookies["csrftoken"].value
    res = browser.post(url, {"new_password1": PASSWORD, "new_password2": PASSWORD,
                             "csrfmiddlewaretoken": token})
    assert res.status_code == 302 and res["Location"] == "/"
    user = get_user_model().objects.get(username="new@example.com")
    assert user.email == "new@example.com" and user.check_password(PASSWORD)
    assert Membership.objects.get(account=account, user=user).role == TeamRole.MEMBER
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == user and invitation.accepted_at is not None
    assert browser.get("/").status_code == 200  # signed in by the invitation

    fresh = Client()
    res = fresh.post("/accounts/login/", {"username": "new@example.com",
                                          "password": PASSWORD})
    assert res.status_code == 302
    assert fresh.get("/").status_code == 200

    again = Client().get(url)
    assert again.status_code == 410 and b"already been used" in again.content


def test_the_form_needs_the_csrf_token(account):
    url = link(account)
    browser = Client(enforce_csrf_checks=True)
    browser.get(url)
    res = browser.post(url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert res.status_code == 403
    assert not get_user_model().objects.filter(username="new@example.com").exists()


def test_weak_or_mismatched_passwords_are_refused(account):
    url = link(account)
    res = Client().post(url, {"new_password1": "123", "new_password2": "123"})
    assert res.status_code == 400 and b"too short" in res.content
    res = Client().post(url, {"new_password1": PASSWORD, "new_password2": PASSWORD + "x"})
    assert res.status_code == 400 and b"didn" in res.content
    assert not get_user_model().objects.filter(username="new@example.com").exists()
    assert Invitation.objects.get().accepted_at is None


def test_an_expired_link_says_so(account):
    url = link(account)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    res = Client().get(url)
    assert res.status_code == 410 and b"expired" in res.content
    res = Client().post(url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert res.status_code == 410
    assert not get_user_model().objects.filter(username="new@example.com").exists()


def test_an_unknown_link_says_so(account):
    link(account)
    res = Client().get("/invite/not-the-token")
    assert res.status_code == 404 and b"not valid" in res.content


def test_an_existing_person_signs_in_to_join_and_keeps_their_password(account,
                                                                      django_user_model):
    ann = django_user_model.objects.create_user("ann", email="ann@example.com",
                                                password=PASSWORD)
    url = link(account, email="ann@example.com", role=TeamRole.MANAGER)
    res = Client().post(url, {"new_password1": "taken-over-pw-99",
                              "new_password2": "taken-over-pw-99"})
    assert res.status_code == 302 and res["Location"].startswith("/accounts/login/")
    ann.refresh_from_db()
    assert ann.check_password(PASSWORD)
    assert not Membership.objects.exists()

    browser = Client()
    browser.force_login(ann)
    page = browser.get(url)
    assert page.status_code == 200 and b"Join the team" in page.content
    assert browser.post(url).status_code == 302
    assert Membership.objects.get(account=account, user=ann).role == TeamRole.MANAGER
    ann.refresh_from_db()
    assert ann.is_staff  # a manager works in the admin, scoped to the account


def test_someone_else_signed_in_cannot_join_for_the_person(account, django_user_model):
    django_user_model.objects.create_user("ann", email="ann@example.com", password=PASSWORD)
    eve = django_user_model.objects.create_user("eve", password=PASSWORD)
    url = link(account, email="ann@example.com")
    browser = Client()
    browser.force_login(eve)
    assert b"log in as that user" in browser.get(url).content
    assert browser.post(url).status_code == 302
    assert not Membership.objects.exists()


def test_the_command_prints_the_links(account, settings):
    settings.ANNOTATOR_PUBLIC_URL = "https://label.example.com"
    out = io.StringIO()
    call_command("invite", "A@example.com", "b@example.com", "--account", account.username,
                 "--role", "manager", stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split()[0] for line in lines] == ["a@example.com", "b@example.com"]
    url = lines[0].split()[1]
    assert url.startswith("https://label.example.com/invite/")
    token = url.rsplit("/", 1)[1]
    invitation = teams.find_invitation(token)
    assert invitation is not None and invitation.role == TeamRole.MANAGER
    assert Client().get(f"/invite/{token}").status_code == 200


def test_the_command_refuses_an_unknown_account_or_address(account):
    with pytest.raises(CommandError, match='No account "nobody"'):
        call_command("invite", "a@example.com", "--account", "nobody")
    with pytest.raises(CommandError, match="not an e-mail address"):
        call_command("invite", "not-an-address", "--account", account.username)
    assert not Invitation.objects.exists()

"""The claim mapping of single sign-on (tasks/sso.py, docs/sso.md), in process: which claims
are refused, who is found or made, how memberships, groups and staff follow the claims; and
that nothing of sign-on exists while it is not configured."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client, RequestFactory

from tasks.models import Membership
from tasks.sso import OIDCBackend, Refused, grant_for


@pytest.fixture
def sso(settings):
    settings.ANNOTATOR_OIDC_ACCOUNT_CLAIM = "org"
    settings.ANNOTATOR_OIDC_ROLE_CLAIM = "role"
    settings.ANNOTATOR_OIDC_ACCOUNT_MAP = "acme-corp=acme,globex-inc=globex"
    settings.ANNOTATOR_OIDC_ROLE_MAP = "annotator=labeler,lead=manager,qa=reviewer"
    return settings


@pytest.fixture
def accounts(account, other_account):
    return account, other_account  # "acme", "globex"


def person(claims: dict):
    return OIDCBackend()._person(claims)


def memberships(user) -> list[tuple[str, str]]:
    return sorted((m.account.username, m.role) for m in Membership.objects.filter(user=user))


def groups(user) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize(("claims", "message"), [
    ({"role": "annotator"}, "The provider sent no “org” claim"),
    ({"org": "initech", "role": "annotator"}, "The organisation “initech” is not one"),
    ({"org": ["acme-corp", "initech"], "role": "annotator"}, "“initech” is not one"),
    ({"org": "acme-corp"}, "The provider sent no “role” claim"),
    ({"org": "acme-corp", "role": "intern"}, "The role “intern” is not one"),
    ({"org": "acme-corp", "role": ["annotator", "intern"]}, "The role “intern” is not one"),
])
def test_unknown_or_missing_claims_are_refused(sso, accounts, claims, message):
    with pytest.raises(Refused, match=message):
        grant_for(claims)


@pytest.mark.django_db
def test_several_accounts_and_the_highest_role(sso, accounts):
    grant = grant_for({"org": ["acme-corp", "globex-inc"], "role": ["annotator", "lead", "qa"]})
    assert [a.username for a in grant.accounts] == ["acme", "globex"]
    assert (grant.role, grant.reviewer) == ("manager", True)
    assert (grant_for({"org": "acme-corp", "role": "qa"}).role) == "member"


@pytest.mark.django_db
def test_without_a_map_the_value_is_the_account_name_but_never_a_superuser(
        sso, accounts, django_user_model):
    sso.ANNOTATOR_OIDC_ACCOUNT_MAP = ""
    assert [a.username for a in grant_for({"org": "acme", "role": "labeler"}).accounts] == [
        "acme"]
    django_user_model.objects.create_superuser("root", password="x-password-9")
    with pytest.raises(Refused, match="“root” is not one"):
        grant_for({"org": "root", "role": "labeler"})


@pytest.mark.django_db
def test_a_new_person_is_made_with_the_mapped_membership(sso, accounts):
    user = person({"email": "Dana@Acme.example", "org": "acme-corp", "role": "annotator",
                   "given_name": "Dana", "family_name": "Scully"})
    assert (user.username, user.email, user.first_name, user.last_name) == (
        "Dana@Acme.example", "Dana@Acme.example", "Dana", "Scully")
    assert not user.has_usable_password()
    assert memberships(user) == [("acme", "labeler")]
    assert groups(user) == ["taskers"]
    assert not user.is_staff


@pytest.mark.django_db
def test_a_refused_person_is_not_made(sso, accounts, django_user_model):
    with pytest.raises(Refused):
        person({"email": "eve@example.com", "org": "initech", "role": "annotator"})
    with pytest.raises(Refused, match="no verified e-mail"):
        person({"email": "eve@example.com", "email_verified": False, "org": "acme-corp",
                "role": "annotator"})
    with pytest.raises(Refused, match="no verified e-mail"):
        person({"org": "acme-corp", "role": "annotator"})
    assert not django_user_model.objects.filter(email="eve@example.com").exists()


@pytest.mark.django_db
def test_an_existing_person_is_found_by_email_and_follows_the_claims(
        sso, accounts, django_user_model):
    acme, globex = accounts
    tasker = django_user_model.objects.create_user("tasker1", email="t@example.com",
                                                   password="own-password-1")
    invited_elsewhere = django_user_model.objects.create_user("initech")
    Membership.objects.create(account=invited_elsewhere, user=tasker, role="labeler")
    tasker.groups.add(Group.objects.get_or_create(name="reviewers")[0])

    user = person({"email": "T@EXAMPLE.com", "org": ["acme-corp", "globex-inc"],
                   "role": "annotator"})
    assert user.pk == tasker.pk and user.check_password("own-password-1")
    assert memberships(user) == [("acme", "labeler"), ("globex", "labeler"),
                                 ("initech", "labeler")]
    assert groups(user) == ["taskers"]  # reviewer no longer claimed

    # Promoted in acme, gone from globex: the mapped accounts follow; initech is not mapped.
    user = person({"email": "t@example.com", "org": "acme-corp", "role": "lead"})
    assert memberships(user) == [("acme", "manager"), ("initech", "labeler")]
    user.refresh_from_db()
    assert user.is_staff and groups(user) == ["managers"]

    # Back to labelling: staff is taken away again.
    user = person({"email": "t@example.com", "org": "acme-corp", "role": ["annotator", "qa"]})
    user.refresh_from_db()
    assert not user.is_staff and groups(user) == ["reviewers", "taskers"]
    assert memberships(user) == [("acme", "labeler"), ("initech", "labeler")]


@pytest.mark.django_db
def test_superusers_inactive_people_and_shared_addresses_are_refused(
        sso, accounts, django_user_model):
    django_user_model.objects.create_superuser("root", email="root@example.com",
                                               password="x-password-9")
    with pytest.raises(Refused, match="superuser"):
        person({"email": "root@example.com", "org": "acme-corp", "role": "annotator"})
    django_user_model.objects.create_user("gone", email="gone@example.com", is_active=False)
    with pytest.raises(Refused, match="deactivated"):
        person({"email": "gone@example.com", "org": "acme-corp", "role": "annotator"})
    django_user_model.objects.create_user("a1", email="two@example.com")
    django_user_model.objects.create_user("a2", email="TWO@example.com")
    with pytest.raises(Refused, match="Two people"):
        person({"email": "two@example.com", "org": "acme-corp", "role": "annotator"})
    assert Membership.objects.count() == 0


@pytest.mark.django_db
def test_sign_on_is_off_when_not_configured(settings, django_user_model):
    assert not settings.ANNOTATOR_OIDC_ENABLED
    assert "tasks.sso.OIDCBackend" not in settings.AUTHENTICATION_BACKENDS
    page = Client().get("/accounts/login/").content.decode()
    assert "Sign in with" not in page and 'name="password"' in page
    assert Client().get("/oidc/authenticate/").status_code == 404
    # The backend never exchanges a code outside its callback, nor when it is off.
    request = RequestFactory().get("/accounts/login/?code=c&state=s")
    assert OIDCBackend().authenticate(request) is None


@pytest.mark.django_db
@pytest.mark.urls("tests.sso.sso_urls")
def test_a_provider_that_does_not_answer_ends_in_the_refusal_page(settings):
    # Nothing listens on port 9 of loopback: the code exchange fails to connect.
    settings.OIDC_RP_CLIENT_ID = "annotator"
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/token"
    settings.OIDC_OP_USER_ENDPOINT = "http://127.0.0.1:9/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = "http://127.0.0.1:9/jwks"
    request = RequestFactory().get("/oidc/callback/?code=c&state=s")
    assert OIDCBackend().authenticate(request, nonce="n") is None
    assert request.sso_refusal == ("The sign-in could not be completed with the provider; "
                                   "try again later.")

"""GET /v1/teams, POST /v1/teams/invite and /v1/teams/set_role in process: the answers and
the errors (docs/api-decisions.md, "Teams and Studio"); the official client against a live
server is tests/live/test_scaleapi_teams_studio.py."""

from __future__ import annotations

import pytest

from tasks import teams
from tasks.models import Invitation, Membership, TeamRole

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(account, django_user_model):
    user = django_user_model.objects.create_user("ann", email="Ann@Example.com",
                                                 password="pw-123456789", first_name="Ann")
    Membership.objects.create(account=account, user=user, role=TeamRole.LABELER)
    return user


def test_the_team_lists_members_and_pending_invitations(api, member, account):
    res = api.post("teams/invite", {"emails": ["bob@example.com"], "team_role": "manager"})
    assert res.status_code == 200, res.content
    team = res.json()
    assert [t["email"] for t in team] == ["ann@example.com", "bob@example.com"]
    ann, bob = team
    assert ann == {"email": "ann@example.com", "role": "labeler", "isStudioLabeler": True,
                   "firstName": "Ann"}
    assert bob["role"] == "manager" and bob["isStudioLabeler"] is False
    assert bob["expiry"].endswith("Z")
    assert api.get("teams").json() == team
    invitation = Invitation.objects.get(email="bob@example.com")
    assert invitation.account == account and len(invitation.token_hash) == 64


def test_another_account_sees_nothing_of_the_team(api, other_api, member):
    assert api.get("teams").json()[0]["email"] == "ann@example.com"
    assert other_api.get("teams").json() == []
    res = other_api.post("teams/set_role", {"emails": ["ann@example.com"],
                                            "team_role": "admin"})
    assert res.status_code == 400
    assert "not in this account's team: ann@example.com" in res.json()["error"]
    assert Membership.objects.get(user=member).role == TeamRole.LABELER


def test_inviting_a_member_again_changes_nothing(api, member):
    res = api.post("teams/invite", {"emails": ["ANN@example.com"], "team_role": "admin"})
    assert res.status_code == 200
    assert res.json()[0]["role"] == "labeler"
    assert not Invitation.objects.exists()


def test_a_new_invitation_replaces_the_pending_one(api, account):
    first = teams.invite(account, ["carl@example.com"], TeamRole.LABELER)[0].token
    api.post("teams/invite", {"emails": ["carl@example.com"], "team_role": "member"})
    assert teams.find_invitation(first) is None
    assert Invitation.objects.get().role == TeamRole.MEMBER


def test_set_role_changes_members_and_invitations(api, member, account):
    api.post("teams/invite", {"emails": ["dee@example.com"], "team_role": "labeler"})
    res = api.post("teams/set_role", {"emails": ["ann@example.com", "dee@example.com"],
                                      "team_role": "manager"})
    assert res.status_code == 200, res.content
    assert {t["email"]: t["role"] for t in res.json()} == {
        "ann@example.com": "manager", "dee@example.com": "manager"}
    member.refresh_from_db()
    assert member.is_staff and member.groups.filter(name=teams.MANAGERS_GROUP).exists()
    api.post("teams/set_role", {"emails": ["ann@example.com"], "team_role": "labeler"})
    member.refresh_from_db()
    assert not member.is_staff
    assert not member.groups.filter(name=teams.MANAGERS_GROUP).exists()


@pytest.mark.parametrize(("body", "message"), [
    ({"emails": [], "team_role": "labeler"}, "emails must be a non-empty list"),
    ({"emails": "a@example.com", "team_role": "labeler"}, "emails must be a non-empty list"),
    ({"emails": ["not-an-address"], "team_role": "labeler"},
     'emails[0] "not-an-address" is not an e-mail address'),
    ({"emails": [7], "team_role": "labeler"}, "emails[0] must be an e-mail address"),
    ({"emails": ["a@example.com"], "team_role": "owner"}, "team_role must be one of"),
    ({"emails": ["a@example.com"]}, "team_role must be one of"),
    ({"emails": [f"p{i}@example.com" for i in range(1001)], "team_role": "labeler"},
     "emails may hold at most 1000 addresses"),
])
def test_bad_bodies_are_400s_naming_the_field(api, body, message):
    for path in ("teams/invite", "teams/set_role"):
        res = api.post(path, body)
        assert res.status_code == 400, (path, res.content)
        assert res.json() == {"status_code": 400, "error": res.json()["error"]}
        assert message in res.json()["error"]


def test_set_role_of_an_unknown_address_is_a_400(api, member):
    res = api.post("teams/set_role", {"emails": ["ann@example.com", "zed@example.com"],
                                      "team_role": "admin"})
    assert res.status_code == 400
    assert res.json()["error"] == "emails: not in this account's team: zed@example.com."
    assert Membership.objects.get(user=member).role == TeamRole.LABELER  # all or nothing


def test_a_test_key_reads_the_team_but_does_not_change_it(test_api, member):
    assert [t["email"] for t in test_api.get("teams").json()] == ["ann@example.com"]
    for path in ("teams/invite", "teams/set_role"):
        res = test_api.post(path, {"emails": ["ann@example.com"], "team_role": "admin"})
        assert res.status_code == 403
        assert "live API key" in res.json()["error"]
    assert not Invitation.objects.exists()


def test_expired_and_used_invitations_leave_the_list(api, account, member):
    from datetime import timedelta

    from django.utils import timezone

    teams.invite(account, ["old@example.com", "used@example.com"], TeamRole.LABELER)
    Invitation.objects.filter(email="old@example.com").update(
        expires_at=timezone.now() - timedelta(seconds=1))
    teams.accept(Invitation.objects.get(email="used@example.com"), member)
    assert [t["email"] for t in api.get("teams").json()] == ["ann@example.com"]

"""The account commands: create_api_key and create_tasker."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tasks.models import ApiKey, Membership, Project

pytestmark = pytest.mark.django_db


def run(*args: str) -> list[str]:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip().splitlines()


def test_create_api_key_prints_a_working_live_key_last(django_user_model):
    lines = run("create_api_key", "alice", "--name", "laptop")
    assert len(lines) >= 2
    key = ApiKey.lookup(lines[-1])
    assert key is not None
    assert lines[-1].startswith("live_") and not key.is_test
    assert key.user.username == "alice" and key.name == "laptop"
    assert not key.user.has_usable_password()
    assert lines[-1] not in lines[0]


def test_create_api_key_test_key_for_existing_user(django_user_model):
    user = django_user_model.objects.create_user("bob", password="secret")
    raw = run("create_api_key", "bob", "--test")[-1]
    key = ApiKey.lookup(raw)
    assert raw.startswith("test_") and key.is_test and key.user == user
    user.refresh_from_db()
    assert user.check_password("secret")


def test_create_tasker_sets_group_password_projects_and_memberships(django_user_model):
    owner = django_user_model.objects.create_user("acme")
    other = django_user_model.objects.create_user("other")
    first = Project.objects.create(owner=owner, name="streets")
    second = Project.objects.create(owner=other, name="kittens")
    test_project = Project.objects.create(owner=owner, name="kittens", is_test=True)
    out = run("create_tasker", "tina", "--password", "pw-1", "--project", "streets",
              "--project", "kittens")
    tina = django_user_model.objects.get(username="tina")
    assert tina.groups.filter(name="taskers").exists()
    assert tina.check_password("pw-1")
    assert set(tina.tasker_projects.all()) == {first, second}
    assert not test_project.taskers.exists()
    # a labeler of each project's owner account (docs/workforce.md)
    assert set(Membership.objects.filter(user=tina).values_list("account__username", "role")) \
        == {("acme", "labeler"), ("other", "labeler")}
    assert "  member (labeler) of account acme" in out


def test_create_tasker_refuses_a_project_name_of_two_accounts(django_user_model):
    acme = django_user_model.objects.create_user("acme")
    globex = django_user_model.objects.create_user("globex")
    Project.objects.create(owner=acme, name="streets")
    theirs = Project.objects.create(owner=globex, name="streets")
    with pytest.raises(CommandError) as refused:
        run("create_tasker", "tina", "--password", "pw-1", "--project", "streets")
    message = str(refused.value)
    assert "acme" in message and "globex" in message and "--account" in message
    assert not django_user_model.objects.filter(username="tina").exists()
    # --account says which
    run("create_tasker", "tina", "--password", "pw-1", "--project", "streets",
        "--account", "globex")
    tina = django_user_model.objects.get(username="tina")
    assert list(tina.tasker_projects.all()) == [theirs]
    assert list(Membership.objects.filter(user=tina).values_list("account", flat=True)) \
        == [globex.pk]


def test_create_tasker_with_an_account_only_makes_a_member(django_user_model):
    acme = django_user_model.objects.create_user("acme")
    run("create_tasker", "tina", "tom", "--password", "pw-1", "--account", "acme")
    assert set(Membership.objects.filter(account=acme).values_list("user__username", "role")) \
        == {("tina", "labeler"), ("tom", "labeler")}
    with pytest.raises(CommandError, match="No account named 'nobody'"):
        run("create_tasker", "tina", "--password", "pw-1", "--account", "nobody")
    with pytest.raises(CommandError, match="of account acme"):
        run("create_tasker", "tina", "--password", "pw-1", "--account", "acme",
            "--project", "streets")


def test_create_tasker_updates_existing_user(django_user_model):
    django_user_model.objects.create_user("tina", password="old")
    run("create_tasker", "tina", "--password", "new")
    tina = django_user_model.objects.get(username="tina")
    assert tina.check_password("new")
    assert tina.groups.filter(name="taskers").exists()


def test_create_tasker_unknown_project_errors_and_changes_nothing(django_user_model):
    with pytest.raises(CommandError, match="nope"):
        run("create_tasker", "tina", "--password", "pw", "--project", "nope")
    assert not django_user_model.objects.filter(username="tina").exists()

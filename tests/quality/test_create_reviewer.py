"""create_tasker --reviewer makes reviewers, per project, beside (not instead of) taskers."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tasks import queue
from tasks.accounts import REVIEWERS_GROUP, TASKERS_GROUP
from tasks.models import Membership
from tests.factories import make_project

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("create_tasker", *args, stdout=out)
    return out.getvalue()


def groups(name: str) -> set[str]:
    user = get_user_model().objects.get(username=name)
    return set(user.groups.values_list("name", flat=True))


def test_a_reviewer_is_not_a_tasker_and_may_review_the_named_project(account):
    project = make_project(account)
    out = run("rev1", "--password", "pw-rev-123", "--project", "streets", "--reviewer")
    assert "Created reviewer rev1." in out and "may review project streets" in out
    assert groups("rev1") == {REVIEWERS_GROUP}
    user = get_user_model().objects.get(username="rev1")
    assert list(project.reviewers.all()) == [user] and not project.taskers.exists()
    assert queue.is_reviewer(user) and not queue.is_tasker(user)
    assert user.check_password("pw-rev-123")
    # a member of the project's account: the review queue offers it (docs/workforce.md)
    assert Membership.objects.get(user=user).account == account
    assert list(queue.review_projects(user)) == [project]


def test_reviewer_and_tasker_together(account):
    project = make_project(account)
    out = run("both", "--password", "pw-both-123", "--project", "streets", "--reviewer",
              "--tasker")
    assert "Created tasker and reviewer both." in out
    assert groups("both") == {REVIEWERS_GROUP, TASKERS_GROUP}
    assert project.reviewers.filter(username="both").exists()
    assert project.taskers.filter(username="both").exists()


def test_without_the_flag_it_makes_taskers_as_before(account):
    out = run("t1", "--password", "pw-t1-1234")
    assert "Created tasker t1." in out and groups("t1") == {TASKERS_GROUP}


def test_the_reviewers_group_exists_for_the_admin():
    from django.contrib.auth.models import Group

    assert Group.objects.filter(name=REVIEWERS_GROUP).exists()

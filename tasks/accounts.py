"""Accounts (API users), taskers and reviewers, as the commands, the demo and the queue need
them."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

TASKERS_GROUP = "taskers"
REVIEWERS_GROUP = "reviewers"


def get_or_create_account(username: str):
    """The user named `username`; a new one gets an unusable password (it signs in by key)."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is not None:
        return user, False
    user = user_model(username=username)
    user.set_unusable_password()
    user.save()
    return user, True


def ensure_tasker(username: str, password: str | None):
    """Create or update `username` as an active member of the taskers group."""
    return ensure_member(username, password, TASKERS_GROUP)


def ensure_reviewer(username: str, password: str | None):
    """Create or update `username` as an active member of the reviewers group."""
    return ensure_member(username, password, REVIEWERS_GROUP)


def ensure_member(username: str, password: str | None, group_name: str):
    """Create or update `username` as an active member of the group `group_name`; a
    password of None keeps an existing user's (a new user needs one)."""
    user, created = get_user_model().objects.get_or_create(username=username)
    if password is None and created:
        raise ValueError(f"A new user ({username}) needs a password.")
    if password is not None:
        user.set_password(password)
    user.is_active = True
    user.save()
    group, _ = Group.objects.get_or_create(name=group_name)
    user.groups.add(group)
    return user, created

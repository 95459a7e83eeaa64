"""What many tests make: accounts, taskers, API keys and their clients, projects, task bodies.

One place for them, so that a change to how a tasker or a project is made is one change.
"""

from __future__ import annotations

import base64
import json
from urllib.parse import urlencode

TASKERS_GROUP = "taskers"


def make_tasker(name: str = "tina", password: str | None = None, *, account=None,
                role: str = "labeler"):
    """A user in the taskers group (the group is made on first use), a member (`role`) of
    `account`, else of every account that exists now (docs/workforce.md: a tasker sees only
    the projects of the accounts they work for)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(name, password=password or f"pw-{name}-1")
    user.groups.add(Group.objects.get_or_create(name=TASKERS_GROUP)[0])
    join(user, account, role=role)
    return user


def make_reviewer(name: str = "rev1", *, account=None, role: str = "labeler"):
    """A user in the reviewers group, a member of `account` (else of every account now)."""
    from tasks.accounts import ensure_reviewer

    user = ensure_reviewer(name, f"pw-{name}-1")[0]
    join(user, account, role=role)
    return user


def join(user, account=None, *, role: str = "labeler") -> None:
    """Make `user` a member of `account`, or (None) of every account that exists now: the
    users who are neither taskers, reviewers nor staff."""
    from django.contrib.auth import get_user_model

    from tasks.models import Membership

    if account is not None:
        accounts = [account]
    else:
        accounts = list(get_user_model().objects.exclude(pk=user.pk)
                        .filter(is_staff=False, is_superuser=False)
                        .exclude(groups__name__in=(TASKERS_GROUP, "reviewers")))
    for each in accounts:
        Membership.objects.get_or_create(account=each, user=user, defaults={"role": role})


def make_project(owner, name: str = "streets", *, is_test: bool = False, **body):
    """An imageannotation project of `owner` (extra `body` keys: params, ...)."""
    from tasks import projects

    return projects.create_project(owner=owner, is_test=is_test,
                                    body={"type": "imageannotation", "name": name, **body})


def box_task(**extra) -> dict:
    """A small valid imageannotation body."""
    body = {
        "attachment": "https://example.com/image.png",
        "geometries": {"box": {"objects_to_annotate": ["car", "bus"]}},
    }
    body.update(extra)
    return body


class KeyClient:
    """Calls the v1 API as one API key, the way the official client does."""

    def __init__(self, raw_key: str) -> None:
        from django.test import Client

        self.raw_key = raw_key
        token = base64.b64encode(f"{raw_key}:".encode()).decode()
        self.client = Client(HTTP_AUTHORIZATION=f"Basic {token}")

    def call(self, method: str, path: str, body: object = None, **query):
        url = path if path.startswith("/") else f"/v1/{path}"
        if method == "GET":
            return self.client.get(url, query)
        data = b"" if body is None else json.dumps(body).encode()
        if query:
            url = f"{url}?{urlencode(query, doseq=True)}"
        return self.client.generic(method, url, data, content_type="application/json")

    def get(self, path: str, **query):
        return self.call("GET", path, **query)

    def post(self, path: str, body: object = None, **query):
        return self.call("POST", path, body, **query)

    def put(self, path: str, body: object = None):
        return self.call("PUT", path, body)

    def delete(self, path: str, body: object = None):
        return self.call("DELETE", path, body)


def key_client(user, *, is_test: bool = False) -> KeyClient:
    """A client of the v1 API speaking for a new API key of `user`."""
    from tasks.models import ApiKey

    _, raw = ApiKey.issue(user, is_test=is_test)
    return KeyClient(raw)

"""Shared fixtures: accounts with API keys, and an HTTP client that speaks for a key."""

from __future__ import annotations

import base64
import json

import pytest


class KeyClient:
    """Calls the v1 API as one API key, the way the official client does."""

    def __init__(self, raw_key: str) -> None:
        self.raw_key = raw_key
        from django.test import Client

        token = base64.b64encode(f"{raw_key}:".encode()).decode()
        self.client = Client(HTTP_AUTHORIZATION=f"Basic {token}")

    def call(self, method: str, path: str, body: object = None, **query):
        url = path if path.startswith("/") else f"/v1/{path}"
        if method == "GET":
            return self.client.get(url, query)
        data = b"" if body is None else json.dumps(body).encode()
        if query:
            from urllib.parse import urlencode

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


@pytest.fixture
def account(django_user_model):
    return django_user_model.objects.create_user("acme", password="unused-password-1")


@pytest.fixture
def other_account(django_user_model):
    return django_user_model.objects.create_user("globex", password="unused-password-2")


def key_client(user, *, is_test: bool = False) -> KeyClient:
    from tasks.models import ApiKey

    _, raw = ApiKey.issue(user, is_test=is_test)
    return KeyClient(raw)


@pytest.fixture
def api(account) -> KeyClient:
    return key_client(account)


@pytest.fixture
def test_api(account) -> KeyClient:
    return key_client(account, is_test=True)


@pytest.fixture
def other_api(other_account) -> KeyClient:
    return key_client(other_account)


@pytest.fixture(autouse=True)
def isolated_settings(request, tmp_path):
    """Files written by a test go to its own folder, and no fetch allowance leaks in from the
    environment (`make run` sets one); a test that needs one sets it (only where Django is
    loaded)."""
    if request.config.pluginmanager.hasplugin("django"):
        settings = request.getfixturevalue("settings")
        settings.MEDIA_ROOT = tmp_path / "media"
        settings.ANNOTATOR_FETCH_ALLOW = []


def box_task(**extra) -> dict:
    """A small valid imageannotation body."""
    body = {
        "attachment": "https://example.com/image.png",
        "geometries": {"box": {"objects_to_annotate": ["car", "bus"]}},
    }
    body.update(extra)
    return body

"""Shared fixtures: accounts with API keys, and an HTTP client that speaks for a key."""

from __future__ import annotations

import os

import pytest

from tests.factories import KeyClient, key_client

# MD5 instead of PBKDF2 for the passwords of the users tests make (~0.4 s each otherwise), in
# this process and in every server process a test starts with this environment
# (annotator/settings.py reads it; tests/security/test_sec_deploy.py starts its servers with a
# production environment, without it).
os.environ["ANNOTATOR_TEST_FAST_PASSWORD_HASHER"] = "1"
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_configure(config) -> None:
    from django.conf import settings

    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS


@pytest.fixture
def account(django_user_model):
    return django_user_model.objects.create_user("acme", password="unused-password-1")


@pytest.fixture
def other_account(django_user_model):
    return django_user_model.objects.create_user("globex", password="unused-password-2")


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


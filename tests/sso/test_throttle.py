"""Login throttling (django-axes, tasks/login_throttle.py, docs/sso.md): failed sign-ins lock
the user name and the address, each at its own limit; while locked even the right password is
refused, on the login page, with when to try again; other people sign in; after the lockout the
right password works; API keys are never counted."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client

from tests.factories import key_client

ATTACKER = "127.0.0.2"
ELSEWHERE = "127.0.0.3"
PASSWORD = "right-password-1"


@pytest.fixture
def people(django_user_model):
    tasker = django_user_model.objects.create_user("tasker", password=PASSWORD)
    other = django_user_model.objects.create_user("other", password=PASSWORD)
    return tasker, other


def sign_in(username: str, password: str, address: str):
    client = Client(REMOTE_ADDR=address)
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return client, response


def lockout(response) -> str:
    """The lockout message of a login page ("" when it has none)."""
    match = re.search(r'<p class="error" role="alert" id="lockout">([^<]*)</p>',
                      response.content.decode())
    return match.group(1) if match else ""


def signed_in(client: Client, response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in client.session


def test_the_201st_try_of_a_password_is_refused_and_others_still_sign_in(people, settings):
    # The defaults of annotator/settings.py: 10 by name, 50 by address.
    assert (settings.AXES_FAILURE_LIMIT, settings.ANNOTATOR_LOGIN_FAILURES_PER_ADDRESS) == (10, 50)
    for attempt in range(200):
        _, response = sign_in("tasker", f"guess-{attempt}", ATTACKER)
        assert response.status_code in (200, 429)
    client, response = sign_in("tasker", PASSWORD, ATTACKER)
    assert not signed_in(client, response)
    assert response.status_code == 429
    page = response.content.decode()
    # Locked by name after 10; tries while locked are not counted, so the address is not.
    assert "Too many failed sign-ins for this user name." in lockout(response)
    assert "Try again after" in lockout(response) and "UTC" in lockout(response)
    assert 'value="tasker"' in page  # the login page itself, the name kept
    # The name is locked from anywhere; another person from elsewhere is not.
    client, response = sign_in("tasker", PASSWORD, ELSEWHERE)
    assert response.status_code == 429 and not signed_in(client, response)
    assert "for this user name." in lockout(response)
    client, response = sign_in("other", PASSWORD, ELSEWHERE)
    assert signed_in(client, response)


def test_a_locked_name_leaves_other_people_at_the_same_address(people, settings):
    settings.AXES_FAILURE_LIMIT = 20
    settings.ANNOTATOR_LOGIN_FAILURES_PER_ADDRESS = 100
    for attempt in range(20):
        _, response = sign_in("tasker", f"guess-{attempt}", ATTACKER)
    assert response.status_code == 429  # the 20th failure locks at once
    client, response = sign_in("tasker", PASSWORD, ATTACKER)
    assert response.status_code == 429 and not signed_in(client, response)
    client, response = sign_in("other", PASSWORD, ATTACKER)
    assert signed_in(client, response)


def test_wrong_passwords_lock_name_and_address_until_the_period_ends(people, settings):
    settings.AXES_FAILURE_LIMIT = 20
    settings.ANNOTATOR_LOGIN_FAILURES_PER_ADDRESS = 25
    settings.AXES_COOLOFF_TIME = timedelta(seconds=3)
    for attempt in range(25):  # 25 wrong, under several names, from one address
        _, response = sign_in("tasker" if attempt < 20 else f"nobody{attempt}", "wrong",
                              ATTACKER)
    assert "Too many failed sign-ins from your address." in lockout(response)
    started = time.monotonic()
    client, response = sign_in("tasker", PASSWORD, ATTACKER)
    assert response.status_code == 429 and not signed_in(client, response)
    assert "for this user name and from your address" in lockout(response)
    # The address is locked for everyone there: the other person too.
    client, response = sign_in("other", PASSWORD, ATTACKER)
    assert response.status_code == 429 and not signed_in(client, response)
    assert "Too many failed sign-ins from your address" in lockout(response)
    # From elsewhere the other person signs in, the tasker's name stays locked.
    assert signed_in(*sign_in("other", PASSWORD, ELSEWHERE))
    assert sign_in("tasker", PASSWORD, ELSEWHERE)[1].status_code == 429
    # Tries during the lockout did not lengthen it: after the period the password works.
    time.sleep(max(0.0, 3.2 - (time.monotonic() - started)))
    assert signed_in(*sign_in("tasker", PASSWORD, ATTACKER))
    assert signed_in(*sign_in("other", PASSWORD, ATTACKER))


def test_the_admin_login_is_throttled_too(people, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        Client(REMOTE_ADDR=ATTACKER).post("/admin/login/", {"username": "tasker",
                                                           "password": "wrong"})
    response = Client(REMOTE_ADDR=ELSEWHERE).post("/admin/login/", {"username": "tasker",
                                                                   "password": PASSWORD})
    assert response.status_code == 429


def test_api_keys_are_not_throttled(people, account, settings):
    settings.ANNOTATOR_LOGIN_FAILURES_PER_ADDRESS = 3
    for _ in range(3):
        sign_in("acme", "wrong", ATTACKER)
    assert sign_in("other", PASSWORD, ATTACKER)[1].status_code == 429
    api = key_client(account)
    api.client.defaults["REMOTE_ADDR"] = ATTACKER
    response = api.call("GET", "tasks")
    assert response.status_code == 200


def test_a_sign_in_without_a_request_is_not_counted(people):
    # A management command or the test client's login() has no request: let through.
    assert Client().login(username="tasker", password=PASSWORD)


def test_limits_and_period_come_from_the_environment():
    env = {**os.environ, "ANNOTATOR_LOGIN_FAILURES_PER_NAME": "7",
           "ANNOTATOR_LOGIN_FAILURES_PER_ADDRESS": "70", "ANNOTATOR_LOGIN_LOCKOUT_SECONDS": "42",
           "DJANGO_SETTINGS_MODULE": "annotator.settings"}
    out = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings as s; print(s.AXES_FAILURE_LIMIT,"
         " s.ANNOTATOR_LOGIN_FAILURES_PER_ADDRESS, s.AXES_COOLOFF_TIME.total_seconds())"],
        env=env, cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True,
        check=True, timeout=60)
    assert out.stdout.split() == ["7", "70", "42.0"]

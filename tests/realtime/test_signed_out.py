"""Logging out, or a password change, closes the user's open sockets (4403) on the spot: an
editing session opened before can neither change the draft afterwards nor renew the lease."""

from __future__ import annotations

import contextlib

import pytest
from django.conf import settings
from django.test import Client

from tasks.models import Annotation, Task
from tests.realtime.conftest import Socket, db, run, task_path

pytestmark = pytest.mark.django_db(transaction=True)

NEW = {"uuid": "new-1", "type": "box", "label": "bus", "left": 100, "top": 100, "width": 20,
       "height": 10, "attributes": {}}


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


async def editing_socket(user, task, client: Client) -> Socket:
    """A socket signed in with `client`'s own session, as the page of that browser opens it."""
    Socket.cookies[user.pk] = client.cookies[settings.SESSION_COOKIE_NAME].value
    ws = await Socket(user, task_path(task)).open()
    assert (await ws.hello())["role"] == "editor"
    return ws


def test_logout_closes_the_editing_session(task, tasker):
    browser = logged_in(tasker)

    async def scenario():
        ws = await editing_socket(tasker, task, browser)
        progress = await Socket(tasker, "/ws/progress/").open()
        await progress.recv()  # its first counts
        response = await db(browser.post)("/accounts/logout/")
        assert response.status_code == 302
        assert await ws.close_code() == 4403
        assert await progress.close_code() == 4403

    Socket.cookies = {}
    run(scenario)
    assert not Annotation.objects.filter(task_id=task.task_id, uuid="new-1").exists()


def test_after_logout_an_op_changes_nothing_and_no_heartbeat_renews_the_lease(
        task, tasker, settings):
    settings.ANNOTATOR_SESSION_HEARTBEAT_SECONDS = 0.05
    browser = logged_in(tasker)

    async def scenario():
        ws = await editing_socket(tasker, task, browser)
        await db(browser.post)("/accounts/logout/")
        assert await ws.close_code() == 4403
        expires = (await db(Task.objects.get)(pk=task.pk)).lease_expires_at
        with contextlib.suppress(Exception):  # a closed socket may refuse the send: fine too
            await ws.send({"type": "op", "seq": 1, "op": {"op": "add", "annotation": NEW}})
        await ws.silent(0.3)  # several heartbeat periods
        assert (await db(Task.objects.get)(pk=task.pk)).lease_expires_at == expires

    Socket.cookies = {}
    run(scenario)
    assert not Annotation.objects.filter(task_id=task.task_id, uuid="new-1").exists()


def test_a_password_change_closes_the_sessions(task, tasker):
    browser = logged_in(tasker)

    async def scenario():
        ws = await editing_socket(tasker, task, browser)

        def change() -> None:
            tasker.set_password("a-new-password-123")
            tasker.save()

        await db(change)()
        assert await ws.close_code() == 4403

    Socket.cookies = {}
    run(scenario)


def test_another_users_logout_closes_nothing(task, tasker, django_user_model):
    other = django_user_model.objects.create_user("otto", password="pw-otto-1")
    other_browser = logged_in(other)
    browser = logged_in(tasker)

    async def scenario():
        ws = await editing_socket(tasker, task, browser)
        await db(other_browser.post)("/accounts/logout/")
        assert await ws.silent(0.3)
        ack = await ws.op(1, {"op": "add", "annotation": NEW})
        assert ack["type"] == "ack"
        await ws.close()

    Socket.cookies = {}
    run(scenario)

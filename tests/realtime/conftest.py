"""Fixtures for the live-session tests: a project with a claimed task, its tasker, an admin,
and WebSocket clients that sign in with a session cookie, as a browser does."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from tasks import lifecycle, queue
from tests.factories import box_task, make_project, make_tasker

BOX = {"uuid": "hypo-1", "type": "box", "label": "car", "left": 10, "top": 20, "width": 30,
       "height": 40}
GEOMETRIES = {"box": {"objects_to_annotate": ["car", "bus"], "min_width": 5}}



@pytest.fixture(autouse=True)
def fresh_channel_layer():
    """No message of an earlier test is left in the in-memory layer."""
    layer = get_channel_layer()
    if hasattr(layer, "flush"):
        async_to_sync(layer.flush)()


@pytest.fixture
def tasker(db, account):
    return make_tasker("tina")


@pytest.fixture
def admin(django_user_model):
    return django_user_model.objects.create_superuser("boss", password="pw-boss-1")


@pytest.fixture
def project(account):
    return make_project(account, "streets")


def new_task(account, **params):
    body = box_task(project="streets", **{"geometries": GEOMETRIES, **params})
    return lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                                 body=body)


@pytest.fixture
def task(account, project, tasker):
    new_task(account, hypothesis={"annotations": [BOX]})
    return queue.claim_next(tasker, project)


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


class Socket:
    """A WebSocket client of annotator.asgi.application, signed in as one user (None: as
    nobody)."""

    cookies: dict[int, str] = {}

    def __init__(self, user, path: str) -> None:
        self.user = user
        self.path = path
        self.comm: WebsocketCommunicator | None = None

    async def open(self) -> Socket:
        from annotator.asgi import application

        # as a browser sends them: the page's origin is the site's (tasks/origins.py)
        headers = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]
        if self.user is not None:
            if self.user.pk not in self.cookies:
                self.cookies[self.user.pk] = await database_sync_to_async(session_cookie)(
                    self.user)
            cookie = self.cookies[self.user.pk]
            headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
        self.comm = WebsocketCommunicator(application, self.path, headers=headers)
        connected, _ = await self.comm.connect()
        assert connected
        return self

    async def send(self, message: dict) -> None:
        await self.comm.send_json_to(message)

    async def send_text(self, text: str) -> None:
        await self.comm.send_to(text_data=text)

    async def recv(self, timeout: float = 2) -> dict:
        return await self.comm.receive_json_from(timeout=timeout)

    async def expect(self, kind: str, timeout: float = 2) -> dict:
        message = await self.recv(timeout)
        assert message["type"] == kind, message
        return message

    async def close_code(self, timeout: float = 2) -> int:
        output = await self.comm.receive_output(timeout)
        assert output["type"] == "websocket.close", output
        return output.get("code")

    async def silent(self, timeout: float = 0.2) -> bool:
        return await self.comm.receive_nothing(timeout=timeout)

    async def hello(self, session_id: str = "s1", tab_id: str = "t1", last_seq: int = 0) -> dict:
        await self.send({"type": "hello", "session_id": session_id, "tab_id": tab_id,
                         "last_seq": last_seq})
        return await self.expect("welcome")

    async def op(self, seq: int, op: dict) -> dict:
        await self.send({"type": "op", "seq": seq, "op": op})
        return await self.recv()

    async def close(self) -> None:
        await self.comm.disconnect()


@pytest.fixture
def socket_for() -> Iterator[Callable[..., Socket]]:
    """socket_for(user_or_None, path) → an unopened Socket."""
    Socket.cookies = {}
    yield Socket


def run(scenario) -> None:
    """Run an async scenario from a synchronous test (no asyncio plugin is needed)."""
    async_to_sync(scenario)()


db = database_sync_to_async


def task_path(task) -> str:
    return f"/ws/tasks/{task.task_id}/"


"""The session socket compares the page's whole origin (scheme, host and port) with the
site's own, or with ALLOWED_ORIGINS (tasks/origins.py). Chromium's view of the same is in
tests/browser/test_sec_cross_site.py."""

from __future__ import annotations

import asyncio

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def connects(client, tasker, task_id: str, origin: str, host: str = "127.0.0.1:8000",
             extra: tuple = ()) -> bool:
    from channels.testing import WebsocketCommunicator

    from annotator.asgi import application

    client.force_login(tasker)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()

    async def connect() -> bool:
        communicator = WebsocketCommunicator(
            application, f"/ws/tasks/{task_id}/",
            headers=[(b"origin", origin.encode()), (b"host", host.encode()),
                     (b"cookie", cookie), *extra])
        connected, _ = await communicator.connect()
        await communicator.disconnect()
        return connected

    return asyncio.run(connect())


@pytest.mark.parametrize("origin", [
    "http://127.0.0.1:9999",   # another port of the same host
    "https://127.0.0.1:8000",  # another scheme
    "http://127.0.0.1",        # port 80
    "http://localhost:8000",   # another host name of the same machine
    "null", "",
])
def test_other_origins_of_the_same_host_are_refused(client, tasker, leased, origin):
    assert connects(client, tasker, leased.task_id, origin) is False


def test_the_own_origin_is_accepted(client, tasker, leased):
    assert connects(client, tasker, leased.task_id, "http://127.0.0.1:8000") is True


def test_default_ports_are_the_same_origin(client, tasker, leased):
    assert connects(client, tasker, leased.task_id, "http://127.0.0.1", host="127.0.0.1:80")


def test_behind_a_proxy_allowed_origins_and_the_proxy_scheme(client, tasker, leased, settings):
    # A proxy that ends TLS on port 443 and talks plain HTTP to port 8000.
    settings.ALLOWED_ORIGINS = ["https://127.0.0.1"]
    assert connects(client, tasker, leased.task_id, "https://127.0.0.1:443")
    assert not connects(client, tasker, leased.task_id, "https://127.0.0.1:444")
    settings.ALLOWED_ORIGINS = []
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert connects(client, tasker, leased.task_id, "https://127.0.0.1:8000",
                    extra=((b"x-forwarded-proto", b"https"),))
    assert not connects(client, tasker, leased.task_id, "https://127.0.0.1:8000")

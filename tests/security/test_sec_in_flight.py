"""A key's requests beyond its cap in flight wait their turn without a thread, and past the
queue get a 429 in the error shape with Retry-After (tasks/api/inflight.py): the ASGI wrapper
around an application that holds each request until the test lets it go."""

from __future__ import annotations

import asyncio

import orjson

from tasks.api.inflight import KeyInFlightASGI


class Held:
    """An ASGI app answering 200 once `release` is set; counts the requests it holds."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.holding = 0

    async def __call__(self, scope, receive, send) -> None:
        self.holding += 1
        await self.release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def scope(key: bytes) -> dict:
    return {"type": "http", "method": "POST", "path": "/v1/tasks",
            "headers": [(b"authorization", b"Basic " + key)]}


async def call(app, key: bytes) -> list[dict]:
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    await app(scope(key), receive, send)
    return sent


async def until(check) -> None:
    for _ in range(500):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the condition never held")


def test_beyond_the_cap_requests_wait_and_beyond_the_queue_they_get_429(settings):
    settings.ANNOTATOR_API_IN_FLIGHT_PER_KEY = 2
    settings.ANNOTATOR_API_QUEUED_PER_KEY = 1

    async def scenario():
        inner = Held()
        app = KeyInFlightASGI(inner)
        first = [asyncio.create_task(call(app, b"a")) for _ in range(3)]
        await until(lambda: inner.holding == 2)  # two in progress, the third waits
        refused = await call(app, b"a")  # a fourth: the queue is full
        other = asyncio.create_task(call(app, b"b"))  # another key is not held back
        await until(lambda: inner.holding == 3)
        assert not first[2].done()
        inner.release.set()
        done = await asyncio.gather(*first, other)
        return refused, done, inner.holding, app.keys

    refused, done, held, keys = asyncio.run(scenario())
    start, body = refused
    assert start["status"] == 429
    headers = dict(start["headers"])
    assert headers[b"retry-after"] == b"1"
    error = orjson.loads(body["body"])
    assert error["status_code"] == 429 and "at once" in error["error"]
    assert [sent[0]["status"] for sent in done] == [200] * 4
    assert held == 4 and keys == {}  # the refused one never reached the app


def test_requests_without_credentials_are_not_counted(settings):
    settings.ANNOTATOR_API_IN_FLIGHT_PER_KEY = 1

    async def scenario():
        inner = Held()
        app = KeyInFlightASGI(inner)
        anonymous = {"type": "http", "method": "GET", "path": "/", "headers": []}

        async def bare():
            sent = []

            async def send(message):
                sent.append(message)
            await app(anonymous, None, send)
            return sent

        calls = [asyncio.create_task(bare()) for _ in range(3)]
        await until(lambda: inner.holding == 3)
        inner.release.set()
        return await asyncio.gather(*calls)

    assert [sent[0]["status"] for sent in asyncio.run(scenario())] == [200] * 3

"""A quiet server hands back what its last requests left (annotator/handler.py,
docs/performance.md "Memory of the server process"): once no request has ended for
`memory.IDLE_SECONDS`, the handler releases once, and not again until another request."""

from __future__ import annotations

import asyncio

from annotator import memory
from annotator.handler import PooledASGIHandler
from tests.perf.test_asgi_streaming import fetch


def test_a_quiet_server_releases_once_after_its_last_request(monkeypatch):
    releases: list[int] = []
    release = memory.release

    def counted_release() -> int:
        releases.append(1)
        return release()

    monkeypatch.setattr(memory, "IDLE_SECONDS", 0.2)
    monkeypatch.setattr(memory, "release", counted_release)  # what the handler runs
    monkeypatch.setattr(memory, "GROWTH_BYTES", 1 << 40)  # only the idle release runs
    handler = PooledASGIHandler(threads=1)

    async def scenario() -> list[int]:
        seen = []
        for _ in range(3):  # requests closer together than IDLE_SECONDS: no release
            start, _ = await fetch(handler, "/static/js/workbench/app.js")
            assert start["status"] == 200
            await asyncio.sleep(0.05)
        seen.append(len(releases))
        await asyncio.sleep(0.7)  # quiet: one release, however long it stays quiet
        seen.append(len(releases))
        await fetch(handler, "/static/js/workbench/app.js")
        await asyncio.sleep(0.7)  # quiet again after another request: one more
        seen.append(len(releases))
        return seen

    assert asyncio.run(scenario()) == [0, 1, 2]

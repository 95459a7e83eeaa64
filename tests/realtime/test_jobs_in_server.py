"""One `manage.py serve` on the in-memory channel layer runs the background jobs and their
sweeper in its own process (tasks/job_runner.py): their live events reach the browsers of that
same process (docs/live-sessions.md "Channel layers"), sent on the server's event loop
(tasks/live.py `_run_for`)."""

from __future__ import annotations

import asyncio
import json
from contextlib import ExitStack

import pytest
import requests

from tests.live.conftest import ImageHandler, serve_locally
from tests.realtime.test_two_servers_redis import (
    SETUP,
    login,
    server,
    shared_environment,
    start_next_task,
)

pytestmark = pytest.mark.live

LEASE_SECONDS = "2"


async def progress_until(socket, done) -> list[dict]:
    """The project's progress messages until `done(counts)`."""
    seen = []
    while True:
        message = json.loads(await asyncio.wait_for(socket.recv(), 15))
        if message["type"] == "progress" and "project" in message:
            seen.append(message["counts"])
            if done(message["counts"]):
                return seen


async def watch_a_lease_lapse(root: str, tasker: requests.Session,
                              admin: requests.Session) -> list[dict]:
    from websockets.asyncio.client import connect

    url = root.replace("http://", "ws://") + "/ws/progress/"
    cookie = f"sessionid={admin.cookies['sessionid']}"
    async with connect(url, origin=root, additional_headers={"Cookie": cookie}) as socket:
        seen = await progress_until(socket, lambda c: c["pending"] == 1)  # the snapshot
        # the tasker takes the task and opens no page: nothing renews the lease
        await asyncio.to_thread(start_next_task, root, tasker)
        seen += await progress_until(socket, lambda c: c["in_progress"] == 1)
        # only the sweeper's return of the lapsed lease announces anything now
        seen += await progress_until(socket, lambda c: c["in_progress"] == 0)
        return seen


def test_the_servers_own_sweeper_announces_a_lapsed_lease_to_a_progress_watcher():
    with ExitStack() as stack:
        images = stack.enter_context(serve_locally(ImageHandler))  # the jobs fetch the image
        image = f"http://127.0.0.1:{images.server_address[1]}/a.png"
        env = stack.enter_context(shared_environment(
            redis=False, setup=SETUP.replace("https://example.com/a.png", image),
            ANNOTATOR_FETCH_ALLOW="127.0.0.0/8", ANNOTATOR_LEASE_SECONDS=LEASE_SECONDS,
            ANNOTATOR_SWEEP_SECONDS="1"))
        root = stack.enter_context(server(env, "jobs", jobs=True))
        tasker = login(root, "tina", "pw-tina-1")
        admin = login(root, "boss", "pw-boss-1")
        seen = asyncio.run(watch_a_lease_lapse(root, tasker, admin))
    assert seen[0]["pending"] == 1 and seen[0]["in_progress"] == 0
    assert seen[-1]["pending"] == 1 and seen[-1]["in_progress"] == 0
    assert any(counts["in_progress"] == 1 for counts in seen)

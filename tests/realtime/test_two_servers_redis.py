"""Two real `manage.py serve` processes sharing one database and one Redis channel layer: an
edit made through one reaches an admin watching through the other."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
import requests

from tests.http_sessions import fresh_connections
from tests.isolation import server_redis_env
from tests.live.conftest import (
    REPO_ROOT,
    PostgresDatabase,
    _stop,
    _wait_until_serving,
    free_port,
    run_manage,
)

pytestmark = pytest.mark.live

REDIS_URL = os.environ.get("ANNOTATOR_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
SETUP = """
from tasks import lifecycle, projects
from tasks.accounts import ensure_tasker, get_or_create_account
from tasks.models import Membership
from django.contrib.auth import get_user_model
owner, _ = get_or_create_account("acme")
projects.create_project(owner=owner, is_test=False,
                         body={"type": "imageannotation", "name": "streets"})
lifecycle.create_task(owner=owner, is_test=False, task_type="imageannotation", body={
    "project": "streets", "attachment": "https://example.com/a.png",
    "geometries": {"box": {"objects_to_annotate": ["car"]}}})
tina, _ = ensure_tasker("tina", "pw-tina-1")
Membership.objects.create(account=owner, user=tina)
get_user_model().objects.create_superuser("boss", password="pw-boss-1")
"""
BOX = {"uuid": "b1", "type": "box", "label": "car", "left": 1, "top": 2, "width": 30,
       "height": 40}


def redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as exc:
        # The run on Redis (REDIS_URL set, as in .ci/run) must not pass without it; the
        # embedded-defaults run on a machine without Redis says why it did not run.
        if os.environ.get("REDIS_URL"):
            pytest.fail(f"REDIS_URL is set but Redis at {REDIS_URL} does not answer: {exc}")
        pytest.skip(f"no Redis at {REDIS_URL}: {exc} (start one to run this test)")


@contextmanager
def shared_environment(redis: bool = True, setup: str = SETUP,
                       **settings: str) -> Iterator[dict[str, str]]:
    """An environment for the servers: their own data folder (or a fresh PostgreSQL database
    when DATABASE_URL is set) and the Redis channel layer, under a key prefix no other test
    process uses (tests/isolation.py): nothing earlier or beside them is read. Without
    `redis`, the in-memory channel layer and cache of one process. `setup`: the data made
    first; `settings`: more variables."""
    data_dir = Path(tempfile.mkdtemp(prefix="annotator-two-"))
    env = {**os.environ, "ANNOTATOR_DATA_DIR": str(data_dir), "REDIS_URL": REDIS_URL,
           "ALLOWED_HOSTS": "127.0.0.1,localhost", "PYTHONUNBUFFERED": "1",
           **server_redis_env("two-servers"), **settings}
    if not redis:
        env.pop("REDIS_URL")
    env.pop("ANNOTATOR_TEST_DB_NAME", None)
    database = PostgresDatabase(os.environ["DATABASE_URL"]) if os.environ.get(
        "DATABASE_URL") else None
    try:
        if database is not None:
            database.create()
            env["DATABASE_URL"] = database.url
        run_manage(env, "migrate", "--noinput")
        run_manage(env, "shell", "-c", setup)
        yield env
    finally:
        if database is not None:
            database.drop()
        shutil.rmtree(data_dir, ignore_errors=True)


@contextmanager
def server(env: dict[str, str], name: str, jobs: bool = False) -> Iterator[str]:
    """A `serve` process; with `jobs`, running the background jobs itself."""
    port = free_port()
    data_dir = Path(env["ANNOTATOR_DATA_DIR"])
    out, err = data_dir / f"{name}.out", data_dir / f"{name}.err"
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--host", "127.0.0.1", "--port", str(port),
             *([] if jobs else ["--no-worker"])], cwd=REPO_ROOT, env=env, stdout=stdout,
            stderr=stderr, stdin=subprocess.DEVNULL)
    root = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(process, f"{root}/v1/tasks", err)
        yield root
    finally:
        _stop(process)


def login(root: str, username: str, password: str) -> requests.Session:
    browser = fresh_connections()
    browser.get(f"{root}/accounts/login/", timeout=10)
    res = browser.post(f"{root}/accounts/login/", timeout=10, allow_redirects=False, data={
        "username": username, "password": password,
        "csrfmiddlewaretoken": browser.cookies["csrftoken"]})
    assert res.status_code == 302, res.text[:500]
    return browser


def start_next_task(root: str, browser: requests.Session) -> str:
    page = browser.get(f"{root}/", timeout=10).text
    action = re.search(r'action="(/projects/\d+/start)"', page).group(1)
    res = browser.post(f"{root}{action}", timeout=10, allow_redirects=False,
                       headers={"X-CSRFToken": browser.cookies["csrftoken"]})
    assert res.status_code == 302, res.text[:500]
    return re.search(r"/tasks/(\w+)/work/", res.headers["Location"]).group(1)


async def receive(ws, kind: str) -> dict:
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if message["type"] == kind:
            return message


async def edit_and_watch(editor_root: str, editor: requests.Session, watcher_root: str,
                         watcher: requests.Session, task_id: str) -> dict:
    from websockets.asyncio.client import connect

    def socket(root: str, browser: requests.Session):
        url = root.replace("http://", "ws://") + f"/ws/tasks/{task_id}/"
        cookie = f"sessionid={browser.cookies['sessionid']}"
        return connect(url, origin=root, additional_headers={"Cookie": cookie})

    async with socket(watcher_root, watcher) as watching, socket(editor_root, editor) as editing:
        await watching.send(json.dumps({"type": "hello", "session_id": "admin"}))
        assert (await receive(watching, "welcome"))["role"] == "watcher"
        await editing.send(json.dumps({"type": "hello", "session_id": "tab", "last_seq": 0}))
        assert (await receive(editing, "welcome"))["role"] == "editor"
        await editing.send(json.dumps({"type": "op", "seq": 1,
                                       "op": {"op": "add", "annotation": BOX}}))
        assert (await receive(editing, "ack"))["versions"] == {"b1": 1}
        return await receive(watching, "remote_op")


def test_an_edit_through_one_server_reaches_a_watcher_on_the_other():
    redis_or_skip()
    with ExitStack() as stack:
        env = stack.enter_context(shared_environment())
        first = stack.enter_context(server(env, "first"))
        second = stack.enter_context(server(env, "second"))
        tasker = login(first, "tina", "pw-tina-1")
        admin = login(second, "boss", "pw-boss-1")
        task_id = start_next_task(first, tasker)
        remote = asyncio.run(edit_and_watch(first, tasker, second, admin, task_id))
    assert remote["seq"] == 1 and remote["op"]["annotation"]["uuid"] == "b1"
    assert remote["annotations"]["b1"]["version"] == 1
    assert remote["annotations"]["b1"]["left"] == 1

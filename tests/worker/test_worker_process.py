"""Real worker processes: one killed with SIGKILL mid-delivery, the jobs `serve` runs in its
own process, and the worker process `serve --worker-process` starts.

The processes share a database of their own (a temporary SQLite file, or a fresh PostgreSQL
database when DATABASE_URL is set), never pytest-django's test database; the test reads and
writes it only through `manage.py` subprocesses.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import requests

from bench.server import child_pids
from tests import machine_postgres
from tests.polling import answers, stays_false, wait_until
from tests.worker.conftest import HANG, png_bytes

pytestmark = pytest.mark.live

REPO_ROOT = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 3


def manage(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO_ROOT, env=env,
                            capture_output=True, text=True, timeout=timeout, check=False)
    assert result.returncode == 0, f"manage.py {args[0]}: {result.stdout}\n{result.stderr}"
    return result.stdout


def shell(env: dict[str, str], code: str) -> dict:
    """Run Python in the processes' database and return the JSON it prints last."""
    out = manage(env, "shell", "-c", textwrap.dedent(code))
    return json.loads(out.strip().splitlines()[-1])


def spawn(env: dict[str, str], *args: str, log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        return subprocess.Popen([sys.executable, "manage.py", *args], cwd=REPO_ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> int:
    if process.poll() is None:
        process.send_signal(sig)
    try:
        return process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise


@pytest.fixture(scope="module")
def env() -> Iterator[dict[str, str]]:
    data_dir = Path(tempfile.mkdtemp(prefix="annotator-worker-"))
    env = {k: v for k, v in os.environ.items() if k != "ANNOTATOR_TEST_DB_NAME"}
    env.update(ANNOTATOR_DATA_DIR=str(data_dir), ANNOTATOR_FETCH_ALLOW="127.0.0.0/8",
               ANNOTATOR_CALLBACK_LEASE_SECONDS=str(LEASE_SECONDS),
               ANNOTATOR_SWEEP_SECONDS="0.5", ANNOTATOR_CALLBACK_BACKOFF_BASE="1",
               PYTHONUNBUFFERED="1", LOG_LEVEL="WARNING")
    try:
        with ExitStack() as stack:
            if env.get("DATABASE_URL"):  # the worker's processes get a database of their own
                env["DATABASE_URL"] = stack.enter_context(
                    machine_postgres.scratch_database(env["DATABASE_URL"], "worker"))
            manage(env, "migrate", "--noinput")
            yield env
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


CREATE_AND_COMPLETE = """
    import json
    from tasks import lifecycle
    from tasks.accounts import get_or_create_account
    from tasks.models import AccountSettings, CallbackDelivery
    owner, _ = get_or_create_account("killtest")
    task = lifecycle.create_task(owner=owner, is_test=False, task_type="imageannotation", body={
        "attachment": "%(image)s", "callback_url": "%(hook)s",
        "geometries": {"box": {"objects_to_annotate": ["car"]}}})
    task = lifecycle.complete_task(task, {"annotations": []})
    print(json.dumps({"task_id": task.task_id,
                      "delivery": str(CallbackDelivery.objects.get(task=task).id),
                      "key": AccountSettings.for_user(owner).callback_auth_key}))
"""

WAIT_DELIVERED = """
    import json, time
    from tasks.models import CallbackDelivery, Task
    for _ in range(100):
        d = CallbackDelivery.objects.get(pk="%(delivery)s")
        if d.status != "pending":
            break
        time.sleep(0.1)
    print(json.dumps({"status": d.status, "attempts": d.attempts,
                      "succeeded": Task.objects.get(pk=d.task_id).callback_succeeded}))
"""


def test_a_worker_killed_mid_delivery_is_made_good_by_the_next(env, receiver, tmp_path):
    receiver.answer(HANG)  # the first POST never gets an answer
    image = receiver.serve_file("/image.png", png_bytes())
    made = shell(env, CREATE_AND_COMPLETE % {"image": image, "hook": receiver.url()})

    first = spawn(env, "run_worker", log=tmp_path / "worker1.log")
    try:
        receiver.wait_for_posts(1)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)

    second = spawn(env, "run_worker", log=tmp_path / "worker2.log")
    try:
        posts = receiver.wait_for_posts(2, timeout=LEASE_SECONDS + 20)
        state = shell(env, WAIT_DELIVERED % made)
        # A third send would show up within this window.
        assert stays_false(lambda: len(receiver.posts()) > 2, duration=0.5)
    finally:
        assert stop(second) == 0, (tmp_path / "worker2.log").read_text()
    posts = receiver.posts()
    assert len(posts) == 2
    assert {p.headers["x-annotator-delivery"] for p in posts} == {made["delivery"]}
    assert {p.headers["scale-callback-auth"] for p in posts} == {made["key"]}
    assert posts[0].body == posts[1].body
    assert json.loads(posts[1].body)["task_id"] == made["task_id"]
    assert state == {"status": "delivered", "attempts": 2, "succeeded": True}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def create_with_callback(root: str, key: str, receiver) -> str:
    res = requests.post(f"{root}/v1/task/imageannotation", auth=(key, ""), timeout=10, json={
        "attachment": "https://example.com/a.png", "callback_url": receiver.url(),
        "geometries": {"box": {"objects_to_annotate": ["car"]}}})
    assert res.status_code == 200, res.text
    return res.json()["task_id"]


def test_serve_runs_the_jobs_in_its_own_process_and_stops_them(env, receiver, tmp_path):
    key = manage(env, "create_api_key", "servetest", "--test").strip().splitlines()[-1]
    port = free_port()
    log = tmp_path / "serve.log"
    server = spawn(env, "serve", "--port", str(port), log=log)
    root = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: answers(f"{root}/v1/tasks"), timeout=30,
                   message=lambda: f"the server did not answer:\n{log.read_text()}")
        assert "background jobs in this process" in log.read_text()
        assert child_pids(server.pid) == []  # no worker process beside it
        task_id = create_with_callback(root, key, receiver)
        (post,) = receiver.wait_for_posts(1)
        assert post.json()["task_id"] == task_id
        # the heartbeat is the server's own: /healthz reports the jobs alive
        found = wait_for(lambda: (h := health(root)) and h["worker"]["alive"] and h, 30,
                         "heartbeat of the server's jobs")
        assert {w["pid"] for w in found["worker"]["workers"]} >= {server.pid}
    finally:
        assert stop(server) == 0, log.read_text()


def test_serve_with_a_worker_process_runs_it_beside_the_server_and_stops_it(env, receiver,
                                                                            tmp_path):
    key = manage(env, "create_api_key", "servetest", "--test").strip().splitlines()[-1]
    port = free_port()
    log = tmp_path / "serve.log"
    server = spawn(env, "serve", "--worker-process", "--port", str(port), log=log)
    try:
        root = f"http://127.0.0.1:{port}"
        wait_until(lambda: answers(f"{root}/v1/tasks"), timeout=30,
                   message=lambda: f"the server did not answer:\n{log.read_text()}")
        worker_pid = int(log.read_text().split("worker pid ")[1].split()[0])
        assert child_pids(server.pid) == [worker_pid]
        task_id = create_with_callback(root, key, receiver)
        (post,) = receiver.wait_for_posts(1)
        assert post.json()["task_id"] == task_id
    finally:
        assert stop(server) == 0, log.read_text()
    with pytest.raises(ProcessLookupError):
        os.kill(worker_pid, 0)


def wait_for(check, timeout: float, what: str):
    return wait_until(check, timeout, interval=0.1, message=f"no {what} within {timeout} s")


def health(root: str) -> dict | None:
    try:
        res = requests.get(f"{root}/healthz", timeout=2)
    except requests.RequestException:
        return None
    assert res.status_code == 200, res.text
    return res.json()


def test_serve_restarts_a_killed_worker_and_reports_its_heartbeat(env, tmp_path):
    port = free_port()
    log = tmp_path / "serve.log"
    root = f"http://127.0.0.1:{port}"
    server = spawn(env, "serve", "--worker-process", "--port", str(port), log=log)
    def pids() -> set[int]:
        found = health(root) or {}
        return {w["pid"] for w in (found.get("worker") or {}).get("workers", [])}

    try:
        wait_for(lambda: "worker pid " in log.read_text(), 30, "server start")
        pid = int(log.read_text().split("worker pid ")[1].split()[0])
        wait_for(lambda: pid in pids(), 30, "heartbeat of serve's worker")
        found = health(root)
        assert found["status"] == "ok" and found["worker"]["heartbeat_age_seconds"] < 10
        before = pids()  # (a worker killed by an earlier test may still count as alive)
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda: pids() - before, 30, "restarted worker")
    finally:
        assert stop(server) == 0, log.read_text()
    text = log.read_text()
    assert f"worker pid {pid} exited with code -9" in text
    assert "worker restarted" in text


CREATE_WITH = """
    import json
    from tasks import lifecycle
    from tasks.accounts import get_or_create_account
    owner, _ = get_or_create_account("%(account)s")
    task = lifecycle.create_task(owner=owner, is_test=False, task_type="imageannotation",
        body=json.loads(%(body)r))
    print(json.dumps({"task_id": task.task_id}))
"""


def create_in(env: dict[str, str], account: str, body: dict) -> str:
    return shell(env, CREATE_WITH % {"account": account, "body": json.dumps(body)})["task_id"]


def test_another_accounts_fetch_starts_within_5_s_of_one_tasks_50_slow_fetches(
        env, receiver, tmp_path):
    urls = [receiver.serve_file(f"/slow{i}.png", png_bytes(), delay=10.0) for i in range(50)]
    geometries = {"box": {"objects_to_annotate": ["car"]}}
    create_in(env, "hog", {"attachment": urls[0], "geometries": geometries,
                           "context_attachments": [{"attachment": u} for u in urls[1:]]})
    worker = spawn(env, "run_worker", log=tmp_path / "worker.log")
    try:
        wait_for(lambda: any(r.path.startswith("/slow") for r in receiver.received), 30,
                 "slow fetch")
        fast = receiver.serve_file("/fast.png", png_bytes())
        create_in(env, "other", {"attachment": fast, "geometries": geometries})
        created = time.monotonic()
        got = wait_for(lambda: [r for r in receiver.received if r.path == "/fast.png"], 30,
                       "fetch of the other account's image")
        assert got[0].at - created < 5
    finally:
        receiver.stopping.set()  # let the slow answers go
        assert stop(worker) == 0, (tmp_path / "worker.log").read_text()

"""SIGKILL a server process in the middle of a burst of creates: every task that was answered
200 is there after the restart, and no task is half-written (each has all its tag rows and
all its prelabel rows)."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.polling import wait_until
from tests.scale.conftest import Cluster
from tests.scale.scale_helpers import GEOMETRIES, box, new_project, upload_image

pytestmark = pytest.mark.live

VICTIM = 3
CLIENTS = 6
ANNOTATIONS = 40
TAGS = ["crash", "burst", "whole"]
# The victim is killed once this many creates were answered, i.e. while the burst is in full
# flow, whatever the machine's speed.
KILL_AFTER_ANSWERS = 30


def test_sigkill_during_creates_loses_no_answered_task_and_leaves_none_half_written(
        cluster: Cluster):
    attachment = upload_image(cluster)
    project, project_id = new_project(cluster, "crash")
    stop = threading.Event()
    answered: list[str] = []
    refused: list[int] = []
    lock = threading.Lock()

    def burst(client: int) -> int:
        sent = 0
        while not stop.is_set():
            body = {"attachment": attachment, "project": project, "tags": TAGS,
                    "unique_id": f"crash-{client}-{uuid.uuid4().hex}", "geometries": GEOMETRIES,
                    "hypothesis": {"annotations": [box(n) for n in range(ANNOTATIONS)]}}
            try:
                res = cluster.api("POST", VICTIM, "task/imageannotation", body)
            except requests.RequestException:
                refused.append(client)
                continue  # the server is gone (or going): keep trying until told to stop
            sent += 1
            assert res.status_code == 200, res.text
            with lock:
                answered.append(res.json()["task_id"])
        return sent

    with ThreadPoolExecutor(CLIENTS) as pool:
        futures = [pool.submit(burst, n) for n in range(CLIENTS)]
        wait_until(lambda: len(answered) >= KILL_AFTER_ANSWERS, timeout=60, interval=0.01)
        cluster.kill(VICTIM)
        # Every client has run into the dead server before the burst ends.
        wait_until(lambda: set(refused) == set(range(CLIENTS)) or any(f.done() for f in futures),
                   timeout=30, interval=0.01)
        stop.set()
        sent = sum(f.result() for f in futures)

    assert answered, f"no create was answered before the kill ({sent} sent)"
    cluster.restart(VICTIM)

    for task_id in answered:
        res = cluster.api("GET", VICTIM, f"task/{task_id}")
        assert res.status_code == 200, (task_id, res.text)
    stored = cluster.sql("SELECT task_id FROM tasks_task WHERE project_id = %s", project_id)
    assert set(answered) <= {row[0] for row in stored}
    # Whatever was stored — answered or cut off by the kill — is whole.
    tags = dict(cluster.sql(
        "SELECT t.task_id, count(g.id) FROM tasks_task t LEFT JOIN tasks_tasktag g "
        "ON g.task_id = t.task_id WHERE t.project_id = %s GROUP BY t.task_id", project_id))
    annotations = dict(cluster.sql(
        "SELECT t.task_id, count(a.id) FROM tasks_task t LEFT JOIN tasks_annotation a "
        "ON a.task_id = t.task_id WHERE t.project_id = %s GROUP BY t.task_id", project_id))
    assert set(tags.values()) == {len(TAGS)}, tags
    assert set(annotations.values()) == {ANNOTATIONS}, annotations

"""Fifty taskers ask for the next task at once, through four server processes."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.scale.conftest import SERVERS, Cluster
from tests.scale.scale_helpers import new_project, upload_image

pytestmark = pytest.mark.live

TASKS = 45
TASKERS = [f"t{i:02d}" for i in range(50)]


def test_fifty_taskers_never_share_a_task_and_none_is_skipped(cluster: Cluster):
    attachment = upload_image(cluster)
    project, project_id = new_project(cluster, "queue")

    def create(i: int) -> str:
        res = cluster.api("POST", i, "task/imageannotation",
                          {"attachment": attachment, "project": project,
                           "priority": (10, 20, 30)[i % 3], "metadata": {"n": i}})
        assert res.status_code == 200, res.text
        return res.json()["task_id"]

    with ThreadPoolExecutor(8) as pool:
        created = set(pool.map(create, range(TASKS)))
    assert len(created) == TASKS

    with ThreadPoolExecutor(10) as pool:
        sessions = list(pool.map(lambda i: cluster.login(i, TASKERS[i]), range(len(TASKERS))))

    start = threading.Barrier(len(TASKERS))

    def ask(i: int) -> str:
        session = sessions[i]
        start.wait(timeout=60)
        res = session.post(cluster.url(i % SERVERS, f"/projects/{project_id}/start"),
                           headers=cluster.csrf(session), allow_redirects=False, timeout=120)
        assert res.status_code == 302, (res.status_code, res.text[:300])
        return res.headers["Location"]

    with ThreadPoolExecutor(len(TASKERS)) as pool:
        answers = list(pool.map(ask, range(len(TASKERS))))

    handed = [a.split("/")[2] for a in answers if a.startswith("/tasks/")]
    # No task went to two taskers, every task went to someone, and only the taskers who came
    # after the last task was gone were sent back to the queue.
    assert len(handed) == len(set(handed)) == TASKS, Counter(handed).most_common(3)
    assert set(handed) == created
    assert answers.count("/") == len(TASKERS) - TASKS
    rows = cluster.sql(
        "SELECT t.task_id, u.username FROM tasks_task t JOIN auth_user u "
        "ON u.id = t.claimed_by_id WHERE t.project_id = %s", project_id)
    holders = dict(rows)
    assert len(holders) == TASKS
    for i, answer in enumerate(answers):
        if answer.startswith("/tasks/"):
            assert holders[answer.split("/")[2]] == TASKERS[i]

    # Each holder opens their own task on any server; nobody opens another's.
    owner_of = {task_id: i for i, a in enumerate(answers) if a.startswith("/tasks/")
                for task_id in [a.split("/")[2]]}
    some = sorted(owner_of)[:4]
    for n, task_id in enumerate(some):
        mine = sessions[owner_of[task_id]]
        other = sessions[owner_of[some[(n + 1) % len(some)]]]
        assert mine.get(cluster.url(n, f"/tasks/{task_id}/work/"),
                        timeout=60).status_code == 200
        assert other.get(cluster.url(n + 1, f"/tasks/{task_id}/data"),
                         timeout=60).status_code == 403

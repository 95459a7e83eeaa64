"""Twenty reviewers press "Start next review" at once, through four server processes."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.scale.conftest import REVIEWERS, SERVERS, WORKERS, Cluster
from tests.scale.scale_helpers import box, new_project, upload_image

pytestmark = pytest.mark.live

TASKS = 15

def review_all(cluster: Cluster, project_id: int) -> None:
    cluster.django("from tasks.models import ProjectQuality\n"
                   f"ProjectQuality.objects.create(project_id={project_id}, review_mode='all')")


def work_and_submit(cluster: Cluster, project_id: int) -> dict[str, str]:
    """Each worker Starts (one task each) and submits a box over HTTP: {task id: worker}."""
    with ThreadPoolExecutor(5) as pool:
        sessions = list(pool.map(lambda i: cluster.login(i, WORKERS[i]), range(TASKS)))

    def start(i: int) -> str:
        res = sessions[i].post(cluster.url(i % SERVERS, f"/projects/{project_id}/start"),
                               headers=cluster.csrf(sessions[i]), allow_redirects=False,
                               timeout=120)
        assert res.status_code == 302 and res.headers["Location"].startswith("/tasks/"), (
            res.status_code, res.headers.get("Location"))
        return res.headers["Location"].split("/")[2]

    with ThreadPoolExecutor(5) as pool:
        claimed = list(pool.map(start, range(TASKS)))
    assert len(set(claimed)) == TASKS

    def submit(i: int) -> None:
        res = sessions[i].post(cluster.url(i + 1, f"/tasks/{claimed[i]}/submit"),
                               json={"annotations": [box(i)]},
                               headers=cluster.csrf(sessions[i]), timeout=120)
        assert res.status_code == 200, res.text[:300]
        assert res.json()["next_url"] == "/"  # nothing else to work on

    with ThreadPoolExecutor(5) as pool:
        list(pool.map(submit, range(TASKS)))
    return {task_id: WORKERS[i] for i, task_id in enumerate(claimed)}


def test_twenty_reviewers_never_share_a_review(cluster: Cluster):
    attachment = upload_image(cluster)
    project, project_id = new_project(cluster, "review")
    review_all(cluster, project_id)

    def create(i: int) -> str:
        res = cluster.api("POST", i, "task/imageannotation",
                          {"attachment": attachment, "project": project,
                           "priority": (10, 20, 30)[i % 3]})
        assert res.status_code == 200, res.text
        return res.json()["task_id"]

    with ThreadPoolExecutor(5) as pool:
        created = set(pool.map(create, range(TASKS)))
    worked_by = work_and_submit(cluster, project_id)
    assert set(worked_by) == created
    # every submit of a review_mode=all project waits for review (tasks/quality_flow/stages.py)
    stages = cluster.sql("SELECT status, stage, COUNT(*) FROM tasks_task "
                         "WHERE project_id = %s GROUP BY status, stage", project_id)
    assert stages == [("pending", "review", TASKS)]

    with ThreadPoolExecutor(10) as pool:
        sessions = list(pool.map(lambda i: cluster.login(i, REVIEWERS[i]),
                                 range(len(REVIEWERS))))
    barrier = threading.Barrier(len(REVIEWERS))

    def press_start(i: int) -> str:
        barrier.wait(timeout=60)
        res = sessions[i].post(cluster.url(i % SERVERS, f"/review/projects/{project_id}/start"),
                               headers=cluster.csrf(sessions[i]), allow_redirects=False,
                               timeout=120)
        assert res.status_code == 302, (res.status_code, res.text[:300])
        return res.headers["Location"]

    with ThreadPoolExecutor(len(REVIEWERS)) as pool:
        answers = list(pool.map(press_start, range(len(REVIEWERS))))

    handed = {REVIEWERS[i]: a.split("/")[2] for i, a in enumerate(answers)
              if a.startswith("/tasks/")}
    # No review went to two reviewers, every task went to someone, the others were sent back
    # to the review queue.
    assert all(answer.endswith("/review/") for answer in answers), answers
    assert len(handed) == len(set(handed.values())) == TASKS, Counter(
        handed.values()).most_common(3)
    assert set(handed.values()) == created
    assert answers.count("/review/") == len(REVIEWERS) - TASKS
    holders = dict(cluster.sql(
        "SELECT t.task_id, u.username FROM tasks_task t JOIN auth_user u "
        "ON u.id = t.claimed_by_id WHERE t.project_id = %s", project_id))
    assert holders == {task_id: reviewer for reviewer, task_id in handed.items()}
    # A reviewer who also tasked never got the task they worked on.
    for reviewer, task_id in handed.items():
        assert worked_by[task_id] != reviewer
    # One open review attempt per task, its reviewer's.
    attempts = cluster.sql(
        "SELECT a.task_id, u.username FROM tasks_taskattempt a JOIN auth_user u "
        "ON u.id = a.user_id JOIN tasks_task t ON t.task_id = a.task_id "
        "WHERE t.project_id = %s AND a.kind = 'review' AND a.outcome = 'open'", project_id)
    assert sorted(attempts) == sorted(holders.items())

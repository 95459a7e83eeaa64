"""A submit racing a cancel, and two submits of one task, through several server processes:
one consistent final state and one completion callback (outbox row and received POST)."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.http_sessions import fresh_connections
from tests.scale.conftest import Cluster, drain
from tests.scale.scale_helpers import box, new_project, upload_image

pytestmark = pytest.mark.live

CALLBACK_WAIT_SECONDS = 20


def at_once(*calls):
    """Run the calls in threads released together; their results in order."""
    start = threading.Barrier(len(calls))

    def run(call):
        start.wait(timeout=60)
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def one_task_project(cluster: Cluster, attachment: str, callback: str) -> tuple[int, str]:
    project, project_id = new_project(cluster, "race")
    res = cluster.api("POST", 2, "task/imageannotation",
                      {"attachment": attachment, "project": project, "callback_url": callback})
    assert res.status_code == 200, res.text
    return project_id, res.json()["task_id"]


def deliveries(cluster: Cluster, task_id: str) -> list[tuple[str]]:
    return cluster.sql("SELECT event FROM tasks_callbackdelivery WHERE task_id = %s", task_id)


def status_of(cluster: Cluster, task_id: str) -> str:
    return cluster.api("GET", 3, f"task/{task_id}").json()["status"]


def clone(cluster: Cluster, session: requests.Session) -> requests.Session:
    twin = fresh_connections()
    twin.headers.update(session.headers)
    twin.cookies.update(session.cookies)
    return twin


def submit(cluster: Cluster, session: requests.Session, server: int, task_id: str):
    return lambda: session.post(cluster.url(server, f"/tasks/{task_id}/submit"),
                                data=json.dumps({"annotations": [box(0)]}),
                                headers={**cluster.csrf(session),
                                         "Content-Type": "application/json"},
                                allow_redirects=False, timeout=60)


def start_call(cluster: Cluster, session: requests.Session, project_id: int):
    return lambda: session.post(cluster.url(0, f"/projects/{project_id}/start"),
                                headers=cluster.csrf(session), allow_redirects=False,
                                timeout=60)


def cancel_call(cluster: Cluster, task_id: str):
    return lambda: cluster.api("POST", 1, f"task/{task_id}/cancel")


def completion_posts(receiver, task_id: str) -> list[dict]:
    """The callbacks received for the task: wait for the first, then a while for repeats."""
    posts = drain(receiver.posts, 0.2)
    waited = 0.0
    while not posts and waited < CALLBACK_WAIT_SECONDS:
        posts = drain(receiver.posts, 0.5)
        waited += 0.5
    posts += drain(receiver.posts, 2.0)
    payloads = [json.loads(body) for _path, _headers, body in posts]
    return [p for p in payloads if p.get("task_id") == task_id]


def test_start_and_submit_racing_a_cancel_end_consistently(cluster: Cluster, receiver):
    attachment = upload_image(cluster)
    callback = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    session = cluster.login(0, "racer0")
    outcomes = set()
    for _round in range(3):
        project_id, task_id = one_task_project(cluster, attachment, callback)
        cancel = cancel_call(cluster, task_id)
        started, canceled = at_once(start_call(cluster, session, project_id), cancel)
        assert started.status_code == 302
        if canceled.status_code == 200:
            # The cancel came first: the tasker got nothing, and the task is canceled.
            outcomes.add("canceled")
            assert started.headers["Location"] == "/"
            assert status_of(cluster, task_id) == "canceled"
            assert deliveries(cluster, task_id) == []
            continue
        outcomes.add("started")
        assert canceled.status_code == 400 and "started" in canceled.json()["error"]
        assert started.headers["Location"] == f"/tasks/{task_id}/work/"
        # Now the submit races another cancel: the started task cannot be canceled.
        submitted, canceled = at_once(submit(cluster, session, 2, task_id), cancel)
        assert submitted.status_code == 200, submitted.text
        assert canceled.status_code == 400
        assert status_of(cluster, task_id) == "completed"
        assert deliveries(cluster, task_id) == [("completed",)]
        [post] = completion_posts(receiver, task_id)
        assert post["status"] == "completed"
        assert [a["uuid"] for a in post["response"]["annotations"]] == ["box-0"]
    assert outcomes  # which of the two happened is up to the race


def test_two_submits_of_one_task_complete_it_once(cluster: Cluster, receiver):
    attachment = upload_image(cluster)
    callback = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    project_id, task_id = one_task_project(cluster, attachment, callback)
    session = cluster.login(1, "racer1")
    started = session.post(cluster.url(1, f"/projects/{project_id}/start"),
                           headers=cluster.csrf(session), allow_redirects=False, timeout=60)
    assert started.headers["Location"] == f"/tasks/{task_id}/work/"

    answers = at_once(submit(cluster, session, 2, task_id),
                      submit(cluster, clone(cluster, session), 3, task_id))

    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
    refused = next(a for a in answers if a.status_code == 409).json()
    assert refused["status_code"] == 409 and "no longer yours" in refused["error"]
    task = cluster.api("GET", 0, f"task/{task_id}").json()
    assert task["status"] == "completed"
    assert [a["uuid"] for a in task["response"]["annotations"]] == ["box-0"]
    assert deliveries(cluster, task_id) == [("completed",)]
    assert len(completion_posts(receiver, task_id)) == 1
    assert cluster.sql("SELECT count(*) FROM tasks_annotation WHERE task_id = %s",
                       task_id) == [(1,)]

"""After an accept or a send-back the reviewer's page opens the next review of the project,
claimed for them as its Start would, else the review queue (docs/workbench.md "Review
mode")."""

from __future__ import annotations

import pytest

from tasks import queue
from tasks.models import Task
from tests.quality.flow import create, decide, hold, project_with, reviewer, tasker, work

pytestmark = pytest.mark.django_db


def test_a_decision_opens_the_next_review_then_the_queue(account):
    project = project_with(account, review_mode="all")
    done = []
    for name in ("tina", "otto", "ula"):  # one at a time: a submit claims the next task
        create(account)
        done.append(work(tasker(name), project))
    first, second, third = done
    rev = reviewer("rev1")
    res = decide(rev, hold(rev, first), "accept")
    assert res.status_code == 200, res.content
    assert res.json()["next_url"] == f"/tasks/{second.task_id}/review/"
    assert queue.holds(rev, Task.objects.get(pk=second.pk))
    res = decide(rev, Task.objects.get(pk=second.pk), "send_back", "b5 is wrong")
    assert res.json() == {"status": "rework", "next_url": f"/tasks/{third.task_id}/review/"}
    res = decide(rev, Task.objects.get(pk=third.pk), "accept")
    assert res.json() == {"status": "completed", "next_url": "/review/"}

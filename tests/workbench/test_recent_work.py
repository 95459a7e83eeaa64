"""The queue page's "My recent work" (docs/workbench.md, "Aids"): the tasker's last ended
work and rework attempts, newest first, with the time each took and how it ended."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tasks.models import Task
from tasks.models.attempts import TaskAttempt
from tasks.workbench.recent_work import RECENT_WORK_ROWS, recent_work
from tests.factories import make_project, make_tasker

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def attempt(task, user, kind, start_minutes, minutes, outcome, *, ended=True):
    claimed = T0 + dt.timedelta(minutes=start_minutes)
    return TaskAttempt.objects.create(
        task=task, root=task, user=user, kind=kind, claimed_at=claimed,
        ended_at=claimed + dt.timedelta(minutes=minutes) if ended else None, outcome=outcome)


def test_recent_work_lists_ended_work_newest_first_with_its_time(account):
    project = make_project(account, "streets")
    tina, tom = make_tasker("tina"), make_tasker("tom")
    tasks = [Task.objects.create(owner=account, project=project,
                                 params={"attachment": "https://example.com/a.png"})
             for _ in range(4)]
    attempt(tasks[0], tina, "work", 0, 4.5, "submitted")
    attempt(tasks[1], tina, "work", 10, 75, "expired")
    attempt(tasks[2], tina, "rework", 100, 2, "fixed")
    attempt(tasks[3], tina, "work", 200, 1, "open", ended=False)  # still open: not listed
    attempt(tasks[3], tina, "review", 300, 1, "accepted")  # a review: not the tasker's work
    attempt(tasks[3], tom, "work", 400, 1, "submitted")  # someone else's

    rows = recent_work(tina)
    assert [(r.task_id, r.kind, r.outcome) for r in rows] == [
        (str(tasks[2].task_id), "rework", "fixed"),
        (str(tasks[1].task_id), "work", "expired"),
        (str(tasks[0].task_id), "work", "submitted"),
    ]
    assert [r.seconds for r in rows] == [120, 4500, 270]
    assert [r.duration for r in rows] == ["2:00", "1:15:00", "4:30"]
    assert rows[0].project == "streets"
    assert rows[1].outcome_label.lower() == "expired"


def test_recent_work_keeps_the_last_rows_and_shows_on_the_queue(account, client):
    project = make_project(account, "streets")
    tina = make_tasker("tina", password="pw-tina-123456")
    task = Task.objects.create(owner=account, project=project,
                               params={"attachment": "https://example.com/a.png"})
    for i in range(RECENT_WORK_ROWS + 3):
        attempt(task, tina, "work", i * 10, 1, "released")
    assert len(recent_work(tina)) == RECENT_WORK_ROWS
    client.force_login(tina)
    page = client.get(reverse("queue")).content.decode()
    assert "My recent work" in page
    assert page.count(f'data-task="{task.task_id}"') == RECENT_WORK_ROWS

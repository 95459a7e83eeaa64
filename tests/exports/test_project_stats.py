"""The admin's daily view: counts per project and batch, throughput, median work times per
task and per tasker, failing callbacks, in a bounded number of queries."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from tasks import lifecycle, projects, queue, stats
from tasks.models import CallbackDelivery, DeliveryStatus, Task
from tests.exports.export_data import make_project

pytestmark = pytest.mark.django_db

T0 = timezone.now().replace(microsecond=0) - timedelta(hours=2)


def create(account, batch: str | None = None) -> Task:
    body = {"project": "streets", "attachment": "https://example.com/a.png",
            "callback_url": "https://example.com/cb"}
    if batch:
        body["batch"] = batch
    return lifecycle.create_task(owner=account, is_test=False, task_type="imageannotation",
                                 body=body)


def work(account, tasker, project, minutes: int, batch: str | None = None) -> Task:
    """A task claimed by `tasker` at T0 and completed `minutes` later."""
    task = create(account, batch)
    with mock.patch("django.utils.timezone.now", return_value=T0):
        claimed = queue.claim_next(tasker, project)
    assert claimed.pk == task.pk
    with mock.patch("django.utils.timezone.now", return_value=T0 + timedelta(minutes=minutes)):
        return lifecycle.complete_task(claimed, {"annotations": []}, by=tasker)


@pytest.fixture
def data(account, django_user_model):
    project = make_project(account, is_test=False)
    for name in ("b1", "b2"):
        projects.create_batch(owner=account, is_test=False, body={"name": name,
                                                                   "project": "streets"})
    ann = django_user_model.objects.create_user("ann")
    bob = django_user_model.objects.create_user("bob")
    done = [work(account, ann, project, 10, "b1"), work(account, bob, project, 30, "b1"),
            work(account, ann, project, 20, "b2")]
    held = create(account, "b1")
    queue.claim_next(ann, project)
    create(account, "b1")  # waiting
    lifecycle.cancel_task(create(account, "b1"))
    lifecycle.fail_task(create(account, "b2"), {"error": "no image"})
    lifecycle.complete_task(create(account), {"annotations": []})  # never claimed: not timed
    CallbackDelivery.objects.filter(task=done[0]).update(
        attempts=3, last_error="connection refused", last_status_code=None)
    CallbackDelivery.objects.filter(task=done[1]).update(
        attempts=1, status=DeliveryStatus.DELIVERED)
    return {"project": project, "done": done, "held": held}


def test_counts_per_project_and_batch(data):
    result = stats.project_stats(data["project"])
    totals = result.totals.as_json()
    assert totals == {"pending": 1, "in_progress": 1, "completed": 4, "canceled": 1,
                      "error": 1, "total": 8}
    rows = {name: progress.as_json() for name, progress, _ in result.batches}
    assert rows["b1"] == {"pending": 1, "in_progress": 1, "completed": 2, "canceled": 1,
                          "error": 0, "total": 5}
    assert rows["b2"]["completed"] == 1 and rows["b2"]["error"] == 1
    assert rows[""]["completed"] == 1


def test_median_work_times(data):
    result = stats.project_stats(data["project"])
    assert (result.median.tasks, result.median.seconds) == (3, 20 * 60)
    medians = {name: median.seconds for name, _, median in result.batches if median}
    assert medians == {"b1": 20 * 60, "b2": 20 * 60}
    taskers = {name: (m.tasks, m.seconds) for name, m in result.taskers}
    assert taskers == {"ann": (2, 15 * 60), "bob": (1, 30 * 60)}


def test_throughput_per_day(data):
    days = stats.project_stats(data["project"]).days
    assert len(days) == 30 and days[-1].day == timezone.now().date()
    completed = Task.objects.filter(project=data["project"], status="completed")
    expected: dict = {}
    for task in completed:
        expected[task.completed_at.date()] = expected.get(task.completed_at.date(), 0) + 1
    assert {d.day: d.completed for d in days if d.completed} == expected


def test_page_renders_in_a_bounded_number_of_queries(admin_client, data,
                                                     django_assert_max_num_queries):
    url = reverse("admin-project-stats", args=[data["project"].pk])
    # 14, and 1 for the prelabel ledger's section of a project without ledger rows
    with django_assert_max_num_queries(15):
        res = admin_client.get(url)
    assert res.status_code == 200
    html = res.content.decode()
    assert 'data-scope="project"' in html and '<td class="num" data-stat="completed">4</td>' in html
    assert "<svg" in html and html.count("<rect") == 30
    assert "20m 00s (3)" in html and "15m 00s" in html and "ann" in html
    failing = reverse("admin:tasks_callbackdelivery_change",
                      args=[CallbackDelivery.objects.get(task=data["done"][0]).pk])
    assert failing in html and "connection refused" in html
    assert '<span data-stat="failing_callbacks">1</span>' in html
    assert 'id="project-stats"' in html


def test_queries_do_not_grow_with_tasks(admin_client, data, account,
                                        django_assert_max_num_queries):
    for _ in range(5):
        lifecycle.complete_task(create(account, "b2"), {"annotations": []})
    with django_assert_max_num_queries(15):
        assert admin_client.get(reverse("admin-project-stats",
                                        args=[data["project"].pk])).status_code == 200


def test_json_and_overview(admin_client, data):
    project = data["project"]
    doc = admin_client.get(reverse("admin-project-stats-json", args=[project.pk])).json()
    assert doc["totals"]["completed"] == 4 and doc["failing_callbacks"] == 1
    assert doc["median"] == {"tasks": 3, "median_seconds": 1200.0}
    overview = admin_client.get(reverse("admin-stats"))
    assert overview.status_code == 200
    assert reverse("admin-project-stats", args=[project.pk]) in overview.content.decode()


def test_staff_only(client, django_user_model, data):
    django_user_model.objects.create_user("tina", password="pw-123456")
    client.login(username="tina", password="pw-123456")
    res = client.get(reverse("admin-project-stats", args=[data["project"].pk]))
    assert res.status_code == 302 and "/admin/login/" in res["Location"]

"""The admin's quality pages (tasks/admin_quality.py): staff only, the JSON's shape, the Pause
/ Unpause / Let retry training buttons, and the daily view's links and columns."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tasks import admin_quality
from tasks.models import ProjectQuality, ReviewRound, Task, TaskerStanding
from tasks.quality_flow import metrics
from tests.factories import join, make_project, make_tasker

pytestmark = pytest.mark.django_db

PROJECT_KEYS = {"project", "id", "days", "settings", "figures", "trend", "stages", "taskers",
                "reviewers", "gold"}


@pytest.fixture
def staff(django_user_model, account) -> Client:
    """A manager of the account (docs/workforce.md: the pages show their accounts only)."""
    boss = django_user_model.objects.create_user("boss", is_staff=True)
    join(boss, account, role="manager")
    client = Client()
    client.force_login(boss)
    return client


@pytest.fixture
def project(account):
    return make_project(account, "streets")


@pytest.fixture
def tina(project):
    """A tasker with one accepted round yesterday, and a failed training."""
    tasker = make_tasker("tina")
    task = Task.objects.create(owner=project.owner, project=project, params={})
    ReviewRound.objects.create(task=task, number=1, worked_by=tasker, verdict="accepted",
                               decided_at=timezone.now() - dt.timedelta(days=1))
    TaskerStanding.objects.create(project=project, user=tasker,
                                  training_failed_at=timezone.now() - dt.timedelta(hours=2),
                                  flagged_at=timezone.now(), flag_reason="training")
    return tasker


def urls(project, user) -> list[str]:
    return [reverse("admin-quality-project", args=[project.pk]),
            reverse("admin-quality-project-json", args=[project.pk]),
            reverse("admin-quality-tasker", args=[user.pk]),
            reverse("admin-quality-tasker-json", args=[user.pk])]


def action(project, user, name: str) -> str:
    return reverse("admin-quality-standing", args=[project.pk, user.pk, name])


def test_pages_answer_staff(staff, project, tina):
    for url in urls(project, tina):
        assert staff.get(url).status_code == 200, url
    page = staff.get(reverse("admin-quality-tasker", args=[tina.pk])).content.decode()
    assert "As a tasker" in page and "No review measured in the window." in page
    assert reverse("admin-quality-project", args=[project.pk]) in page


def test_others_are_sent_to_the_login(client, project, tina):
    for url in urls(project, tina):
        res = client.get(url)
        assert res.status_code == 302 and "/admin/login/" in res["Location"], url
    client.force_login(tina)  # a tasker is not staff
    for url in urls(project, tina):
        assert client.get(url).status_code == 302, url
    res = client.post(action(project, tina, "pause"))
    assert res.status_code == 302
    assert TaskerStanding.objects.get(user=tina).paused_at is None


def test_project_json_shape(staff, project, tina):
    data = staff.get(reverse("admin-quality-project-json", args=[project.pk])).json()
    assert set(data) == PROJECT_KEYS
    assert (data["project"], data["id"], data["days"]) == ("streets", project.pk, 30)
    assert set(data["figures"]) == set(metrics.PROJECT_FIGURES)
    assert data["figures"]["acceptance_rate"] == {"value": 1.0, "n": 1}
    assert data["figures"]["gold_accuracy"] == {"value": None, "n": 0}
    assert len(data["trend"]) == 30
    assert set(data["trend"][-1]) == {"day", *metrics.PROJECT_FIGURES}
    assert data["trend"][-1]["day"] == timezone.now().astimezone(dt.UTC).date().isoformat()
    [row] = data["taskers"]
    assert set(row) == {"tasker", "id", "flagged", "paused", "training", "figures"}
    assert (row["tasker"], row["flagged"], row["training"]) == ("tina", "training", "failed")
    assert set(row["figures"]) == set(metrics.TASKER_FIGURES)
    assert data["settings"]["review_mode"] == "off"


def test_tasker_json_shape(staff, project, tina):
    data = staff.get(reverse("admin-quality-tasker-json", args=[tina.pk])).json()
    assert set(data) == {"tasker", "id", "days", "figures", "trend", "review", "projects"}
    assert set(data["figures"]) == set(metrics.TASKER_FIGURES)
    assert set(data["review"]["figures"]) == set(metrics.REVIEWER_FIGURES)
    [row] = data["projects"]
    assert (row["project"], row["figures"]["acceptance_rate"]) == ("streets",
                                                                  {"value": 1.0, "n": 1})


def test_project_page_shows_the_figures_and_buttons(staff, project, tina):
    page = staff.get(reverse("admin-quality-project", args=[project.pk])).content.decode()
    assert "Acceptance rate" in page and "100.0 %" in page
    assert 'id="project-quality"' in page
    assert page.count("<rect") >= 30 * len(metrics.PROJECT_FIGURES)
    assert action(project, tina, "pause") in page
    assert action(project, tina, "retry-training") in page
    assert "Let retry training" in page


def test_pause_and_unpause(staff, project, tina, django_user_model):
    res = staff.post(action(project, tina, "pause"))
    assert res.status_code == 302
    assert res["Location"] == reverse("admin-quality-project", args=[project.pk])
    standing = TaskerStanding.objects.get(project=project, user=tina)
    assert standing.paused_at is not None
    assert standing.paused_by == django_user_model.objects.get(username="boss")
    page = staff.get(res["Location"]).content.decode()
    assert action(project, tina, "unpause") in page and "paused in streets" in page
    staff.post(action(project, tina, "unpause"))
    assert TaskerStanding.objects.get(project=project, user=tina).paused_at is None


def test_pause_makes_a_standing_when_there_is_none(staff, project):
    newcomer = make_tasker("nell")
    staff.post(action(project, newcomer, "pause"))
    assert TaskerStanding.objects.get(project=project, user=newcomer).paused_at is not None


def test_let_retry_training(staff, project, tina):
    staff.post(action(project, tina, "retry-training"))
    standing = TaskerStanding.objects.get(project=project, user=tina)
    assert standing.training_reset_at is not None
    assert metrics.training_state(standing) == "not_taken"


def test_actions_take_post_with_the_token_only(project, tina, django_user_model):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(django_user_model.objects.create_user("chief", is_staff=True))
    assert strict.get(action(project, tina, "pause")).status_code == 405
    assert strict.post(action(project, tina, "pause")).status_code == 403
    assert TaskerStanding.objects.get(user=tina).paused_at is None


def test_unknown_action_is_a_404(staff, project, tina):
    assert staff.post(action(project, tina, "promote")).status_code == 404


def test_daily_view_links_quality_and_the_overview_has_its_columns(staff, project, tina):
    quality_url = reverse("admin-quality-project", args=[project.pk])
    daily = staff.get(reverse("admin-project-stats", args=[project.pk])).content.decode()
    assert quality_url in daily and ">Quality<" in daily
    overview = staff.get(reverse("admin-stats")).content.decode()
    assert "Acceptance rate" in overview and "Gold accuracy" in overview
    assert 'data-stat="acceptance_rate"' in overview and "100.0 %" in overview


def test_days_in_the_query(staff, project, tina):
    url = reverse("admin-quality-project-json", args=[project.pk])
    assert len(staff.get(url, {"days": 7}).json()["trend"]) == 7
    assert staff.get(url, {"days": "many"}).json()["days"] == 30
    assert staff.get(url, {"days": 5000}).json()["days"] == 365
    tasker_url = reverse("admin-quality-tasker-json", args=[tina.pk])
    assert len(staff.get(tasker_url, {"days": 3}).json()["review"]["trend"]) == 3


@pytest.mark.parametrize("days", [30, 300, 365])
def test_every_window_draws_bars_inside_the_chart(staff, project, tina, days):
    page = staff.get(reverse("admin-quality-project", args=[project.pk]), {"days": days})
    widths = [float(w) for w in re.findall(r'<rect[^>]* width="([-0-9.]+)"', page.content.decode())]
    assert len(widths) >= days and min(widths) > 0
    trend = metrics.project_figures(project, days=days)["trend"]
    row = admin_quality.trend_chart("acceptance_rate", trend)
    assert [bar["x"] for bar in row["bars"]] == sorted(bar["x"] for bar in row["bars"])
    assert row["bars"][-1]["x"] + row["bars"][-1]["width"] <= admin_quality.CHART_WIDTH


def test_training_required_without_training_tasks_is_said(staff, project):
    ProjectQuality.objects.create(project=project, training_required=True)
    page = staff.get(reverse("admin-quality-project", args=[project.pk])).content.decode()
    assert "there is no training task: the gate is open" in page
    assert "training required (pass mark 0.8)" in page


def test_the_settings_inline_reads_add_quality_settings(admin_client, project):
    page = admin_client.get(reverse("admin:tasks_project_change", args=[project.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Add quality settings" in html and "Add another Quality settings" not in html
    assert "settingss" not in html.lower()

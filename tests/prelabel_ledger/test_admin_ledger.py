"""The ledger in the admin (tasks/prelabel_ledger/views.py, tasks/admin_stats.py): the page,
the JSON and the CSV with their filters, the daily view's section and columns, scoped to the
accounts a manager may see (docs/workforce.md)."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import join, make_project, make_tasker
from tests.prelabel_ledger.session import claim, create, scripted_session, submit_draft
from tests.worker.conftest import run_jobs

pytestmark = pytest.mark.django_db

JSON_URL, CSV_URL, PAGE_URL = "/admin/quality/prelabels.json", "/admin/quality/prelabels.csv", \
    "/admin/quality/prelabels/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def project(account):
    return make_project(account, "streets")


@pytest.fixture
def other_project(other_account):
    return make_project(other_account, "farms")


@pytest.fixture
def worked(account, other_account, project, other_project):
    """The scripted session in the account's project; one untouched task in the other's."""
    tina = make_tasker("tina", account=account)
    create(account)
    scripted_session(claim(tina, project), tina)
    olga = make_tasker("olga", account=other_account)
    create(other_account, project="farms")
    submit_draft(claim(olga, other_project), olga)
    run_jobs()


@pytest.fixture
def manager(django_user_model, account):
    boss = django_user_model.objects.create_user("boss", is_staff=True)
    join(boss, account, role="manager")
    return signed_in(boss)


@pytest.fixture
def superuser(django_user_model):
    return signed_in(django_user_model.objects.create_superuser("root", password="pw-root-1"))


def test_a_manager_sees_their_accounts_rows_only(worked, manager, project, other_project):
    data = manager.get(JSON_URL).json()
    assert [row["key"] for row in data["by_project"]] == ["streets"]
    assert (data["totals"]["images"], data["totals"]["acceptance_rate"]) == (1, 0.5)
    assert {row["key"] for row in data["by_tasker"]} == {"tina"}
    res = manager.get(JSON_URL, {"project": other_project.pk})
    assert res.status_code == 404 and res.json()["status_code"] == 404
    assert manager.get(JSON_URL, {"project": project.pk}).json()["totals"]["images"] == 1


def test_a_superuser_sees_every_account(worked, superuser, other_project):
    data = superuser.get(JSON_URL).json()
    assert {row["key"] for row in data["by_project"]} == {"streets", "farms"}
    assert data["totals"]["images"] == 2 and data["totals"]["kept"] == 3 + 6
    farms = superuser.get(JSON_URL, {"project": other_project.pk}).json()["totals"]
    assert (farms["acceptance_rate"], farms["added_per_image"]) == (1.0, 0.0)


@pytest.mark.parametrize(("query", "message"), [
    ({"from": "yesterday"}, "from must be a day as YYYY-MM-DD"),
    ({"from": "2026-12-05", "to": "2026-12-01"}, "from must be on or before to"),
    ({"days": "0"}, "days must be from 1 to 366"),
    ({"project": "x"}, "project must be a whole number"),
])
def test_bad_filters_are_a_400(worked, manager, query, message):
    res = manager.get(JSON_URL, query)
    assert res.status_code == 400
    assert message in res.json()["error"]


def test_the_filters(worked, superuser):
    assert superuser.get(JSON_URL, {"model_version": "v9"}).json()["totals"]["images"] == 0
    assert superuser.get(JSON_URL, {"from": "2000-01-01", "to": "2000-01-31"}).json()[
        "totals"]["images"] == 0
    data = superuser.get(JSON_URL, {"model_version": "hypothesis"}).json()
    assert data["filters"]["model_version"] == "hypothesis" and data["totals"]["images"] == 2


def test_the_csv_has_the_json_rows(worked, manager):
    data = manager.get(JSON_URL).json()
    res = manager.get(CSV_URL)
    assert res.status_code == 200 and res["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(res.content.decode())))
    expected = 1 + sum(len(data[name]) for name in ("by_model_version", "by_tasker",
                                                    "by_label", "by_project", "by_day",
                                                    "by_task"))
    assert len(rows) == expected
    assert (rows[0]["group"], rows[0]["acceptance_rate"], rows[0]["added"]) == ("total", "0.5",
                                                                                 "2")
    person = next(r for r in rows if r["group"] == "label" and r["key"] == "person")
    assert (person["added_per_image"], person["acceptance_rate"]) == ("2.0", "")
    assert manager.get(CSV_URL, {"to": "no"}).status_code == 400


def test_the_page_and_the_daily_view(worked, manager, project):
    page = manager.get(PAGE_URL).content.decode()
    assert "Prelabel ledger" in page and 'data-scope="label:person"' in page
    assert "50.0 %" in page and "farms" not in page
    daily = manager.get(reverse("admin-project-stats", args=[project.pk])).content.decode()
    assert 'id="prelabel-ledger"' in daily and 'data-scope="model_version:hypothesis"' in daily
    overview = manager.get(reverse("admin-stats")).content.decode()
    assert 'data-stat="prelabel_acceptance"' in overview and "50.0 %" in overview


def test_staff_only(worked, account):
    tasker = make_tasker("tom", account=account)
    for url in (JSON_URL, CSV_URL, PAGE_URL):
        res = signed_in(tasker).get(url)
        assert res.status_code == 302 and "/admin/login/" in res["Location"]

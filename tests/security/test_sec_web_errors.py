"""Requests that used to end in a 500, an HTML page or a traceback in the log: each is now a
4xx in the contract's JSON shape, naming what was wrong, and logged in one line."""

from __future__ import annotations

import logging

import pytest

pytestmark = pytest.mark.django_db

FAR_FUTURE = "9999-12-31T23:59:59-23:59"  # past year 9999 once in UTC
FAR_PAST = "0001-01-01T00:00:00+23:59"  # before year 1 once in UTC


def assert_refused(res, status: int, naming: str) -> None:
    assert res.status_code == status, res.content
    assert res["Content-Type"].startswith("application/json")
    body = res.json()
    assert body["status_code"] == status and naming in body["error"], body


@pytest.mark.parametrize("moment", [FAR_FUTURE, FAR_PAST])
@pytest.mark.parametrize("field", ["completed_after", "completed_before", "start_time",
                                   "updated_after"])
def test_a_date_beyond_the_calendar_in_utc_on_tasks(api, field, moment):
    assert_refused(api.get("tasks", **{field: moment}), 400, field)


@pytest.mark.parametrize("field", ["completed_after", "completed_before"])
def test_a_date_beyond_the_calendar_on_exports_and_batches(api, field):
    api.post("projects", {"type": "imageannotation", "name": "streets"})
    assert_refused(api.get("exports/scale", project="streets", **{field: FAR_FUTURE}), 400,
                   field)
    assert_refused(api.get("batches", **{field: FAR_FUTURE}), 400, field)


def test_an_ordinary_offset_date_still_filters(api):
    res = api.get("tasks", completed_after="2021-04-25T03:14:15-05:00")
    assert res.status_code == 200, res.content


@pytest.mark.parametrize("offset", ["9223372036854775808", "9223372036854775807",
                                    str(10**30), "-1"])
def test_a_batch_offset_beyond_64_bits(api, offset):
    assert_refused(api.get("batches", offset=offset), 400, "offset")


def test_a_large_batch_offset_within_range_is_an_empty_page(api):
    res = api.get("batches", offset=str(2**62))
    assert res.status_code == 200 and res.json()["docs"] == []


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
@pytest.mark.parametrize("path", ["/v1/nowhere", "/v1/task/abc/nowhere", "/v1/"])
def test_every_method_on_an_unknown_path_is_the_json_404(api, method, path):
    from django.test import Client

    browserless = Client(enforce_csrf_checks=True,
                         HTTP_AUTHORIZATION=api.client.defaults["HTTP_AUTHORIZATION"])
    res = browserless.generic(method, path, b"{}", content_type="application/json")
    assert_refused(res, 404, "No endpoint")


def test_a_refused_page_is_logged_in_one_line(client, django_user_model, caplog):
    """A logged-in user who is not a tasker: the workbench raises PermissionDenied."""
    client.force_login(django_user_model.objects.create_user("stranger", password="pw-x-12345"))
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get("/").status_code == 403
    refusals = [r for r in caplog.records if r.name == "django.request"]
    assert refusals, "the 403 was not logged at all"
    for record in refusals:
        assert record.exc_info is None and not record.exc_text, "a traceback was logged"
        assert "\n" not in record.getMessage()

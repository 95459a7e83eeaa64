"""Requests per API key: past ANNOTATOR_API_RATE a key gets 429 with Retry-After, in the
error shape; other keys are not affected; the default leaves tests and benchmarks alone."""

from __future__ import annotations

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured

from tasks.api import throttling
from tasks.api.throttling import parse_rate
from tests.factories import key_client

pytestmark = pytest.mark.django_db


def test_a_key_past_its_rate_gets_429_with_retry_after(api, other_api, settings):
    settings.ANNOTATOR_API_RATE = "3/minute"
    assert [api.get("tasks").status_code for _ in range(3)] == [200, 200, 200]
    refused = api.get("tasks")
    assert refused.status_code == 429
    assert refused.json() == {"status_code": 429, "error": refused.json()["error"]}
    assert "throttled" in refused.json()["error"]
    assert 1 <= int(refused["Retry-After"]) <= 61
    assert api.post("projects", {"type": "imageannotation", "name": "p"}).status_code == 429
    # Another key (of another account) has a count of its own.
    assert other_api.get("tasks").status_code == 200


def test_each_key_of_one_account_is_counted_alone(account, settings):
    settings.ANNOTATOR_API_RATE = "1/hour"
    first, second = key_client(account), key_client(account)
    assert first.get("tasks").status_code == 200
    assert first.get("tasks").status_code == 429
    assert second.get("tasks").status_code == 200
    assert 1 <= int(first.get("tasks")["Retry-After"]) <= 3601


def test_requests_without_a_valid_key_are_401_not_counted(client, api, settings):
    settings.ANNOTATOR_API_RATE = "1/minute"
    for _ in range(3):
        assert client.get("/v1/tasks").status_code == 401
        assert client.get("/v1/tasks", HTTP_AUTHORIZATION="Bearer live_nope").status_code == 401
    assert api.get("tasks").status_code == 200


def test_off_means_no_limit_and_the_default_is_generous(api, settings):
    settings.ANNOTATOR_API_RATE = "off"
    assert all(api.get("tasks").status_code == 200 for _ in range(5))
    from annotator import settings as defaults

    allowed, seconds = parse_rate(defaults.ANNOTATOR_API_RATE)
    assert allowed / seconds >= 100  # per second: more than a test or benchmark sends


def test_a_cache_that_cannot_be_reached_lets_requests_through(api, settings, monkeypatch):
    settings.ANNOTATOR_API_RATE = "1/minute"

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(throttling.cache, "add", broken)
    assert [api.get("tasks").status_code for _ in range(3)] == [200, 200, 200]


@pytest.mark.parametrize(("text", "rate"), [
    ("600/minute", (600, 60)), ("10/s", (10, 1)), ("5/sec", (5, 1)), ("100/hours", (100, 3600)),
    (" 7 / day ", (7, 86400)), ("off", None), ("", None), ("0", None),
])
def test_rates_are_read_as_written(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["fast", "10/fortnight", "-1/minute", "0/minute", "1.5/s"])
def test_a_bad_rate_is_a_system_check_error(text, settings):
    with pytest.raises(ImproperlyConfigured):
        parse_rate(text)
    settings.ANNOTATOR_API_RATE = text
    assert [e.id for e in run_checks() if e.id.startswith("annotator.")] == ["annotator.E001"]

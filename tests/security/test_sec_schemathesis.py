"""schemathesis against /v1/schema/: every operation fuzzed in-process (the WSGI app, the test
database), with a real API key. No answer is a 5xx, every status is documented, and every
answer's content type and body match the document."""

from __future__ import annotations

import base64
import io
import itertools

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tasks import fetching
from tasks.models import ApiKey
from tests.security.conftest import png_bytes

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/v1/schema/", get_wsgi_application())
schema.config.phases.update(phases=["examples", "coverage", "fuzzing"])
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
# Every other case names the objects made below, so that success answers are checked too.
_turn = itertools.count()


@pytest.fixture
def same_connection(seeded):
    """Requests through the plain WSGI handler close the database connection when they end;
    in a test's transaction that would end the transaction (as Django's test client knows,
    which is why this comes after the seeding, done with the test client)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(django_user_model, monkeypatch):
    """An account with a live key, a project, a batch, a task and a file; and no fetches
    leaving the machine (files/import refuses every URL at once)."""
    def refuse(url, **kwargs):
        raise fetching.FetchError("fetches are off in this test")

    monkeypatch.setattr(fetching, "fetch", refuse)
    user = django_user_model.objects.create_user("fuzz", password="unused-pw-123")
    _, raw = ApiKey.issue(user)
    token = base64.b64encode(f"{raw}:".encode()).decode()
    auth = {"HTTP_AUTHORIZATION": f"Basic {token}"}
    client = Client(**auth)
    client.post("/v1/projects", {"type": "imageannotation", "name": "proj"},
                content_type="application/json")
    client.post("/v1/batches", {"project": "proj", "name": "batch"},
                content_type="application/json")
    task = client.post("/v1/task/imageannotation",
                       {"attachment": "https://example.com/a.png", "project": "proj",
                        "geometries": {"box": {"objects_to_annotate": ["car"]}}},
                       content_type="application/json").json()
    upload = client.post("/v1/files/upload", {"file": io.BytesIO(png_bytes())}).json()
    return {"headers": {"Authorization": f"Basic {token}"},
            "names": {"key": task["task_id"], "task_id": task["task_id"], "name": "proj",
                      "file_id": upload["id"], "fmt": "scale",
                      "project": "proj", "batch": "batch"},
            "batch": "batch"}


@schema.parametrize()
@settings(max_examples=12, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_every_operation_answers_as_documented(case, seeded, same_connection):
    if next(_turn) % 2 and case.path_parameters:
        names = dict(seeded["names"])
        if case.path.startswith("/v1/batches/"):
            names["name"] = seeded["batch"]
        if case.method == "POST" and case.path == "/v1/task/{key}":
            names["key"] = "imageannotation"
        for key in case.path_parameters:
            if key in names:
                case.path_parameters[key] = names[key]
    case.call_and_validate(headers=seeded["headers"], checks=CHECKS)

"""The Assist tool asks the project's model backend (`interact`) when it has one with its
breaker closed, else the built-in OpenCV assists answer (docs/assist.md, "Providers")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tasks.models import ModelBackend, Project
from tests.assist.conftest import scene  # noqa: F401
from tests.assist.test_assist_endpoint import browser, leased, post, tasker  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("worker_settings")]

POLYGON = {"type": "polygon", "vertices": [{"x": 10, "y": 10}, {"x": 90, "y": 10},
                                           {"x": 90, "y": 70}, {"x": 10, "y": 70}]}


@pytest.fixture
def with_backend(account, leased, backend_server):  # noqa: F811
    backend_server.interact_answer = {"model_version": "sam-tiny", "shape": POLYGON,
                                      "score": 0.9}
    backend = ModelBackend.objects.create(owner=account, name="sam", url=backend_server.url,
                                          interact=True, predict=False, timeout_seconds=5)
    Project.objects.filter(pk=leased.project_id).update(model_backend=backend)
    return backend


def test_the_projects_backend_answers_a_click(browser, leased, with_backend,  # noqa: F811
                                              backend_server, scene):  # noqa: F811
    centre = scene[2]
    res = post(browser, leased, {"tool": "click",
                                 "points": [{"x": centre[0], "y": centre[1]}]})
    assert res.status_code == 200, res.content
    body = res.json()
    assert (body["source"], body["model_version"]) == ("sam", "sam-tiny")
    assert body["shape"]["vertices"] == POLYGON["vertices"]
    (sent,) = backend_server.bodies("/interact")
    assert sent["protocol"] == "annotator/1" and sent["geometry"] == "polygon"
    assert sent["prompt"] == {"points": [{"x": centre[0], "y": centre[1], "positive": True}],
                              "box": None}
    assert (sent["image"]["width"], sent["image"]["height"]) == (800, 600)
    assert sent["max_vertices"] == 16


def test_an_open_breaker_or_a_failure_falls_back_to_opencv(browser, leased,  # noqa: F811
                                                          with_backend, backend_server,
                                                          scene):  # noqa: F811
    centre = scene[2]
    click = {"tool": "click", "points": [{"x": centre[0], "y": centre[1]}]}
    backend_server.failing = True
    res = post(browser, leased, click)
    assert res.json()["source"] == "opencv"
    assert "HTTP 500" in res.json()["note"]
    ModelBackend.objects.filter(pk=with_backend.pk).update(
        open_until=timezone.now() + timedelta(seconds=60))
    before = backend_server.count()
    res = post(browser, leased, click)
    assert res.json()["source"] == "opencv"
    assert backend_server.count() == before  # an open breaker: no request


def test_a_box_past_the_images_edge_is_clipped_before_the_backend_sees_it(
        browser, leased, with_backend, backend_server):  # noqa: F811
    # A drag that ends beyond the image (800 x 600) is an ordinary prompt: the backend gets
    # the box held to the image, and a refusal cannot count against its breaker.
    res = post(browser, leased, {"tool": "box", "box": [700, 500, 850.5, 640]})
    assert res.status_code == 200, res.content
    assert res.json()["source"] == "sam"
    (sent,) = backend_server.bodies("/interact")
    assert sent["prompt"]["box"] == [700, 500, 800, 600]
    with_backend.refresh_from_db()
    assert with_backend.failures == 0


def test_a_point_outside_the_image_is_a_400_and_never_sent(browser, leased,  # noqa: F811
                                                          with_backend, backend_server):
    res = post(browser, leased, {"tool": "click", "points": [{"x": 900, "y": 10}]})
    assert res.status_code == 400, res.content
    assert "outside the 800 x 600 image" in res.json()["error"]
    assert backend_server.count("/interact") == 0
    with_backend.refresh_from_db()
    assert with_backend.failures == 0

"""The API of model backends: /v1/model_backends and POST /v1/projects/<name>/setModelBackend
(docs/api-decisions.md, "Model backends")."""

from __future__ import annotations

import pytest

from tasks.models import Project
from tests.factories import make_project

pytestmark = pytest.mark.django_db


def test_a_backend_is_created_listed_and_chosen_without_touching_params(api, account):
    project = make_project(account, "streets", params={"geometries": {"box": {
        "objects_to_annotate": ["car"]}}})
    before = api.get("projects/streets").json()
    res = api.post("model_backends", {"name": "sam", "url": "https://models.example.com/sam",
                                      "protocol": "label_studio", "interact": True,
                                      "auth_header": "Token s3cret", "timeout_seconds": 4})
    assert res.status_code == 200, res.content
    shown = res.json()
    assert (shown["name"], shown["protocol"], shown["predict"], shown["interact"],
            shown["timeout_seconds"], shown["has_auth_header"]) == (
        "sam", "label_studio", True, True, 4.0, True)
    assert "s3cret" not in res.content.decode()
    assert [b["name"] for b in api.get("model_backends").json()] == ["sam"]

    res = api.post("projects/streets/setModelBackend", {"model_backend": "sam"})
    assert res.json() == {"name": "streets", "model_backend": "sam"}
    project.refresh_from_db()
    assert project.model_backend.name == "sam"
    assert api.get("projects/streets").json() == before  # Scale's project JSON unchanged

    res = api.post("projects/streets/setModelBackend", {"model_backend": None})
    assert res.json() == {"name": "streets", "model_backend": None}
    assert Project.objects.get(pk=project.pk).model_backend is None


@pytest.mark.parametrize(("body", "status", "words"), [
    ({"name": "x", "url": "ftp://example.com"}, 400, "url must be an http"),
    ({"name": "x", "url": "http://127.0.0.1:9090"}, 400, "loopback"),
    ({"name": "", "url": "https://example.com"}, 400, "name must be"),
    ({"name": "x", "url": "https://example.com", "protocol": "sagemaker"}, 400, "protocol"),
    ({"name": "x", "url": "https://example.com", "timeout_seconds": 0}, 400, "timeout"),
    ({"name": "x", "url": "https://example.com", "predict": "yes"}, 400, "predict"),
])
def test_bad_bodies_get_a_clear_400(api, body, status, words):
    res = api.post("model_backends", body)
    assert res.status_code == status
    assert res.json()["status_code"] == status and words in res.json()["error"]


def test_names_are_unique_and_projects_name_only_their_accounts_backends(api, account):
    make_project(account, "streets")
    assert api.post("model_backends", {"name": "a", "url": "https://e.example"}
                    ).status_code == 200
    assert api.post("model_backends", {"name": "a", "url": "https://e.example"}
                    ).status_code == 409
    assert api.post("projects/streets/setModelBackend", {"model_backend": "nope"}
                    ).status_code == 404
    assert api.post("projects/streets/setModelBackend", {}).status_code == 400
    assert api.post("projects/nope/setModelBackend", {"model_backend": None}
                    ).status_code == 404


def test_the_demo_has_an_assist_ready_project(settings, tmp_path):
    from django.core.management import call_command

    from tasks.demo.assist import PROJECT, TASK_COUNT
    from tasks.models import Prelabel, Task

    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", stdout=__import__("io").StringIO())
    project = Project.objects.get(name=PROJECT)
    assert project.model_backend is None  # the built-in assists answer
    tasks = Task.objects.filter(project=project)
    assert tasks.count() == TASK_COUNT
    for task in tasks:
        assert task.params["geometries"]["polygon"]["max_vertices"] == 40
        assert "hypothesis" not in task.params
    assert not Prelabel.objects.filter(task__project=project).exists()

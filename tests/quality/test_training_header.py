"""A training copy's page says it is training ("Training task n of N", from GET /data's
`training` key); a gold copy's /data says nothing of what it is (docs/quality.md)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tasks.models import TaskRole
from tests.factories import make_tasker
from tests.quality import test_gold, test_training
from tests.quality.gold_flow import local_receiver, png_bytes, quality_project, run_jobs, start
from tests.quality.gold_flow import submit as submit_answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def image(settings) -> Iterator[str]:
    with local_receiver(settings) as server:
        yield server.serve_file("/street.png", png_bytes(400, 300))


def data(client, task) -> dict:
    res = client.get(f"/tasks/{task.task_id}/data")
    assert res.status_code == 200, res.content
    return res.json()


def test_a_training_copy_says_which_of_how_many(api, account, image, client):
    project = quality_project(account, training_required=True, training_threshold=0.8)
    test_training.make_templates(api, image, count=2)
    client.force_login(make_tasker("tina"))
    first = start(client, project)
    assert first is not None and first.role == TaskRole.TRAINING
    assert data(client, first)["training"] == {"number": 1, "of": 2}
    submit_answer(client, first, *test_training.RIGHT)
    run_jobs()
    second = start(client, project)
    assert second is not None and second.role == TaskRole.TRAINING
    assert data(client, second)["training"] == {"number": 2, "of": 2}


def test_a_gold_copy_says_nothing(api, account, image, client):
    project = quality_project(account, gold_share=1)
    test_gold.make_templates(api, image, count=1)
    client.force_login(make_tasker("tina"))
    copy = start(client, project)
    assert copy is not None and copy.role == TaskRole.EVALUATION
    shown = data(client, copy)
    assert "training" not in shown and "quality" not in shown

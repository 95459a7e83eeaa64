"""Bugs found by trying the quality loop as its users would (docs/quality.md), each with the
test that failed before its fix."""

from __future__ import annotations

import pytest

from tasks.models import Annotation, Task, TaskStage, TaskStatus
from tests.quality.flow import (
    accept_verdicts,
    create,
    decide,
    deliveries,
    hold,
    project_with,
    reviewer,
    signed_in,
    tasker,
    work,
)
from tests.quality.test_training import (
    RIGHT,
    answer,
    image,  # noqa: F401  (a fixture)
    make_templates,
    receiver,  # noqa: F401  (a fixture)
)
from tests.quality.test_training import project as training_project  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_review(account):
    project = project_with(account, review_mode="all")
    create(account)
    return work(tasker("tina"), project)


def test_accept_is_refused_while_a_rejected_annotation_is_left_as_it_was(in_review):
    """A reviewer rejected b5, then pressed Shift+Enter: the task was completed and called
    back with the box its reviewer had judged wrong."""
    rev = reviewer("rev1")
    task = hold(rev, in_review)
    accept_verdicts(task, ["b1", "b2", "b3", "b4"], {"b5": "not a car"})
    res = decide(rev, task, "accept")
    assert res.status_code == 400
    body = res.json()
    assert body["status_code"] == 400 and body["annotation_uuid"] == "b5"
    assert body["path"] == "response.annotations[4]"
    assert "rejected in this review" in body["error"] and "send the task back" in body["error"]
    task.refresh_from_db()
    assert task.status == TaskStatus.PENDING and task.stage == TaskStage.REVIEW
    assert task.claimed_by == rev and deliveries(task) == []


@pytest.mark.parametrize("fix", ["moved", "relabelled", "deleted"])
def test_a_rejected_annotation_fixed_or_deleted_lets_the_accept_through(in_review, fix):
    rev = reviewer("rev1")
    task = hold(rev, in_review)
    accept_verdicts(task, [], {"b5": "not a car"})
    rows = Annotation.objects.filter(task=task, uuid="b5")
    if fix == "moved":
        rows.update(geometry={"left": 215, "top": 20, "width": 30, "height": 40})
    elif fix == "relabelled":
        rows.update(label="bus")
    else:
        rows.delete()
    res = decide(rev, task, "accept")
    assert res.status_code == 200, res.content
    assert res.json()["status"] == "completed"
    task.refresh_from_db()
    assert task.quality["review"]["status"] == "fixed"
    assert len(deliveries(task)) == 1


# --- the training result page ---------------------------------------------------------------

@pytest.mark.parametrize("second, verdict", [
    (RIGHT, "Training passed</strong>: your mean score is 100 % (pass mark 80 %)"),
    ([], "Training not passed</strong>: your mean score is 50 %, the pass mark 80 %. "
         "Ask an admin"),
])
def test_the_training_result_says_where_the_tasker_stands(api, training_project, image,  # noqa: F811
                                                           client, second, verdict):
    """The result page showed a score and Next, but not which training task this was, nor,
    after the last one, whether the tasker had passed: a failed tasker pressed Next and met
    "No pending tasks"."""
    make_templates(api, image)
    tasker_user = tasker("tina")
    client.force_login(tasker_user)
    first = answer(tasker_user, training_project, RIGHT)
    html = client.get(f"/tasks/{first.task_id}/result/").content.decode()
    assert "Training task 1 of 2: your mean score so far is 100 % (pass mark 80 %)." in html
    assert 'data-training="not_taken"' in html
    last = answer(tasker_user, training_project, second)
    html = client.get(f"/tasks/{last.task_id}/result/").content.decode()
    assert verdict in html


def test_the_training_result_labels_scale_with_the_image(api, training_project, image,  # noqa: F811
                                                          client):
    """On a 960 px image drawn 300 px wide, 14-unit labels were 4 px high: unreadable."""
    make_templates(api, image, count=1)
    tasker_user = tasker("tina")
    client.force_login(tasker_user)
    copy = answer(tasker_user, training_project, RIGHT)
    Task.objects.filter(pk=copy.pk).update(attachment_width=1800, attachment_height=1200)
    html = client.get(f"/tasks/{copy.task_id}/result/").content.decode()
    assert 'font-size="40"' in html and 'font-size="14"' not in html


@pytest.mark.parametrize("decision, said", [("accept", "accepted."),
                                            ("send_back", "sent back for rework.")])
def test_the_review_queue_confirms_the_decision_just_made(in_review, decision, said):
    """After Shift+Enter or Shift+X the page went to the review queue, which said nothing of
    the task just decided (Release says "… went back to the queue")."""
    rev = reviewer("rev1")
    task = hold(rev, in_review)
    client = signed_in(rev)
    res = client.post(f"/tasks/{task.task_id}/review/decide",
                      {"decision": decision, "comment": "Fix the fifth box"},
                      content_type="application/json")
    assert res.status_code == 200, res.content
    page = client.get(res.json()["next_url"]).content.decode()
    assert f"Task {task.task_id} {said}" in page
    assert f"Task {task.task_id}" not in client.get("/review/").content.decode()  # once

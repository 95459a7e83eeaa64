"""Consensus with k = 3, over the API and the workbench's queue (docs/quality.md#merge).

Three taskers annotate one task. A draws a car, a person and a sign; B draws the car two
pixels to the right and misses the sign; C draws the person four pixels lower and labels it
"car". (x, y, width, height):

    car     A (100, 100, 40, 20)   B (102, 100, 40, 20)   C (100, 100, 40, 20)
    person  A (200, 50, 20, 40)    B (200, 50, 20, 40)    C (200, 54, 20, 40) "car"
    sign    A (300, 10, 10, 10)    -                      C (300, 10, 10, 10)

IoUs: car A-B = B-C = 38·20 / (800 + 800 − 760) = 19/21, A-C = 1; person A-B = 1,
A-C = B-C = 20·36 / (800 + 800 − 720) = 9/11; sign A-C = 1.

    object  geometry                      label   agreement   coverage
    car     (19/21 + 1 + 19/21)/3 = 59/63  1       59/63       1
    person  (1 + 9/11 + 9/11)/3 = 29/33    2/3     58/99       1
    sign    1                              1       1           2/3

Task agreement = (59/63 + 58/99 + 2/3) / 3 = 1517/2079 ≈ 0.7297.
Merged: car left = (100 + 102 + 100)/3 = 302/3, person top = (50 + 50 + 54)/3 = 154/3 and
label "person" (2 of 3), sign kept (2·2 ≥ 3); each object takes the uuid of its medoid, A's
(ties go to the earliest answer; the answers are in submission order A, B, C).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from fractions import Fraction

import pytest
from django.utils import timezone

from tasks import jobs
from tasks.models import CallbackDelivery, ConsensusResult, Task, TaskRole, TaskStage
from tasks.quality_flow import merging, presenter
from tests.factories import make_tasker
from tests.quality.gold_flow import (
    box,
    local_receiver,
    png_bytes,
    quality_project,
    run_jobs,
    start,
    submit,
)
from tests.worker.conftest import Receiver

pytestmark = pytest.mark.django_db

A = [box("a-car", "car", 100, 100, 40, 20), box("a-person", "person", 200, 50, 20, 40),
     box("a-sign", "sign", 300, 10, 10, 10)]
B = [box("b-car", "car", 102, 100, 40, 20), box("b-person", "person", 200, 50, 20, 40)]
C = [box("c-car", "car", 100, 100, 40, 20), box("c-person", "car", 200, 54, 20, 40),
     box("c-sign", "sign", 300, 10, 10, 10)]

CAR = Fraction(59, 63)
PERSON = Fraction(29, 33) * Fraction(2, 3)
SIGN = Fraction(1)
AGREEMENT = (CAR + PERSON + SIGN * Fraction(2, 3)) / 3
MERGED = [box("a-car", "car", Fraction(302, 3), 100, 40, 20),
          box("a-person", "person", 200, Fraction(154, 3), 20, 40),
          box("a-sign", "sign", 300, 10, 10, 10)]


def test_the_hand_computed_figures_are_what_the_docstring_says():
    assert Fraction(1517, 2079) == AGREEMENT
    assert Fraction(58, 99) == PERSON


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    with local_receiver(settings) as server:
        yield server


@pytest.fixture
def image(receiver) -> str:
    return receiver.serve_file("/street.png", png_bytes(400, 300))


def create(api, image: str, receiver) -> Task:
    res = api.post("task/imageannotation", {
        "project": "streets", "attachment": image, "callback_url": receiver.url(),
        "geometries": {"box": {"objects_to_annotate": ["car", "person", "sign"]}}})
    assert res.status_code == 200, res.content
    run_jobs()  # the image fetched
    return Task.objects.get(pk=res.json()["task_id"])


def work_all_three(client, project, parent: Task) -> list[Task]:
    """A, B and C each Start and submit their answer, in that order; A's second Start, while
    two replicas are still free, gives A nothing."""
    done = []
    for name, answer in (("alice", A), ("bob", B), ("carol", C)):
        client.force_login(make_tasker(name))
        replica = start(client, project)
        assert replica is not None and replica.parent_id == parent.pk
        assert replica.role == TaskRole.REPLICA and replica not in done
        submit(client, replica, *answer)
        done.append(replica)
        if name == "alice":
            assert start(client, project) is None  # no second replica of one task
    return done


def assert_merged(response: dict) -> None:
    annotations = response["annotations"]
    assert [a["uuid"] for a in annotations] == ["a-car", "a-person", "a-sign"]
    for got, want in zip(annotations, MERGED, strict=True):
        assert got["label"] == want["label"]
        for key in ("left", "top", "width", "height"):
            assert got[key] == pytest.approx(float(want[key])), (want["uuid"], key)


def assert_figures(result: ConsensusResult, replicas: list[Task]) -> None:
    assert result.replicas == [r.task_id for r in replicas]  # submission order
    assert result.agreement == pytest.approx(float(AGREEMENT))
    objects = {o["uuid"]: o for o in result.report["objects"]}
    assert objects["a-car"]["agreement"] == pytest.approx(float(CAR))
    assert objects["a-person"]["geometry"] == pytest.approx(29 / 33)
    assert objects["a-person"]["label_agreement"] == pytest.approx(2 / 3)
    assert objects["a-sign"]["coverage"] == pytest.approx(2 / 3)
    assert objects["a-sign"]["members"] == ["a-sign", None, "c-sign"]
    assert result.report["per_tasker"] == [
        {"missed": 0, "extra": 0, "mislabelled": 0},
        {"missed": 1, "extra": 0, "mislabelled": 0},
        {"missed": 0, "extra": 0, "mislabelled": 1},
    ]
    assert presenter.consensus_block(result.report) == {
        "taskers": 3, "agreement": round(float(AGREEMENT), 4), "kept": 3, "dropped": 0,
        "objects": {"a-car": round(float(CAR), 4), "a-person": round(float(PERSON), 4),
                    "a-sign": 1.0}}


def test_three_taskers_merge_into_one_task_and_one_callback(api, account, image, receiver,
                                                            client):
    project = quality_project(account, consensus_k=3)
    parent = create(api, image, receiver)
    assert parent.stage == TaskStage.CONSENSUS
    assert parent.children.filter(role=TaskRole.REPLICA).count() == 3
    replicas = work_all_three(client, project, parent)
    assert run_jobs()[0] == "merged"
    parent.refresh_from_db()
    assert parent.status == "completed"
    assert_merged(parent.response)
    assert_figures(ConsensusResult.objects.get(task=parent), replicas)
    listing = api.get("tasks", project="streets").json()
    assert listing["total"] == 1 and [d["task_id"] for d in listing["docs"]] == [parent.pk]
    doc = listing["docs"][0]
    assert_merged(doc["response"])
    assert doc["quality"]["consensus"]["agreement"] == round(float(AGREEMENT), 4)
    posts = receiver.posts()
    assert len(posts) == 1 and posts[0].json()["task"]["task_id"] == parent.pk
    assert CallbackDelivery.objects.count() == 1
    # the job queued again (or by the sweeper) merges nothing twice
    jobs.merge_consensus.enqueue(parent.pk)
    assert run_jobs() == ["skipped"]
    assert ConsensusResult.objects.count() == 1


def test_low_agreement_goes_to_review(api, account, image, receiver, client):
    project = quality_project(account, consensus_k=3, consensus_review_below=0.8)
    parent = create(api, image, receiver)
    work_all_three(client, project, parent)
    run_jobs()
    parent.refresh_from_db()
    assert (parent.status, parent.stage) == ("pending", TaskStage.REVIEW)
    # the draft a reviewer opens is the merged response
    assert_merged({"annotations": [a.as_json() for a in parent.annotations.all()]})
    assert parent.sent_back_response is not None
    assert_merged(parent.sent_back_response)
    assert not receiver.posts() and not CallbackDelivery.objects.exists()


def test_agreement_at_the_skip_mark_completes_without_review(api, account, image, receiver,
                                                            client):
    project = quality_project(account, consensus_k=3, review_mode="all",
                              consensus_skip_review_at=0.7)
    parent = create(api, image, receiver)
    work_all_three(client, project, parent)
    run_jobs()
    parent.refresh_from_db()
    assert parent.status == "completed"
    assert_merged(parent.response)
    assert len(receiver.posts()) == 1


def test_the_sweeper_queues_a_lost_merge_again(api, account, image, receiver, client):
    project = quality_project(account, consensus_k=3)
    parent = create(api, image, receiver)
    work_all_three(client, project, parent)
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(task_path__endswith="merge_consensus").delete()  # lost
    assert merging.requeue_stuck() == 0  # the last replica completed a moment ago
    Task.objects.filter(parent=parent).update(
        completed_at=timezone.now() - timedelta(seconds=60))
    assert merging.requeue_stuck() == 1
    assert merging.requeue_stuck() == 0  # queued now
    assert run_jobs()[0] == "merged"
    assert merging.requeue_stuck() == 0


def test_a_merge_that_breaks_a_rule_goes_to_review_with_an_issue(api, account, image,
                                                                  receiver, client):
    """A: a car; B: the same box as a truck with model "x", an attribute only trucks have;
    C: nothing. Kept (2 of 3); the label is a tie, won by the earliest answer (A's car); the
    attribute is kept (1 of 2 members gave it): a car with a truck's attribute breaks a rule
    every answer kept."""
    from tasks.models import Issue

    project = quality_project(account, consensus_k=3)
    res = api.post("task/imageannotation", {
        "project": "streets", "attachment": image, "callback_url": receiver.url(),
        "geometries": {"box": {"objects_to_annotate": ["car", "truck"]}},
        "annotation_attributes": {"model": {
            "type": "category", "description": "Model", "choices": ["x", "y"],
            "conditions": {"label_condition": {"label": "truck"}}}}})
    assert res.status_code == 200, res.content
    run_jobs()
    parent = Task.objects.get(pk=res.json()["task_id"])
    truck = {**box("b-truck", "truck", 100, 100, 40, 20), "attributes": {"model": "x"}}
    for name, answer in (("alice", [box("a-car", "car", 100, 100, 40, 20)]),
                         ("bob", [truck]), ("carol", [])):
        client.force_login(make_tasker(name))
        replica = start(client, project)
        assert replica is not None and replica.parent_id == parent.pk
        submit(client, replica, *answer)
    assert run_jobs()[0] == "broken"
    parent.refresh_from_db()
    assert (parent.status, parent.stage) == ("pending", TaskStage.REVIEW)
    (issue,) = Issue.objects.filter(task=parent)
    assert (issue.x, issue.y, issue.status) == (None, None, "open")
    text = issue.comments.get().text
    assert text.startswith("The merged response breaks a rule: ")
    assert "annotations[0].attributes.model" in text
    assert not receiver.posts()

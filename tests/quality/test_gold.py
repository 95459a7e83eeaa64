"""Gold (evaluation) tasks: served at the project's gold share, scored by the worker against
the expected answer, the tasker flagged under the threshold, and never the customer's
(docs/quality.md).

Four templates expect the same one car box E = (10, 10, 50, 40). The tasker answers:

1. E exactly: one matched pair, IoU 1, right label: 1 / 1 = 1.
2. E plus two boxes far from it: TP 1, FP 2: 1 / (1 + 2 / 2) = 0.5.
3. E labelled "bus": matched (labels never stop a match), q = 1 x 0: 0 / 1 = 0.
4. E exactly: 1.

Mean (1 + 0.5 + 0 + 1) / 4 = 0.625 < 0.8, with 4 answers >= gold_min_answers 4: flagged.
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pytest
from django.utils import timezone

from tasks.models import (
    CallbackDelivery,
    GoldAnswer,
    GoldStandard,
    Task,
    TaskerStanding,
    TaskRole,
    TaskStatus,
)
from tasks.quality_flow import answers, gold, standing
from tests.factories import make_tasker
from tests.quality.gold_flow import (
    box,
    lease,
    local_receiver,
    png_bytes,
    quality_project,
    run_jobs,
    start,
    submit,
)
from tests.worker.conftest import Receiver

pytestmark = pytest.mark.django_db

EXPECTED = box("e", "car", 10, 10, 50, 40)
ANSWERS = [
    [box("a1", "car", 10, 10, 50, 40)],
    [box("a2", "car", 10, 10, 50, 40), box("x1", "car", 200, 200, 20, 20),
     box("x2", "person", 300, 100, 20, 40)],
    [box("a3", "bus", 10, 10, 50, 40)],
    [box("a4", "car", 10, 10, 50, 40)],
]
SCORES = [1.0, 0.5, 0.0, 1.0]


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    with local_receiver(settings) as server:
        yield server


@pytest.fixture
def image(receiver) -> str:
    return receiver.serve_file("/street.png", png_bytes(400, 300))


@pytest.fixture
def project(account):
    return quality_project(account, gold_share=1, gold_threshold=0.8, gold_min_answers=4)


def gold_body(image: str, **extra: object) -> dict:
    return {"project": "streets", "attachment": image, "callback_url": "https://example.com/hook",
            "geometries": {"box": {"objects_to_annotate": ["car", "person", "sign", "bus"]}},
            "expected_response": {"annotations": [EXPECTED]}, **extra}


def make_templates(api, image: str, count: int = 4) -> list[str]:
    ids = []
    for _ in range(count):
        res = api.post("evaluation_tasks/imageannotation", gold_body(image))
        assert res.status_code == 200, res.content
        ids.append(res.json()["id"])
    run_jobs()  # the worker fetches the templates' image
    return ids


def test_four_gold_answers_give_the_hand_scored_mean_and_flag_the_tasker(
        api, account, project, image, client, receiver):
    templates = make_templates(api, image)
    api.post("batches", {"project": "streets", "name": "b1"})
    customer = api.post("task/imageannotation", {
        "project": "streets", "batch": "b1", "attachment": image,
        "callback_url": receiver.url(),
        "geometries": {"box": {"objects_to_annotate": ["car"]}}}).json()
    tasker = make_tasker("tina")
    client.force_login(tasker)
    for n, answer in enumerate(ANSWERS):
        copy = start(client, project)
        assert copy is not None and copy.role == TaskRole.EVALUATION
        assert copy.parent_id == templates[n]  # oldest template first
        submit(client, copy, *answer)
        run_jobs()
        flagged = TaskerStanding.objects.filter(project=project, user=tasker,
                                                flagged_at__isnull=False).exists()
        assert flagged == (n == 3)  # no flag before 4 answers
    answers = GoldAnswer.objects.filter(user=tasker).order_by("answered_at", "pk")
    assert [a.score for a in answers] == pytest.approx(SCORES)
    assert [a.standard.template_id for a in answers] == templates
    mean, count = standing.gold_mean(project, tasker, 20)
    assert (mean, count) == (pytest.approx(0.625), 4)
    row = standing.of(project, tasker)
    assert row is not None and row.flag_reason == "gold" and row.paused_at is None
    # every template answered: the customer's task comes next, and its completion is the
    # one callback there is
    task = start(client, project)
    assert task is not None and task.task_id == customer["task_id"]
    submit(client, task, box("c", "car", 1, 1, 10, 10))
    run_jobs()
    assert [p.json()["task"]["task_id"] for p in receiver.posts()] == [customer["task_id"]]
    assert not CallbackDelivery.objects.exclude(task__role=TaskRole.CUSTOMER).exists()
    assert_hidden_from_the_customer(api, templates, customer["task_id"])


def assert_hidden_from_the_customer(api, templates: list[str], customer_id: str) -> None:
    copies = list(Task.objects.filter(parent_id__in=templates).values_list("task_id", flat=True))
    assert len(copies) == 4
    assert Task.objects.filter(pk__in=copies, status=TaskStatus.COMPLETED).count() == 4
    listing = api.get("tasks", project="streets").json()
    assert [doc["task_id"] for doc in listing["docs"]] == [customer_id]
    assert listing["total"] == 1
    for hidden in [*templates, *copies]:
        assert api.get(f"task/{hidden}").status_code == 404
    status = api.get("batches/b1/status").json()
    assert (status["completed"], status["pending"]) == (1, 0)
    export = api.get("exports/scale", project="streets")
    lines = b"".join(export.streaming_content).splitlines()
    assert [orjson.loads(line)["task_id"] for line in lines] == [customer_id]


def test_gold_share_zero_serves_no_gold(api, account, image, client):
    project = quality_project(account, gold_share=0)
    make_templates(api, image, count=1)
    customer = api.post("task/imageannotation", {
        "project": "streets", "attachment": image,
        "geometries": {"box": {"objects_to_annotate": ["car"]}}}).json()
    client.force_login(make_tasker("tina"))
    task = start(client, project)
    assert task is not None and task.task_id == customer["task_id"]


def test_a_released_copy_is_served_again_and_an_answered_one_never(api, account, project, image):
    (template,) = make_templates(api, image, count=1)
    tasker, other = make_tasker("tina"), make_tasker("otto")
    copy = serve_and_lease(tasker, project)
    assert copy.parent_id == template and copy.role == TaskRole.EVALUATION
    # the copy is a task like any: its own row, the template's params and prelabels
    assert copy.params == Task.objects.get(pk=template).params
    assert copy.batch_id is None and copy.callback_url == ""
    from tasks import queue

    assert queue.release(copy, tasker)
    assert serve_and_lease(tasker, project).pk == copy.pk  # not a second copy
    assert serve_and_lease(other, project).pk != copy.pk  # another tasker: their own copy
    from tasks import lifecycle

    copy.refresh_from_db()
    lifecycle.complete_task(copy, {"annotations": [EXPECTED]}, by=tasker)
    assert gold.serve(tasker, project, copy.created_at) is None


def serve_and_lease(user, project) -> Task:
    """What the queue does with a served copy: lease it in the claim's transaction."""
    from django.db import transaction


    with transaction.atomic():
        now = timezone.now()
        copy = gold.serve(user, project, now)
        assert copy is not None
        lease(copy, user, now)
    return copy


def test_scoring_runs_once_in_the_worker(api, account, project, image, client):
    (template,) = make_templates(api, image, count=1)
    tasker = make_tasker("tina")
    copy = serve_and_lease(tasker, project)
    from tasks import jobs, lifecycle

    lifecycle.complete_task(copy, {"annotations": ANSWERS[1]}, by=tasker)
    jobs.score_answer.enqueue(copy.task_id)
    jobs.score_answer.enqueue(copy.task_id)
    assert run_jobs() == ["scored 0.5000", "skipped"]
    answer = GoldAnswer.objects.get(copy=copy)
    assert answer.standard == GoldStandard.objects.get(template_id=template)
    assert (answer.kind, answer.phase, answer.user, answer.project) == (
        "evaluation", "work", tasker, project)
    assert answer.details["extra"] == 2 and answer.details["matched"] == 1
    # a gold copy has no result page: only training shows the expected answer
    client.force_login(tasker)
    assert client.get(f"/tasks/{copy.task_id}/result/").status_code == 404
    assert client.get(f"/tasks/{copy.task_id}/result.json").status_code == 404


def test_review_phase_copies_start_from_the_initial_response(api, account, project, image):
    initial = {"annotations": [box("i1", "bus", 10, 10, 50, 40)]}
    res = api.post("evaluation_tasks/imageannotation",
                   gold_body(image, initial_response=initial))
    assert res.json()["phase"] == "review"
    reviewer = make_tasker("rita")
    copy = gold.serve_review(reviewer, project, timezone.now())
    assert copy is not None and copy.stage == "review"
    assert [a.as_json() for a in copy.annotations.all()] == initial["annotations"]
    assert copy.sent_back_response == initial
    # work-phase gold is served to taskers only from work-phase templates
    assert gold.serve(reviewer, project, copy.created_at) is None


@pytest.mark.parametrize("path,extra,fragment", [
    ("evaluation_tasks/imageannotation", {"project": None}, "project parameter"),
    ("evaluation_tasks/imageannotation", {"expected_response": None}, "expected_response"),
    ("evaluation_tasks/imageannotation", {"batch": "b"}, "batch is not used"),
    ("evaluation_tasks/imageannotation", {"unique_id": "u"}, "unique_id is not used"),
    ("evaluation_tasks/imageannotation",
     {"expected_response": {"annotations": [{**EXPECTED, "label": "cat"}]}},
     "expected_response.annotations[0].label"),
    ("evaluation_tasks/imageannotation",
     {"initial_response": {"annotations": [{**EXPECTED, "width": -1}]}},
     "initial_response.annotations[0]"),
    ("training_tasks/imageannotation", {"initial_response": {"annotations": []}},
     "initial_response is for evaluation tasks"),
    ("evaluation_tasks/videoannotation", {}, "available for imageannotation"),
    ("training_tasks/nosuchtype", {}, 'Task type "nosuchtype"'),
    ("evaluation_tasks/imageannotation", {"geometries": {"hexagon": {}}}, "hexagon"),
])
def test_the_endpoints_refuse_bad_bodies_by_name(api, project, path, extra, fragment):
    body = {k: v for k, v in {**gold_body("https://example.com/a.png"), **extra}.items()
            if v is not None}
    res = api.post(path, body)
    assert res.status_code == 400, res.content
    assert fragment in res.json()["error"] and res.json()["status_code"] == 400
    assert not Task.objects.exists()


def test_the_endpoints_answer_as_scale_does(api, project):
    res = api.post("training_tasks/imageannotation", gold_body("https://example.com/a.png"))
    data = res.json()
    assert res.status_code == 200
    assert set(data) == {"id", "kind", "phase", "type", "project", "created_at", "params",
                         "expected_response"}
    assert (data["kind"], data["phase"], data["project"]) == ("training", "work", "streets")
    assert data["expected_response"] == {"annotations": [EXPECTED]}
    template = Task.objects.get(pk=data["id"])
    assert (template.role, template.stage, template.batch_id) == ("training", "template", None)
    assert template.gold.kind == "training"
    assert api.get(f"task/{data['id']}").status_code == 404


def test_use_as_gold_makes_a_template_of_an_accepted_task(api, account, project, admin_client):
    from django.urls import reverse

    from tasks import lifecycle

    made = [api.post("task/imageannotation", {
        "project": "streets", "attachment": "https://example.com/a.png",
        "geometries": {"box": {"objects_to_annotate": ["car"]}}}).json()["task_id"]
        for _ in range(2)]
    accepted, unaudited = (Task.objects.get(pk=pk) for pk in made)
    for task in (accepted, unaudited):
        lifecycle.complete_task(task, {"annotations": [EXPECTED]})
    api.post(f"task/{accepted.pk}/audit", {"accepted": True})
    url = reverse("admin:tasks_task_changelist")
    res = admin_client.post(url, {"action": "use_as_gold", "_selected_action": made},
                            follow=True)
    text = res.content.decode()
    assert "1 gold task made" in text and "it was not accepted" in text
    standard = GoldStandard.objects.get()
    assert (standard.origin_id, standard.kind, standard.phase) == (accepted.pk, "evaluation",
                                                                   "work")
    assert standard.expected_response == {"annotations": [EXPECTED]}
    template = standard.template
    assert (template.role, template.stage, template.parent_id) == ("evaluation", "template",
                                                                    None)
    assert template.params == accepted.params and template.project_id == project.pk
    # a second time: refused, it is gold already
    res = admin_client.post(url, {"action": "use_as_gold", "_selected_action": [accepted.pk]},
                            follow=True)
    assert "it is gold already" in res.content.decode()
    # the answer keys' admin: answers and mean score, and deactivation
    listing = admin_client.get(reverse("admin:tasks_goldstandard_changelist"))
    assert listing.status_code == 200 and template.pk in listing.content.decode()
    admin_client.post(reverse("admin:tasks_goldstandard_changelist"),
                      {"action": "deactivate", "_selected_action": [standard.pk]})
    standard.refresh_from_db()
    assert standard.active is False
    assert gold.serve(make_tasker("tina"), project, timezone.now()) is None


def test_the_sweeper_queues_a_lost_score_again(api, account, project, image):
    from datetime import timedelta

    from django_tasks_db.models import DBTaskResult

    from tasks import lifecycle

    make_templates(api, image, count=1)
    tasker = make_tasker("tina")
    copy = serve_and_lease(tasker, project)
    lifecycle.complete_task(copy, {"annotations": [EXPECTED]}, by=tasker)
    assert answers.requeue_unscored() == 0  # finished a moment ago: its job is on the way
    Task.objects.filter(pk=copy.pk).update(completed_at=timezone.now() - timedelta(minutes=1))
    assert answers.requeue_unscored() == 1
    assert answers.requeue_unscored() == 0  # queued now
    rows = list(DBTaskResult.objects.filter(task_path="tasks.jobs.score_answer"))
    assert len(rows) == 1
    from tasks.worker_pool import job_owners

    # shared fairly between accounts like the other jobs of a task (tasks/worker_pool.py)
    assert job_owners(rows) == {str(rows[0].pk): account.pk}
    assert run_jobs() == ["scored 1.0000"]
    assert answers.requeue_unscored() == 0


def test_flags_follow_the_window_and_pausing_is_the_admins(api, account, image):
    """Window 2, at least 2 answers, threshold 0.8, pause when flagged: 0.5 and 0.5 flag and
    pause; 1 and 1 then bring the window's mean to 1: the flag goes, the pause stays until
    an admin lifts it."""
    from datetime import timedelta

    project = quality_project(account, gold_threshold=0.8, gold_min_answers=2, gold_window=2,
                              pause_when_flagged=True)
    (template,) = make_templates(api, image, count=1)
    standard = GoldStandard.objects.get(template_id=template)
    tasker, admin_user = make_tasker("tina"), make_tasker("boss")
    start_at = timezone.now()
    for n, score in enumerate([0.5, 0.5, 1.0, 1.0]):
        answer = GoldAnswer.objects.create(
            copy=gold.make_copy(standard, start_at), standard=standard, project=project,
            user=tasker, kind="evaluation", phase="work", score=score,
            answered_at=start_at + timedelta(seconds=n))
        standing.after_gold_answer(answer)
        row = standing.of(project, tasker)
        if n == 0:
            assert row is None  # one answer: too few to judge
        elif n == 1:
            assert row is not None and row.flag_reason == "gold" and row.paused_at is not None
            assert standing.is_paused(tasker, project)
        else:
            assert row is not None
            assert (row.flagged_at is None) == (n == 3)  # the window is 0.5, 1 at n == 2
    assert standing.is_paused(tasker, project)
    standing.unpause(project, tasker)
    assert not standing.is_paused(tasker, project)
    standing.pause(project, tasker, by=admin_user)
    row = standing.of(project, tasker)
    assert row is not None and row.paused_by == admin_user and standing.is_paused(tasker, project)


def test_a_reviewer_is_scored_on_what_they_caught(api, account, project, image):
    """The initial answer calls the car a bus. The reviewer rejects it and draws the car: the
    answer scored is the draft without the rejected annotation, the car alone: 1. (With the
    bus left in, it would be an extra object: 1 / 1.5.)"""
    from tasks import lifecycle
    from tasks.models import AnnotationVerdict, ReviewRound

    res = api.post("evaluation_tasks/imageannotation", gold_body(
        image, initial_response={"annotations": [box("i1", "bus", 10, 10, 50, 40)]}))
    run_jobs()
    reviewer = make_tasker("rita")
    copy = gold.serve_review(reviewer, project, timezone.now())
    assert copy is not None and copy.parent_id == res.json()["id"]
    lease(copy, reviewer, timezone.now())
    (round_,) = ReviewRound.objects.filter(task=copy)
    assert round_.worked_by is None and round_.verdict == ""
    AnnotationVerdict.objects.create(round=round_, uuid="i1", verdict="rejected",
                                     reason="a car")
    final = {"annotations": [box("i1", "bus", 10, 10, 50, 40), box("r1", "car", 10, 10, 50, 40)]}
    lifecycle.complete_task(copy, final, by=reviewer)
    answer = answers.score(copy)
    assert (answer.score, answer.kind, answer.phase, answer.user) == (1.0, "evaluation",
                                                                      "review", reviewer)
    assert standing.of(project, reviewer) is None  # review answers never flag a tasker

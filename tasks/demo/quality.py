"""The demo's quality loop (docs/quality.md): a reviewer, two more taskers and two projects.

* "demo-review": every task reviewed (`review_mode=all`) and consensus k = 3, so a task is
  worked by three taskers (tasker, ann, ben) before its merge goes to the reviewer.
* "demo-gold": half of the tasks reviewed, gold share 0.25 and training required: four gold
  (evaluation) tasks, one review-phase gold task (the reviewer is scored on what they catch)
  and two training tasks. One task waits in review with a rejected box and a pinned issue
  (the README's review screenshot, scripts/screenshots.py).

Both hold twelve days of past work (tasks.demo.history) so that the admin's quality pages
show figures. The tasks are created through `tasks.lifecycle` like the other demo tasks; the
gold and training tasks as the API's /v1/evaluation_tasks and /v1/training_tasks make them
(`prepare_create` + `insert_prepared` as a template, and its `GoldStandard`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from tasks import kinds, lifecycle, projects
from tasks.accounts import ensure_reviewer, ensure_tasker
from tasks.demo import history
from tasks.demo.answers import centre, drawn_by, expected
from tasks.demo.bodies import geometry
from tasks.demo.scenes import Scene, draw_scene, make_scene
from tasks.files import store_file
from tasks.models import (
    AnnotationVerdict,
    GoldStandard,
    Issue,
    IssueComment,
    ProjectQuality,
    ReviewRound,
    Task,
)
from tasks.quality_flow import presenter

REVIEW_PROJECT = "demo-review"
GOLD_PROJECT = "demo-gold"
REVIEWER, REVIEWER_PASSWORD = "reviewer", "reviewer"
HELPERS = ("ann", "ben")  # taskers whose password is their name: consensus needs three
FIRST_SCENE, IMAGE_COUNT = 20, 4  # scenes 20-23 (the project "demo" draws 0-19)
LIVE_TASKS = 4


@dataclass
class Image:
    scene: Scene
    url: str


def load_quality(owner: Any, tasker: Any) -> None:
    cast = _cast(tasker)
    images = _images(owner)
    _review_project(owner, cast, images)
    _gold_project(owner, cast, images)


def _cast(tasker: Any) -> history.Cast:
    users = get_user_model().objects
    helpers = [ensure_tasker(name, name)[0] for name in HELPERS]
    cleo = users.filter(username="cleo").first() or users.create_user("cleo")  # no password
    return history.Cast(tasker=tasker, ann=helpers[0], ben=helpers[1], cleo=cleo,
                        reviewer=ensure_reviewer(REVIEWER, REVIEWER_PASSWORD)[0])


def _images(owner: Any) -> list[Image]:
    images = []
    for index in range(FIRST_SCENE, FIRST_SCENE + IMAGE_COUNT):
        scene = make_scene(index)
        upload = store_file(owner=owner, is_test=False, data=draw_scene(scene), fields={
            "display_name": f"street-{index:02d}.png", "project_name": GOLD_PROJECT,
            "reference_id": f"demo-street-{index:02d}"})
        images.append(Image(scene, upload.attachment_url))
    return images


def body(project: str, image: Image, **extra: Any) -> dict:
    return {"project": project, "attachment": image.url, "attachment_type": "image",
            "instruction": "Draw a box around every vehicle and pick its type.",
            "geometries": {"box": geometry("box")}, "metadata": {"source": "tasks.demo"},
            **extra}


def create(project: str, image: Image, owner: Any) -> Task:
    return lifecycle.create_task(owner=owner, is_test=False, task_type=kinds.IMAGE,
                                 body=body(project, image))


def _project(owner: Any, name: str, cast: history.Cast) -> Any:
    project = projects.create_project(owner=owner, is_test=False,
                                      body={"type": kinds.IMAGE, "name": name})
    project.taskers.add(cast.tasker, cast.ann, cast.ben, cast.cleo)
    project.reviewers.add(cast.reviewer)
    return project


# --- demo-review ---------------------------------------------------------------------------

def _review_project(owner: Any, cast: history.Cast, images: list[Image]) -> None:
    project = _project(owner, REVIEW_PROJECT, cast)
    for days_ago in range(history.HISTORY_DAYS, 0, -1):
        image = images[days_ago % len(images)]
        history.seed_consensus(create(REVIEW_PROJECT, image, owner), image.scene, cast,
                               days_ago)
    # On from here: the history above was k = 3 work made by hand; new tasks get replicas.
    ProjectQuality.objects.create(project=project, review_mode="all", consensus_k=3)
    for i in range(LIVE_TASKS):
        create(REVIEW_PROJECT, images[i % len(images)], owner)


# --- demo-gold -----------------------------------------------------------------------------

def template(owner: Any, image: Image, kind: str, phase: str = "work") -> GoldStandard:
    """A gold or training task as the API makes one: a template row and its answer key."""
    prepared = lifecycle.prepare_create(owner=owner, is_test=False, task_type=kinds.IMAGE,
                                        body=body(GOLD_PROJECT, image))
    row = lifecycle.insert_prepared(prepared, role=kind, stage="template")
    initial = drawn_by(image.scene, "model", shift=5, mislabel=0) if phase == "review" else None
    return GoldStandard.objects.create(template=row, kind=kind, phase=phase,
                                       expected_response=expected(image.scene),
                                       initial_response=initial, active=True)


def _gold_project(owner: Any, cast: history.Cast, images: list[Image]) -> None:
    project = _project(owner, GOLD_PROJECT, cast)
    for days_ago in range(history.HISTORY_DAYS, 0, -1):
        image = images[days_ago % len(images)]
        worker = cast.ann if days_ago % 4 in (0, 1) else cast.ben
        history.seed_single(create(GOLD_PROJECT, image, owner), image.scene, worker,
                            worker == cast.ben, cast, days_ago)
    gold = [template(owner, image, "evaluation") for image in images]
    review_gold = template(owner, images[0], "evaluation", phase="review")
    training = [template(owner, image, "training") for image in images[:2]]
    history.seed_gold(gold, [i.scene for i in images], cast)
    history.seed_review_gold(review_gold, images[0].scene, cast)
    history.seed_training(training, [i.scene for i in images[:2]], cast)
    history.seed_standings(project, cast)
    ProjectQuality.objects.create(project=project, review_mode="sample", review_percent=50,
                                  gold_share=0.25, gold_min_answers=3,
                                  training_required=True)
    in_review(create(GOLD_PROJECT, images[1], owner), images[1].scene, cast)
    for i in range(LIVE_TASKS):
        create(GOLD_PROJECT, images[(i + 2) % len(images)], owner)


def in_review(task: Task, scene: Scene, cast: history.Cast) -> None:
    """Ann's answer, submitted an hour ago, waiting in review: the reviewer has rejected the
    mislabelled first box and pinned an issue on it (written with the ORM, as the review
    page's operations would)."""
    now = timezone.now()
    work = drawn_by(scene, "ann", shift=1, mislabel=0)
    history.attempt(task, cast.ann, "work", now - dt.timedelta(hours=1), 4, "submitted")
    lifecycle.load_response(task, work)
    Task.objects.filter(pk=task.pk).update(stage="review", sent_back_response=work,
                                           work_started=True)
    task.refresh_from_db()
    round_ = ReviewRound.objects.create(task=task, number=1, source="internal",
                                        worked_by=cast.ann, reviewer=cast.reviewer,
                                        work_response=work, created_at=now)
    box, right = work["annotations"][0], expected(scene)["annotations"][0]["label"]
    AnnotationVerdict.objects.create(
        round=round_, uuid=box["uuid"], annotation=box, verdict="rejected",
        reason=f"Wrong type: this is a {right.lower()}, not a {box['label'].lower()}")
    x, _ = centre(box)
    issue = Issue.objects.create(task=task, uuid=str(uuid.uuid5(uuid.NAMESPACE_URL, task.pk)),
                                 round=round_, x=x, y=box["top"] + box["height"] / 4,
                                 annotation_uuid=box["uuid"], status="open",
                                 source="internal", opened_by=cast.reviewer, opened_at=now)
    IssueComment.objects.create(issue=issue, author=cast.reviewer, created_at=now,
                                text=f"Look at the roof line: is this really a "
                                     f"{box['label'].lower()}?")
    Task.objects.filter(pk=task.pk).update(quality=presenter.summary(
        task, stage="review", review_status=presenter.PENDING))

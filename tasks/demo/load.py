"""Demo data: accounts, the project "demo", a batch and twenty street scenes drawn with Pillow,
the project "demo-video" with one forty-frame video task (tasks.demo.video), the project
"demo-segmentation" with three landscapes to paint (tasks.demo.segmentation), and the quality
loop's reviewer and projects "demo-review" and "demo-gold" with their history
(tasks.demo.quality), and the assist-ready project "demo-assist" (tasks.demo.assist).

Each scene is generated from its index (so every run draws the same pictures) and keeps the
exact geometry of what it drew, which is what the tasks' hypothesis, base annotations and
layers are made of. The tasks are created through `tasks.lifecycle`, with the JSON bodies an
API client would send, so the demo is also a worked example of the create call.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from tasks import kinds, lifecycle, projects
from tasks.accounts import TASKERS_GROUP, ensure_tasker, get_or_create_account
from tasks.demo.assist import load_assist
from tasks.demo.bodies import ACCOUNT, BATCH, PROJECT, task_body
from tasks.demo.quality import load_quality
from tasks.demo.scenes import SCENE_COUNT, draw_scene, make_scene
from tasks.demo.segmentation import create_segmentation_tasks
from tasks.demo.tenancy import load_workforce
from tasks.demo.video import create_video_task
from tasks.files import store_file
from tasks.models import ApiKey, Project

PROJECT_PARAMS = {"instruction": "These are drawn street scenes: label what the task asks "
                                 "for, as precisely as the image allows."}


@dataclass
class DemoResult:
    created: bool
    task_count: int = 0
    live_key: str = ""
    test_key: str = ""
    notes: list[str] = field(default_factory=list)


def is_loaded() -> bool:
    return Project.objects.filter(owner__username=ACCOUNT, name=PROJECT, is_test=False).exists()


def load() -> DemoResult:
    """Load the demo once; a second call changes nothing."""
    if is_loaded():
        return DemoResult(created=False)
    result = DemoResult(created=True)
    with transaction.atomic():
        owner = _accounts(result)
        project = projects.create_project(owner=owner, is_test=False, body={
            "type": kinds.IMAGE, "name": PROJECT, "params": PROJECT_PARAMS})
        projects.create_batch(owner=owner, is_test=False,
                               body={"project": PROJECT, "name": BATCH})
        tasker = get_user_model().objects.get(username="tasker")
        project.taskers.add(tasker)
        result.task_count = _create_tasks(owner)
        create_video_task(owner, tasker)
        create_segmentation_tasks(owner, tasker)
        load_quality(owner, tasker)
        load_workforce(owner)
        load_assist(owner, tasker)
    return result


def _accounts(result: DemoResult):
    users = get_user_model().objects
    if not users.filter(username="admin").exists():
        users.create_superuser("admin", "admin@example.com", "admin")
    else:
        result.notes.append("User admin already existed; its password was left alone.")
    tasker = users.filter(username="tasker").first()
    if tasker is None:
        ensure_tasker("tasker", "tasker")
    else:
        tasker.groups.add(Group.objects.get_or_create(name=TASKERS_GROUP)[0])
        result.notes.append("User tasker already existed; its password was left alone.")
    owner, _ = get_or_create_account(ACCOUNT)
    _, result.live_key = ApiKey.issue(owner, is_test=False, name="demo live key")
    _, result.test_key = ApiKey.issue(owner, is_test=True, name="demo test key")
    return owner


def _create_tasks(owner) -> int:
    previous = None
    for index in range(SCENE_COUNT):
        scene = make_scene(index)
        upload = store_file(owner=owner, is_test=False, data=draw_scene(scene), fields={
            "display_name": f"street-{index:02d}.png", "project_name": PROJECT,
            "reference_id": f"demo-street-{index:02d}"})
        body = task_body(scene, upload.attachment_url, previous)
        lifecycle.create_task(owner=owner, is_test=False, task_type=kinds.IMAGE,
                              body=body)
        previous = upload.attachment_url
    return SCENE_COUNT

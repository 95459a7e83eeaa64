"""The demo's workforce (docs/workforce.md): every demo person is a member of the demo
account, a manager sees it in the admin, and a second account, "partner", owns its own project
and its own tasker, so that tenancy shows: the demo's taskers never see the partner's project,
nor the partner's tasker the demo's."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from tasks import kinds, lifecycle, projects, workforce
from tasks.accounts import ensure_tasker, get_or_create_account
from tasks.demo.scenes import draw_scene, make_scene
from tasks.files import store_file
from tasks.models import TeamRole

PARTNER_ACCOUNT = "partner"
PARTNER_PROJECT = "partner-streets"
PARTNER_TASKER = "otto"  # password: the same
MANAGER = "manager"  # password: the same; manages the demo account in the admin
PARTNER_TASKS = 3
FIRST_SCENE = 30  # scenes 30-32 (the demo's projects draw 0-23)
DEMO_PEOPLE = ("tasker", "ann", "ben", "cleo", "reviewer")


def load_workforce(owner: Any) -> None:
    """Memberships of the demo account, its manager, and the partner account."""
    users = get_user_model().objects
    for person in users.filter(username__in=DEMO_PEOPLE):
        workforce.ensure_member(owner, person)
    manager = users.filter(username=MANAGER).first()
    if manager is None:
        manager = users.create_user(MANAGER, password=MANAGER)
    workforce.ensure_member(owner, manager, role=TeamRole.MANAGER)
    _partner()


def _partner() -> None:
    partner, _ = get_or_create_account(PARTNER_ACCOUNT)
    projects.create_project(owner=partner, is_test=False, body={
        "type": kinds.IMAGE, "name": PARTNER_PROJECT,
        "params": {"instruction": "The partner's own street scenes: box every car."}})
    for index in range(FIRST_SCENE, FIRST_SCENE + PARTNER_TASKS):
        upload = store_file(owner=partner, is_test=False, data=draw_scene(make_scene(index)),
                            fields={"display_name": f"partner-{index:02d}.png",
                                    "project_name": PARTNER_PROJECT})
        lifecycle.create_task(owner=partner, is_test=False, task_type=kinds.IMAGE, body={
            "project": PARTNER_PROJECT, "attachment": upload.attachment_url,
            "instruction": "Box every car.",
            "geometries": {"box": {"objects_to_annotate": ["Car"]}}})
    otto, _ = ensure_tasker(PARTNER_TASKER, PARTNER_TASKER)
    workforce.ensure_member(partner, otto)

"""The demo's "demo-assist" project: drawn street scenes with nothing prelabelled, polygon and
box geometries, and no model backend, so the Assist tool's built-in OpenCV assists answer
(docs/assist.md). Naming a model backend on the project (admin or API) switches box and click
prompts, and new tasks' prelabels, to it."""

from __future__ import annotations

from tasks import kinds, lifecycle, projects
from tasks.demo.scenes import draw_scene, make_scene
from tasks.files import store_file

PROJECT = "demo-assist"
TASK_COUNT = 3
FIRST_SCENE = 20  # scenes the "demo" project does not use
LABELS = ["vehicle", "person", "sign", "road"]
PARAMS = {"instruction": "Outline every vehicle, person and sign with the Assist tool: a box "
                         "around it, or a click inside; Enter accepts the shape.",
          "geometries": {"polygon": {"objects_to_annotate": LABELS, "max_vertices": 40},
                         "box": {"objects_to_annotate": LABELS}}}


def load_assist(owner, tasker) -> int:
    project = projects.create_project(owner=owner, is_test=False, body={
        "type": kinds.IMAGE, "name": PROJECT, "params": PARAMS})
    project.taskers.add(tasker)
    for index in range(FIRST_SCENE, FIRST_SCENE + TASK_COUNT):
        upload = store_file(owner=owner, is_test=False, data=draw_scene(make_scene(index)),
                            fields={"display_name": f"assist-{index:02d}.png",
                                    "project_name": PROJECT,
                                    "reference_id": f"demo-assist-{index:02d}"})
        lifecycle.create_task(owner=owner, is_test=False, task_type=kinds.IMAGE, body={
            "project": PROJECT, "attachment": upload.attachment_url,
            "unique_id": f"demo-assist-{index:02d}"})
    return TASK_COUNT

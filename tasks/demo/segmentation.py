"""The demo's segmentation project: drawn landscapes (sky, hills, a road, cars) to paint
pixel by pixel.

Each scene is drawn with Pillow from its index, and so is its hypothesis mask (one per scene,
since the hills differ): the sky and the road are prelabelled (in the hypothesis file's own
values, mapped by its labelMapping), the hills, the grass and the cars are left unlabeled for
the tasker. The images and masks are uploaded as files, so `make run` needs no network.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw

from tasks import kinds, lifecycle, projects
from tasks.files import store_file

SEGMENT_PROJECT = "demo-segmentation"
SEGMENT_TASKS = 3
SIZE = (640, 400)
HORIZON = 170
LABELS = ["sky", "road", {"choice": "terrain", "subchoices": ["hill", "grass"]},
          {"choice": "car", "instance_label": True}]
# The hypothesis file's values (Scale's labelMapping names them): not the task's indices.
FILE_VALUES = {"sky": 7, "road": 9}


def road_polygon() -> list[tuple[int, int]]:
    width, height = SIZE
    return [(width // 2 - 30, HORIZON), (width // 2 + 30, HORIZON), (width - 60, height),
            (60, height)]


def hill_polygons(n: int) -> list[list[tuple[int, int]]]:
    """The two hills of scene `n` (their height depends on `n`), left then right."""
    peak = 60 + 25 * n
    return [[(0, HORIZON), (160, peak), (330, HORIZON)],
            [(260, HORIZON), (470, peak + 40), (SIZE[0], HORIZON)]]


def draw_scene(n: int) -> bytes:
    """Scene `n`: sky, hills whose height depends on `n`, grass, a road and two cars."""
    width, height = SIZE
    image = Image.new("RGB", SIZE, (140, 190, 235))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, HORIZON, width, height), fill=(90, 160, 80))
    left_hill, right_hill = hill_polygons(n)
    draw.polygon(left_hill, fill=(70, 110, 70))
    draw.polygon(right_hill, fill=(60, 100, 65))
    draw.polygon(road_polygon(), fill=(105, 105, 110))
    for left in (250 + 20 * n, 360 - 10 * n):
        top = 300 + (left % 40)
        draw.rectangle((left, top, left + 60, top + 30), fill=(200, 40 + 50 * n, 40))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def hypothesis_mask(n: int) -> bytes:
    """Scene `n`'s prelabels, in the file's own values: the sky above the horizon but for
    the hills (drawn with the same polygons as the scene, so to the pixel), and the road."""
    mask = Image.new("L", SIZE, 0)
    draw = ImageDraw.Draw(mask)
    draw.rectangle((0, 0, SIZE[0], HORIZON - 1), fill=FILE_VALUES["sky"])
    for hill in hill_polygons(n):
        draw.polygon(hill, fill=0)
    draw.polygon(road_polygon(), fill=FILE_VALUES["road"])
    out = io.BytesIO()
    mask.save(out, "PNG")
    return out.getvalue()


def segmentation_body(image: str, mask: str, n: int) -> dict:
    return {
        "project": SEGMENT_PROJECT,
        "instruction": "Paint **every pixel**: sky, road, hills, grass, and each car as an "
                       "instance of its own. The sky and the road are prelabelled: check "
                       "their edges.",
        "attachment": image,
        "labels": LABELS,
        "annotation_attributes": {"parked": {"type": "category", "description": "Parked?",
                                             "choices": ["yes", "no"]}},
        "hypothesis": {"labelMapping": {name: {"index": value}
                                        for name, value in FILE_VALUES.items()},
                       "annotations": {"combined": {"indexedImage": mask}}},
        "metadata": {"demo": "segmentation", "scene": n},
    }


def create_segmentation_tasks(owner, tasker) -> int:
    project = projects.create_project(owner=owner, is_test=False, body={
        "type": kinds.SEGMENT, "name": SEGMENT_PROJECT})
    project.taskers.add(tasker)
    for n in range(SEGMENT_TASKS):
        mask = store_file(owner=owner, is_test=False, data=hypothesis_mask(n), fields={
            "display_name": f"landscape-{n}-prelabels.png", "project_name": SEGMENT_PROJECT,
            "reference_id": f"demo-segmentation-mask-{n}"}).attachment_url
        image = store_file(owner=owner, is_test=False, data=draw_scene(n), fields={
            "display_name": f"landscape-{n}.png", "project_name": SEGMENT_PROJECT,
            "reference_id": f"demo-segmentation-{n}"}).attachment_url
        lifecycle.create_task(owner=owner, is_test=False, task_type=kinds.SEGMENT,
                              body=segmentation_body(image, mask, n))
    return SEGMENT_TASKS


def expected_hypothesis(n: int) -> np.ndarray:
    """Scene `n`'s hypothesis in the task's indices (sky = 1, road = 2, 0 elsewhere): what
    the page starts from."""
    mask = np.asarray(Image.open(io.BytesIO(hypothesis_mask(n))))
    return np.select([mask == FILE_VALUES["sky"], mask == FILE_VALUES["road"]], [1, 2], 0) \
        .astype(np.uint8)

"""Tasks with known annotations of every type, for the export and stats tests."""

from __future__ import annotations

import io

from PIL import Image

from tasks import lifecycle, projects
from tasks.files import store_file
from tasks.models import Task
from tasks.rules.geometry import ellipse_extremes

WIDTH, HEIGHT = 200, 100

GEOMETRIES = {
    "box": {"objects_to_annotate": [{"choice": "vehicle", "subchoices": ["car", "bus"]}],
            "can_rotate": True},
    "polygon": {"objects_to_annotate": ["road"]},
    "line": {"objects_to_annotate": ["lane"]},
    "point": {"objects_to_annotate": ["head"]},
    "ellipse": {"objects_to_annotate": ["sign"]},
    "cuboid": {"objects_to_annotate": ["truck"]},
}
ATTRIBUTES = {
    "occluded": {"type": "category", "choices": ["yes", "no"]},
    "weather": {"type": "category", "choices": ["sunny", "rainy"],
                "conditions": {"is_global": True}},
}
LINKS = {"follows": [{"from_allowed_labels": ["car"], "to_allowed_labels": ["bus"]}]}
PARAMS = {"geometries": GEOMETRIES, "annotation_attributes": ATTRIBUTES, "links": LINKS}

POLYGON = [(0, 80), (50, 60), (120, 90), (60, 99)]
CUBOID = {"face-topleft": (20, 40), "face-bottomleft": (20, 80), "face-topright": (60, 40),
          "face-bottomright": (60, 80), "side-topcorner": (80, 30), "side-bottomcorner": (80, 70)}


def shoelace(points: list[tuple[float, float]]) -> float:
    pairs = zip(points, [*points[1:], points[0]], strict=True)
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairs)) / 2


def vertices(points) -> list[dict]:
    return [{"x": x, "y": y} for x, y in points]


def annotations() -> list[dict]:
    """One annotation of every type (uuids fixed), and what their areas are."""
    return [
        {"uuid": "box-1", "type": "box", "label": "car", "left": 10, "top": 20, "width": 30,
         "height": 40, "attributes": {"occluded": "yes"}},
        {"uuid": "box-2", "type": "box", "label": "bus", "left": 100, "top": 30, "width": 40,
         "height": 20, "rotation": 0.5},
        {"uuid": "poly-1", "type": "polygon", "label": "road", "vertices": vertices(POLYGON)},
        {"uuid": "line-1", "type": "line", "label": "lane",
         "vertices": vertices([(5, 5), (50, 10), (90, 5)])},
        {"uuid": "point-1", "type": "point", "label": "head", "x": 150, "y": 50},
        {"uuid": "ellipse-1", "type": "ellipse", "label": "sign",
         "vertices": ellipse_extremes(160, 60, 20, 10, 0.3)},
        {"uuid": "cuboid-1", "type": "cuboid", "label": "truck",
         "vertices": [{"x": x, "y": y, "description": name, "type": "vertex"}
                      for name, (x, y) in CUBOID.items()]},
    ]


HYPOTHESIS = {
    "annotations": annotations(),
    "global_attributes": {"weather": "sunny"},
    "links": [{"label": "follows", "from": "box-1", "to": "box-2"}],
}


def png(width: int = WIDTH, height: int = HEIGHT, color: tuple = (200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def make_project(owner, name: str = "streets", *, is_test: bool = True):
    return projects.create_project(owner=owner, is_test=is_test, body={
        "name": name, "type": "imageannotation", "params": PARAMS})


def completed_test_task(owner, project: str = "streets", *, display_name: str = "",
                        hypothesis: dict | None = None, **fields) -> Task:
    """A test-key task on a stored PNG: it completes at once with `hypothesis` as response."""
    upload = store_file(owner=owner, is_test=True, data=png(),
                        fields={"display_name": display_name})
    body = {"project": project, "attachment": upload.attachment_url,
            "hypothesis": HYPOTHESIS if hypothesis is None else hypothesis, **fields}
    return lifecycle.create_task(owner=owner, is_test=True, task_type="imageannotation",
                                 body=body)

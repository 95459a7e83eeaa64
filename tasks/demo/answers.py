"""The demo's quality answers: what each demo tasker draws on a scene, as box responses.

Pure functions of the scene and a few switches, so that the seeded history (tasks.demo.history)
is the same on every run: the expected answer is the scene's vehicles as drawn; a careful
tasker is a pixel off, a hasty one shifts boxes, misses one, mislabels one or adds a stray.
"""

from __future__ import annotations

import uuid

from tasks.demo.annotations import box_ann
from tasks.demo.scenes import UUID_NAMESPACE, Scene

OTHER_LABEL = {"Car": "Truck", "Truck": "Bus", "Bus": "Car"}


def expected(scene: Scene) -> dict:
    """The right answer: every vehicle's box with its label."""
    return {"annotations": [_plain(box_ann(scene, i, v)) for i, v in enumerate(scene.vehicles)]}


def _plain(ann: dict) -> dict:
    return {key: value for key, value in ann.items() if key != "attributes"}


def drawn_by(scene: Scene, who: str, *, shift: float = 1.0, miss: int | None = None,
             mislabel: int | None = None, stray: bool = False) -> dict:
    """`who`'s answer: the expected boxes moved by `shift` px, without vehicle `miss`, vehicle
    `mislabel` with another label, and a stray box in the sky when `stray`. Each tasker's own
    uuids (uuid5 of scene, tasker and vehicle)."""
    boxes = []
    for i, box in enumerate(expected(scene)["annotations"]):
        if i == miss:
            continue
        label = OTHER_LABEL[box["label"]] if i == mislabel else box["label"]
        boxes.append({**box, "uuid": own_uuid(scene, who, i), "label": label,
                      "left": round(box["left"] + shift, 1), "top": round(box["top"] + shift, 1)})
    if stray:
        boxes.append({"uuid": own_uuid(scene, who, "stray"), "type": "box", "label": "Car",
                      "left": 20.0, "top": 20.0, "width": 60.0, "height": 40.0})
    return {"annotations": boxes}


def own_uuid(scene: Scene, who: str, part: object) -> str:
    return str(uuid.uuid5(UUID_NAMESPACE, f"quality/{scene.index}/{who}/{part}"))


def centre(box: dict) -> tuple[float, float]:
    return box["left"] + box["width"] / 2, box["top"] + box["height"] / 2

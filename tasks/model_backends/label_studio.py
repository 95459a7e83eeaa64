"""The Label Studio ML-backend protocol, as Label Studio speaks it to a backend (docs/assist.md,
"Label Studio's ML-backend protocol"): `POST /setup` with the labelling config, then
`POST /predict` with the task; the regions that come back are converted by ls_regions.

The image goes as a URL (`data.image`): the signed, time-limited URL on this server when its
address is known (ANNOTATOR_PUBLIC_URL, or the Assist request's), else a `data:` URI.
"""

from __future__ import annotations

import zlib

from django.conf import settings

from tasks.model_backends.ls_config import IMAGE_NAME, label_config
from tasks.model_backends.ls_regions import convert_regions
from tasks.model_backends.media import BackendImage
from tasks.model_backends.transport import BackendError, call
from tasks.models import ModelBackend, Task


def project_key(task: Task) -> str:
    """Label Studio's "<project id>.<created timestamp>" for the task's project."""
    project = task.project
    if project is None:
        return f"0.{int(task.created_at.timestamp())}"
    return f"{project.pk}.{int(project.created_at.timestamp())}"


def _ask(backend: ModelBackend, task: Task, image: BackendImage, context: dict | None) -> dict:
    config = label_config(task.params or {})
    call(backend, "setup", {"project": project_key(task), "schema": config,
                            "hostname": settings.ANNOTATOR_PUBLIC_URL, "access_token": "",
                            "model_version": None})
    answer = call(backend, "predict", {
        "tasks": [{"id": _numeric_id(task), "data": {IMAGE_NAME: image.url or image.data_uri()}}],
        "label_config": config, "project": project_key(task),
        "params": {"login": None, "password": None, "context": context}})
    results = answer.get("results") if isinstance(answer, dict) else answer
    if not isinstance(results, list):
        raise BackendError("the predict answer has no \"results\" list")
    if not results:
        return {"result": [], "model_version": _version(answer)}
    first = results[0]
    if not isinstance(first, dict):
        raise BackendError("the predict answer's first result is not an object")
    first.setdefault("model_version", _version(answer))
    return first


def predict(backend: ModelBackend, task: Task, image: BackendImage) -> tuple[list, str, list]:
    """(annotations, model_version, notes): the converted regions, not yet checked."""
    prediction = _ask(backend, task, image, None)
    converted = convert_regions(prediction.get("result"), task.params or {}, image.width,
                                image.height)
    return converted.annotations, _version(prediction), converted.notes


def interact(backend: ModelBackend, task: Task, image: BackendImage, prompt: dict,
             geometry: str) -> tuple[dict, str]:
    """(shape, model_version): `predict` with the prompt as the context's keypoints and
    rectangle, as Label Studio's interactive (SAM) backends expect."""
    context = {"result": _context_regions(prompt, image)}
    prediction = _ask(backend, task, image, context)
    converted = convert_regions(prediction.get("result"), task.params or {}, image.width,
                                image.height)
    shapes = [a for a in converted.annotations if a["type"] == geometry]
    if not shapes:
        raise BackendError(f"the backend returned no {geometry}")
    shape = {key: value for key, value in shapes[0].items() if key != "label"}
    return shape, _version(prediction)


def _context_regions(prompt: dict, image: BackendImage) -> list[dict]:
    width, height = max(image.width, 1), max(image.height, 1)
    size = {"original_width": width, "original_height": height}
    regions: list[dict] = []
    for point in prompt.get("points") or []:
        regions.append({"type": "keypointlabels", "from_name": "point", "to_name": IMAGE_NAME,
                        "is_positive": bool(point.get("positive", True)), **size,
                        "value": {"x": point["x"] * 100 / width, "y": point["y"] * 100 / height,
                                  "keypointlabels": []}})
    box = prompt.get("box")
    if box:
        x0, y0, x1, y1 = box
        regions.append({"type": "rectanglelabels", "from_name": "box", "to_name": IMAGE_NAME,
                        "is_positive": True, **size,
                        "value": {"x": x0 * 100 / width, "y": y0 * 100 / height,
                                  "width": (x1 - x0) * 100 / width,
                                  "height": (y1 - y0) * 100 / height, "rectanglelabels": []}})
    return regions


def health(backend: ModelBackend) -> dict:
    answer = call(backend, "health")
    if not isinstance(answer, dict):
        raise BackendError("the health answer is not an object")
    return {"status": answer.get("status"), "model_version": _version(answer),
            "capabilities": ["predict"]}


def _numeric_id(task: Task) -> int:
    """Label Studio's task ids are numbers: a checksum of the task's id (stable)."""
    return zlib.crc32(task.task_id.encode()) & 0x7FFFFFFF


def _version(answer: object) -> str:
    version = answer.get("model_version") if isinstance(answer, dict) else None
    return version[:200] if isinstance(version, str) else ""

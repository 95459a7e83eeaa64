"""annotator's own model-backend protocol, v1 (docs/assist.md, "annotator's protocol"):
JSON over HTTP, image pixels both ways, the image always inline (`data`)."""

from __future__ import annotations

from typing import Any

from tasks.model_backends.media import BackendImage
from tasks.model_backends.transport import BackendError, call
from tasks.models import ModelBackend, Task

PROTOCOL = "annotator/1"


def task_payload(task: Task, image: BackendImage) -> dict:
    params = task.params or {}
    geometries = params.get("geometries") or {}
    return {"protocol": PROTOCOL, "task": {"id": task.task_id, "type": task.type},
            "image": image.as_json(),
            "labels": {name: (options or {}).get("objects_to_annotate") or []
                       for name, options in geometries.items()},
            "geometries": geometries,
            "annotation_attributes": params.get("annotation_attributes") or {}}


def predict(backend: ModelBackend, task: Task, image: BackendImage) -> tuple[list, str, list]:
    """(annotations, model_version, notes): the backend's answer, not yet checked."""
    answer = call(backend, "predict", task_payload(task, image))
    if not isinstance(answer, dict) or not isinstance(answer.get("annotations"), list):
        raise BackendError("the predict answer has no \"annotations\" list")
    return answer["annotations"], _version(answer), []


def interact(backend: ModelBackend, image: BackendImage, prompt: dict, geometry: str,
             max_vertices: int | None) -> tuple[dict, str]:
    """(shape, model_version) for an Assist prompt."""
    answer = call(backend, "interact", {
        "protocol": PROTOCOL, "image": image.as_json(), "prompt": prompt,
        "geometry": geometry, "max_vertices": max_vertices})
    if not isinstance(answer, dict) or not isinstance(answer.get("shape"), dict):
        raise BackendError("the interact answer has no \"shape\" object")
    return answer["shape"], _version(answer)


def health(backend: ModelBackend) -> dict:
    answer = call(backend, "health")
    if not isinstance(answer, dict):
        raise BackendError("the health answer is not an object")
    return {"status": answer.get("status"), "model_version": _version(answer),
            "capabilities": answer.get("capabilities") or []}


def _version(answer: dict[str, Any]) -> str:
    version = answer.get("model_version")
    return version[:200] if isinstance(version, str) else ""

"""The protocol a backend speaks, chosen by its `protocol` field: one entry point per call."""

from __future__ import annotations

from tasks.model_backends import annotator_protocol, label_studio
from tasks.model_backends.media import BackendImage
from tasks.models import BackendProtocol, ModelBackend, Task


def predict(backend: ModelBackend, task: Task, image: BackendImage) -> tuple[list, str, list]:
    """(annotations, model_version, notes) for the task, not yet checked by the rules."""
    if backend.protocol == BackendProtocol.LABEL_STUDIO:
        return label_studio.predict(backend, task, image)
    return annotator_protocol.predict(backend, task, image)


def interact(backend: ModelBackend, task: Task, image: BackendImage, prompt: dict,
             geometry: str, max_vertices: int | None) -> tuple[dict, str]:
    if backend.protocol == BackendProtocol.LABEL_STUDIO:
        return label_studio.interact(backend, task, image, prompt, geometry)
    return annotator_protocol.interact(backend, image, prompt, geometry, max_vertices)


def health(backend: ModelBackend) -> dict:
    """{status, model_version, capabilities}; BackendError when it cannot be reached."""
    if backend.protocol == BackendProtocol.LABEL_STUDIO:
        return label_studio.health(backend)
    return annotator_protocol.health(backend)

"""The project's model backend behind the workbench's Assist tool (docs/assist.md,
"Providers"): chosen for a box or click prompt when the project's backend has `interact`, is
enabled and its breaker is closed; otherwise the built-in OpenCV assists answer. A backend that
fails while asked raises `Unavailable`, so OpenCV answers that prompt and says why."""

from __future__ import annotations

from tasks.assist.prompts import Prompt
from tasks.assist.providers import Answer, Unavailable
from tasks.assist.task_image import AssistImage
from tasks.model_backends import breaker, clients
from tasks.model_backends.checking import simplify
from tasks.model_backends.media import BackendImage, signed_url
from tasks.model_backends.transport import BackendError
from tasks.models import ModelBackend, Task

NAME = "project-backend"
BACKEND_TOOLS = ("box", "click")  # what a backend's prompt (points, box) can say


def choose(task: Task, prompt: Prompt) -> BackendProvider | None:
    project = task.project
    if project is None or project.model_backend_id is None or prompt.tool not in BACKEND_TOOLS:
        return None
    backend = ModelBackend.objects.filter(pk=project.model_backend_id).first()
    if backend is None or not backend.interact or not breaker.usable(backend):
        return None
    return BackendProvider(backend)


class BackendProvider:
    def __init__(self, backend: ModelBackend) -> None:
        self.backend = backend
        self.name = backend.name

    def assist(self, task: Task, prompt: Prompt, image: AssistImage,
               max_vertices: int | None) -> Answer:
        sent = BackendImage(image.data(), image.mime_type, image.width, image.height,
                            signed_url(task))
        try:
            shape, version = clients.interact(self.backend, task, sent, prompt_json(prompt),
                                              prompt.geometry, max_vertices)
            return answer_of(self.name, shape, prompt.geometry, max_vertices, version)
        except BackendError as exc:
            raise Unavailable(exc.message) from None


def prompt_json(prompt: Prompt) -> dict:
    return {"points": [{"x": c.x, "y": c.y, "positive": c.positive} for c in prompt.points],
            "box": list(prompt.box) if prompt.box is not None else None}


def answer_of(source: str, shape: dict, geometry: str, max_vertices: int | None,
              version: str) -> Answer:
    """The provider's Answer for a backend's shape; BackendError when it is not the shape
    asked for."""
    try:
        if geometry == "box" and shape.get("type") == "box":
            box = tuple(float(shape[key]) for key in ("left", "top", "width", "height"))
            return Answer(source, box=(box[0], box[1], box[2], box[3]),
                          model_version=version or None)
        if geometry == "polygon" and shape.get("type") == "polygon":
            points = [(float(v["x"]), float(v["y"])) for v in shape["vertices"]]
            if len(points) < 3:
                raise ValueError("fewer than 3 vertices")
            if max_vertices and len(points) > max_vertices:
                points = simplify(points, max_vertices)
            return Answer(source, vertices=[(round(x, 2), round(y, 2)) for x, y in points],
                          model_version=version or None)
    except (KeyError, TypeError, ValueError) as exc:
        raise BackendError(f"the backend's {geometry} is malformed: {exc}") from None
    raise BackendError(f"the backend answered a {shape.get('type')!r}, not a {geometry}")

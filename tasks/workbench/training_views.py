"""A training task's result: the tasker's answer beside the expected one (docs/quality.md).

After a training copy's submit the page opens `/tasks/<id>/result/`. Until the worker has
scored the answer both URLs answer 202 (the page reloads itself every second); then the page
shows the image twice, the tasker's annotations drawn over one and the expected ones over the
other (server-rendered SVG, no script), the score, and Next: the queue's Start. The image
itself comes from the same view (`?image=1`): the tasker no longer holds the copy, so the
workbench's image endpoint would refuse them.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from tasks import workforce
from tasks.models import GoldAnswer, Task, TaskRole
from tasks.quality_flow import settings as quality_settings
from tasks.quality_flow import standing, training
from tasks.rules.geometry import box_corners
from tasks.workbench import views
from tasks.workbench.csp import csp_protected

RETRY_SECONDS = 1


def training_copy(request: HttpRequest, task_id: str) -> Task:
    """The training copy the user answered (staff: any); 404 for anything else, so that
    evaluation copies stay indistinguishable from other tasks."""
    task = (workforce.openable_tasks(request.user,
                                     Task.objects.select_related("parent__gold", "project"))
            .filter(pk=task_id, role=TaskRole.TRAINING, parent__isnull=False).first())
    if task is None or task.completed_by_id is None:
        raise Http404("No such training result.")
    if task.completed_by_id != request.user.pk and not request.user.is_staff:
        raise Http404("No such training result.")
    return task


def answer_of(task: Task) -> GoldAnswer | None:
    return GoldAnswer.objects.filter(copy=task).first()


@csp_protected
@login_required
@require_GET
def result_page(request: HttpRequest, task_id: str) -> HttpResponseBase:
    task = training_copy(request, task_id)
    if "image" in request.GET:
        return _image(task)
    if "mask" in request.GET:
        return _mask(task, request.GET["mask"])
    answer = answer_of(task)
    if answer is None:
        response = render(request, "workbench/training_result.html",
                          {"task": task, "scoring": True}, status=202)
        response["Refresh"] = str(RETRY_SECONDS)
        return response
    return render(request, "workbench/training_result.html", result_context(task, answer))


@login_required
@require_GET
def result_json(request: HttpRequest, task_id: str) -> JsonResponse:
    task = training_copy(request, task_id)
    answer = answer_of(task)
    if answer is None:
        return JsonResponse({"status": "scoring", "retry_after": RETRY_SECONDS}, status=202)
    return JsonResponse({"status": "scored", "score": answer.score, "details": answer.details,
                         "answer": task.response,
                         "expected": task.parent.gold.expected_response,  # type: ignore[union-attr]
                         "next_url": next_url(task)})


def next_url(task: Task) -> str:
    """Where Next goes: the project's Start (a POST), else the queue."""
    if task.project_id is None:
        return reverse("queue")
    return reverse("start-next", args=[task.project_id])


def result_context(task: Task, answer: GoldAnswer) -> dict:
    expected = task.parent.gold.expected_response  # type: ignore[union-attr]
    panels = [("Your answer", shapes(task.response)), ("Expected", shapes(expected))]
    width, height = frame(task, [shape for _, items in panels for shape in items])
    # a mask's score (tasks/quality/masks.py) has per-label IoUs and no matched shapes: the
    # two masks are drawn over the image (?mask=answer / ?mask=expected) with that table
    mask_labels = answer.details.get("labels") if "pixel_accuracy" in answer.details else None
    return {
        "mask_labels": sorted(mask_labels.items()) if isinstance(mask_labels, dict) else None,
        "overlays": ["answer", "expected"] if mask_labels is not None else [],
        "task": task,
        "scoring": False,
        "answer": answer,
        "score_percent": round(answer.score * 100),
        "details": answer.details,
        "width": width,
        "height": height,
        # readable once the image is scaled to half the page: about 1/45 of its larger side
        "label_size": max(14, round(max(width, height) / 45)),
        "panels": panels,
        "progress": progress(task),
        "next_url": next_url(task),
    }


def progress(task: Task) -> dict | None:
    """Where the tasker stands in the project's training (docs/quality.md, "Gold and
    training tasks"): how many of its training tasks they answered, their mean score, the
    pass mark, and whether they passed or failed (decided after the last one)."""
    project, user = task.project, task.completed_by
    if project is None or user is None:
        return None
    counted = training.answers(project, user)
    mean = training.mean_score(project, user)
    return {
        "answered": len(counted),
        "needed": training.templates(project).count(),
        "state": standing.training_state(standing.of(project, user)),
        "mean_percent": None if mean is None else round(mean * 100),
        "pass_percent": round(quality_settings.of(project).training_threshold * 100),
    }


def frame(task: Task, drawn: list[dict]) -> tuple[int, int]:
    """The image's size; before the worker has measured it, the shapes' extent plus a
    margin."""
    if task.attachment_width and task.attachment_height:
        return task.attachment_width, task.attachment_height
    right = max((float(shape["right"]) for shape in drawn), default=0.0)
    bottom = max((float(shape["bottom"]) for shape in drawn), default=0.0)
    return int(right) + 20, int(bottom) + 20


def _mask(task: Task, which: str) -> HttpResponseBase:
    """A segmentation copy's mask (`answer`) or the expected one (`expected`), coloured by
    label, drawn over the image on the result page."""
    from tasks.segmentation import masks, quality

    if which not in ("answer", "expected"):
        raise Http404("mask is answer or expected")
    expected = task.parent.gold.expected_response if which == "expected" else None  # type: ignore[union-attr]
    try:
        data = quality.label_image(task, expected)
    except masks.MaskMissing as exc:
        raise Http404(str(exc)) from exc
    response = HttpResponse(data, content_type="image/png")
    response["Cache-Control"] = "private, max-age=300"
    return response


def _image(task: Task) -> HttpResponseBase:
    """The copy's image, as the workbench serves it to the task's holder."""
    return views.image_response(task)


# --- shapes -----------------------------------------------------------------------------------

def shapes(response: object) -> list[dict]:
    """The response's annotations as SVG elements: {"tag" (polygon, polyline or circle),
    "points", "label", "x", "y" (the first point: the label and a circle's centre), "right",
    "bottom"}, numbers as text."""
    annotations = response.get("annotations") if isinstance(response, dict) else None
    found = [_shape(a) for a in annotations or [] if isinstance(a, dict)]
    return [shape for shape in found if shape is not None]


def _shape(annotation: dict) -> dict | None:
    kind, label = annotation.get("type"), annotation.get("label") or ""
    if kind == "point":
        points = [{"x": float(annotation.get("x", 0)), "y": float(annotation.get("y", 0))}]
    else:
        points = _points(annotation)
    if not points:
        return None
    xs, ys = [float(p["x"]) for p in points], [float(p["y"]) for p in points]
    shape = {"tag": "circle" if kind == "point" else "polyline" if kind == "line" else "polygon",
             "points": " ".join(f"{x:g},{y:g}" for x, y in zip(xs, ys, strict=True)),
             "label": label, "x": f"{xs[0]:g}", "y": f"{ys[0]:g}",
             "right": f"{max(xs):g}", "bottom": f"{max(ys):g}"}
    return shape


def _points(annotation: dict) -> list[dict]:
    if annotation.get("type") == "box":
        if annotation.get("vertices"):
            return list(annotation["vertices"])
        return box_corners(*(float(annotation.get(k, 0)) for k in
                             ("left", "top", "width", "height")))
    vertices = annotation.get("vertices") or []
    return [v for v in vertices if isinstance(v, dict) and "x" in v and "y" in v]

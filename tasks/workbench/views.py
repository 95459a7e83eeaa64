"""The taskers' pages: the queue, the workbench, and the session endpoints the page calls."""

from __future__ import annotations

import orjson
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from tasks import (
    draft_extras,
    drafts,
    kinds,
    presence,
    queue,
    submission,
    tiles,
    video_page,
    workforce,
)
from tasks.errors import ApiError
from tasks.limits import unstorable
from tasks.models import ContextAttachment, Task
from tasks.models.files import SCHEME, UploadedFile
from tasks.models.tasks import TaskStage, TaskStatus
from tasks.quality_flow import media as quality_media
from tasks.quality_flow import page, training
from tasks.rules.params import effective_padding
from tasks.workbench import csp
from tasks.workbench.csp import csp_protected
from tasks.workbench.recent_work import recent_work


def role_required(allowed, refusal: str):
    """A view decorator: signed in (else the login page), and `allowed(user)` (else 403)."""
    def decorate(view):
        @login_required
        def wrapped(request: HttpRequest, *args, **kwargs):
            if not allowed(request.user):
                raise PermissionDenied(refusal)
            return view(request, *args, **kwargs)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorate


tasker_required = role_required(queue.is_tasker, "This account is not a tasker.")
reviewer_required = role_required(queue.is_reviewer, "This account is not a reviewer.")
# The endpoints a tasker's and a reviewer's pages share (the task's data, media, submit,
# release): whoever holds the task may use them.
worker_required = role_required(queue.is_worker,
                                "This account is neither a tasker nor a reviewer.")


def work_url(task: Task) -> str:
    return reverse("work", args=[task.task_id])


@csp_protected
@login_required
@require_GET
def queue_page(request: HttpRequest) -> HttpResponse:
    """The tasker's queue; a reviewer who is not a tasker lands on the review queue."""
    if not queue.is_tasker(request.user):
        if queue.is_reviewer(request.user):
            return redirect("review-queue")
        raise PermissionDenied("This account is not a tasker.")
    return render(request, "workbench/queue.html",
                  {"rows": queue.queue_rows(request.user),
                   "recent_work": recent_work(request.user),
                   "show_accounts": workforce.accounts_label(request.user),
                   "review_link": queue.is_reviewer(request.user)})


@tasker_required
@require_POST
def start_next(request: HttpRequest, project_id: int) -> HttpResponse:
    project = get_object_or_404(queue.visible_projects(request.user).select_related("quality"),
                                pk=project_id)
    task = queue.claim_next(request.user, project)
    if task is None:
        messages.info(request, queue.nothing_message(request.user, project))
        return redirect("queue")
    return redirect(work_url(task))


# What the page, its image and its tiles never read of a task; a 10,000-annotation hypothesis
# makes `params` megabytes of JSON, decoded on every read.
HEAVY_FIELDS = ("params", "response", "sent_back_response", "metadata", "audits", "tags")


def page_params() -> tuple[str, ...]:
    """The keys of `params` GET /data reads (besides passing them all on): what each kind's
    page reads."""
    return kinds.union("page_params")


def viewable_task(request: HttpRequest, task_id: str, *, light: bool = False,
                  raw_params: bool = False) -> tuple[Task, bool]:
    """The task and whether this user may only look at it (staff who do not hold it).
    `light`: without HEAVY_FIELDS (read on access, one query each); `raw_params`: `params`
    as its stored JSON text in `task.raw_params`, decoded by the caller, and page_params() in
    `task.params_subset`."""
    # A task of a project not offered to this user is not found (docs/workforce.md).
    qs = workforce.openable_tasks(request.user, task_queryset(light=light, raw_params=raw_params))
    found = list(qs.filter(task_id=task_id)[:1])
    if not found:
        raise Http404("No such task.")
    task = found[0]
    if queue.holds(request.user, task):
        return task, False
    if request.user.is_staff:
        return task, True
    raise PermissionDenied("This task is not leased to you.")


def task_queryset(*, light: bool = False, raw_params: bool = False) -> QuerySet[Task]:
    """The tasks as viewable_task reads them."""
    qs = Task.objects.select_related("project", "batch")
    if light:
        qs = qs.defer(*HEAVY_FIELDS)
    if raw_params:
        qs = qs.with_raw_params().with_params_subset(page_params())
    return qs


@csp_protected
@worker_required
@require_GET
def work_page(request: HttpRequest, task_id: str) -> HttpResponse:
    task, read_only = viewable_task(request, task_id, light=True)
    # Our copy of the image loads beside the page's code and data (app.js fetches it); a tiled
    # one comes as tiles instead, and one not fetched yet is its original's (a redirect).
    preload = bool(task.attachment_mime) and not tiles.needs_tiles(task.attachment_width,
                                                                   task.attachment_height)
    return render(request, "workbench/work.html", {"task": task, "read_only": read_only,
                                                   "preload_image": preload})


@worker_required
@require_GET
def task_data(request: HttpRequest, task_id: str) -> HttpResponse:
    # light: a submitted task's response and restart point (megabytes with 2,000 annotations,
    # in review or rework) are not read here
    task, read_only = viewable_task(request, task_id, light=True, raw_params=True)
    # The params (megabytes with a big hypothesis) go out as the text the database holds.
    # What is read of them here comes from SQL: the padding and the context images; a draft
    # whose extras were not stored (older tasks) takes them from the hypothesis, and only then
    # are the params decoded whole.
    raw_params = task.raw_params or "{}"
    params = read_params(task, raw_params)
    pad_x, pad_y = effective_padding(params)
    media = quality_media.source(task)  # a replica's or a gold copy's media are its parent's
    data = {
        "task_id": task.task_id,
        "project": task.project.name if task.project is not None else None,
        "instruction": task.instruction,
        # the origins its images may load from (tasks/workbench/csp.py)
        "instruction_image_origins": csp.instruction_image_origins(task.task_id),
        "params": orjson.Fragment(raw_params),
        "padding": {"x": pad_x, "y": pad_y},
        "image": {"url": reverse("task-image", args=[task.task_id]),
                  "width": task.attachment_width, "height": task.attachment_height},
        # a large image's tile pyramid, when the worker built one (tasks/tiles.py)
        "tiles": tiles.announce(task, media),
        "read_only": read_only,
        "annotations": orjson.Fragment(drafts.draft_state_json(task)),
        **draft_extras.current(task, params),
        "context": context_images(task, media, params),
        "socket_url": f"/ws/tasks/{task.task_id}/",
        "lease_expires_at": task.lease_expires_at.isoformat() if task.lease_expires_at
        else None,
        "lease_seconds": queue.lease_seconds(),
        "heartbeat_seconds": presence.heartbeat_seconds(),
        # another tasker's draft this one continues (docs/live-sessions.md "Leases")
        "draft_by": None if read_only else queue.draft_author_name(task, request.user),
    }
    data.update(kinds.of(task).page_data(task, params))  # its media: video_page
    data.update(page.page_quality(task))  # review / rework: docs/workbench.md
    data.update(training.page_data(task))  # "Training task n of N" (docs/quality.md)
    return HttpResponse(orjson.dumps(data), content_type="application/json")


def read_params(task: Task, raw_params: str) -> dict:
    """What task_data reads of the params: the subset read by SQL, or (a draft whose extras
    were not stored) all of them, decoded. Never written back to `task.params`: a save()
    would store the subset."""
    extras = task.draft_extras if isinstance(task.draft_extras, dict) else {}
    if "global_attributes" in extras or "links" in extras:
        return task.params_subset
    return orjson.loads(raw_params)


@worker_required
@require_GET
def task_image(request: HttpRequest, task_id: str) -> HttpResponseBase:
    task, _ = viewable_task(request, task_id, light=True)
    return image_response(task)


def image_response(task: Task) -> HttpResponseBase:
    """The task's image: the stored copy, an uploaded file, or (not fetched yet) a redirect
    to the original, which the browser then loads directly."""
    if task.attachment_file:
        return FileResponse(task.attachment_file.open("rb"),
                            content_type=task.attachment_mime or None)
    url = task.params.get("attachment", "")
    if url.startswith(SCHEME):
        return uploaded_file_response(task, url, "The task's file is gone.")
    return redirect(url)


def uploaded_file_response(task: Task, url: str, gone: str) -> FileResponse:
    """The task owner's uploaded file a scaledata:// URL names (as create checked it)."""
    record = UploadedFile.objects.resolve(task.owner, task.is_test, url)
    if record is None:
        raise Http404(gone)
    return FileResponse(record.file.open("rb"), content_type=record.mime_type)


@worker_required
@require_GET
def task_tile(request: HttpRequest, task_id: str, level: int, x: int, y: int) -> HttpResponseBase:
    """One tile of the task's image pyramid (its parent's, for a replica or a gold copy), to
    whoever may see the image."""
    task, _ = viewable_task(request, task_id, light=True)
    handle = tiles.tile_file(quality_media.source(task).task_id, level, x, y)
    if handle is None:
        raise Http404("No such tile.")
    response = FileResponse(handle, content_type="image/jpeg")
    # The page's URLs name the pyramid's build (?v=...), so a tile never changes under one.
    response["Cache-Control"] = "private, max-age=86400"
    return response


@worker_required
@require_GET
def task_mask(request: HttpRequest, task_id: str) -> HttpResponseBase:
    """A segmentation task's base mask (8-bit gray PNG, docs/segmentation.md): the one its
    draft paints over, to whoever may see the task."""
    from tasks.segmentation import draft as segmentation_draft  # numpy: not at start-up
    from tasks.segmentation import masks

    task, _ = viewable_task(request, task_id)
    name = segmentation_draft.current(task).get("base")
    if not name or not masks.exists(name):
        raise Http404("The task has no base mask.")
    response = FileResponse(masks.open_file(name), content_type="image/png")
    # The page's URL names the file (?v=...): a new base is a new URL.
    response["Cache-Control"] = "private, max-age=86400"
    return response


@worker_required
@require_GET
def task_frame(request: HttpRequest, task_id: str, index: int) -> HttpResponseBase:
    """Frame `index` of a video task (its parent's, for a copy), to whoever may see the
    task's image."""
    task, _ = viewable_task(request, task_id, light=True)
    return video_page.frame_response(task, index)


def context_images(task: Task, media: Task, params: dict) -> list[dict]:
    """The task's context images as the page loads them, in their order; `params` holds
    the task's context_attachments, `media` is the task whose copies are kept
    (quality_flow.media.source)."""
    copies = {c.position: c for c in ContextAttachment.objects.filter(task=media)}
    images = []
    for n, item in enumerate(params.get("context_attachments") or []):
        copy = copies.get(n)
        images.append({"url": reverse("task-context", args=[task.task_id, n]),
                       "width": copy.width if copy else None,
                       "height": copy.height if copy else None,
                       "description": str(item.get("description") or "")
                       if isinstance(item, dict) else ""})
    return images


@worker_required
@require_GET
def task_context(request: HttpRequest, task_id: str, n: int) -> HttpResponseBase:
    """Context image `n` of the task, for whoever may see the task's image: our copy (its
    parent's, for a replica or a gold copy), else the uploaded file, else (not fetched yet) a
    redirect to the original."""
    task, _ = viewable_task(request, task_id)
    contexts = task.params.get("context_attachments") or []
    if not 0 <= n < len(contexts) or not isinstance(contexts[n], dict):
        raise Http404("No such context image.")
    media = quality_media.source(task)
    copy = ContextAttachment.objects.filter(task=media, position=n).first()
    if copy is not None and copy.file:
        return FileResponse(copy.file.open("rb"), content_type=copy.mime_type or None)
    url = contexts[n].get("attachment") or ""
    if url.startswith(SCHEME):
        return uploaded_file_response(task, url, "The context image's file is gone.")
    if not url.startswith(("http://", "https://")):
        raise Http404("No such context image.")
    return redirect(url)


@worker_required
@require_POST
def submit_task(request: HttpRequest, task_id: str) -> JsonResponse:
    # what the rules read before the lock; the submit reads the task again, locked, with its
    # project and quality settings (which the next claim reads)
    task = workforce.openable_task(request.user, task_id)
    if task is None:
        raise Http404("No such task.")
    try:
        payload = orjson.loads(request.body or b"null")
    except orjson.JSONDecodeError:
        return JsonResponse({"error": "The body is not valid JSON."}, status=400)
    if (problem := unstorable(payload)) is not None:
        return JsonResponse({"status_code": 400, "error": problem}, status=400)
    try:
        base_url = request.build_absolute_uri("/")
        if payload is None or (isinstance(payload, dict) and payload.get("from_draft") is True):
            task = submission.submit_draft(task, request.user, payload or {},
                                           base_url=base_url)
        else:
            task = submission.submit(task, request.user, payload, base_url=base_url)
    except ApiError as exc:
        return JsonResponse(exc.as_json(), status=exc.status_code)
    # a training copy's answer opens its result page (docs/quality.md)
    return JsonResponse(training.submit_answer(task)
                        or {"status": submitted_status(task),
                            "next_url": next_url(request.user, task)})


def submitted_status(task: Task) -> str:
    """What a submit led to (`task` as the submit left it): "review" when the task now waits
    for a reviewer, else "completed" (docs/workbench.md)."""
    return ("review" if task.status == TaskStatus.PENDING and task.stage == TaskStage.REVIEW
            else "completed")


def next_url(user, task: Task) -> str:
    if task.project is None:
        return reverse("queue")
    following = queue.claim_next(user, task.project)
    return work_url(following) if following else reverse("queue")


@worker_required
@require_POST
def skip_task(request: HttpRequest, task_id: str) -> HttpResponse:
    """Skip (a tasker) or Release (a reviewer): the task goes back to its queue, and so does
    the page."""
    task = get_object_or_404(workforce.openable_tasks(request.user), task_id=task_id)
    reason = str(request.POST.get("reason") or "")
    if queue.release(task, request.user, reason):
        messages.info(request, f"Task {task.task_id} went back to the queue; you get it "
                               "again only once the rest of your queue is done.")
    return redirect("review-queue" if task.stage == TaskStage.REVIEW else "queue")

"""What the workbench reads of a video task: its frames, their read-only layers (when the task
has `layer` / `layers`), event labels and the draft's events."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse

from tasks import draft_extras
from tasks.models import Task, VideoFrame
from tasks.quality_flow import media


def video_data(task: Task, params: dict) -> dict:
    """The `video` part of GET /tasks/<id>/data (docs: the video interface); `params` holds
    the task's events_to_annotate (the page reads no more of them)."""
    rows = list(VideoFrame.objects.filter(task=media.source(task)).order_by("index").values_list(
        "index", "width", "height", "timestamp", "layer"))
    prefix = reverse("task-frame", args=[task.task_id, 0]).removesuffix("0")  # 3,000 of them
    frames = [{"index": index, "url": f"{prefix}{index}", "width": width, "height": height,
               "timestamp": timestamp}
              for index, width, height, timestamp, _ in rows]
    events = draft_extras.stored(task.draft_extras).get("events")
    data = {"frames": frames,
            "events_to_annotate": list(params.get("events_to_annotate") or []),
            "events": events if isinstance(events, list) else []}
    layers = [row[4] for row in rows]
    if any(layer is not None for layer in layers):  # one Layer object per frame
        data["layers"] = [layer or {} for layer in layers]
    return data


def frame_response(task: Task, index: int) -> HttpResponseBase:
    """Our copy of the frame; before the worker stored the frames, a frame URL's original (a
    redirect), as for a task's image."""
    frame = VideoFrame.objects.filter(task=media.source(task), index=index).first()
    if frame is not None and frame.file:
        response = FileResponse(frame.file.open("rb"), content_type=frame.mime_type or None)
        response["Cache-Control"] = "private, max-age=86400"  # a stored frame never changes
        return response
    urls = (task.params or {}).get("attachments") or []
    if 0 <= index < len(urls) and str(urls[index]).startswith(("http://", "https://")):
        return redirect(urls[index])
    raise Http404("No such frame.")

"""The frames of a video task, fetched or decoded once by the worker.

`tasks.jobs.fetch_for_task` hands a video task to its kind, whose fetch_media is
`fetch_frames`. Frames given as image
URLs (or scaledata:// files) are copied like a task's image (`media.copy_attachment`: the
SSRF-safe fetch, the size limit, the image check). A video file is fetched the same way and
decoded with PyAV; the frame shown at each multiple of 1 / frame_rate seconds is kept as a JPEG.
The frames become `VideoFrame` rows, with the task's layer of each frame (tasks/video_layers.py),
and the task's image fields describe frame 0: a task whose
`attachment_mime` is set has its frames ready (the queue hands out no video task before). If
any frame or the video cannot be used, the task ends in `error` through the lifecycle, as for
an image.
"""

from __future__ import annotations

import io
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image

from tasks import fetching, lifecycle, video_layers, video_prelabels
from tasks.annotation_rows import insert_prelabels
from tasks.draft_extras import initial
from tasks.fetch_pool import Deadline, caught, run_bounded
from tasks.images import MAX_PIXELS
from tasks.media import (
    ERROR_MESSAGE,
    FETCH_TIMEOUT_SECONDS,
    AttachmentFailure,
    Copy,
    copy_attachment,
)
from tasks.models import Annotation, Task, VideoFrame
from tasks.models.files import SCHEME, UploadedFile
from tasks.rules.video import MAX_FRAMES, frame_timestamps

logger = logging.getLogger("annotator.video")

JPEG_QUALITY = 90
# A decoded frame this close before a sampling instant still counts as shown at it.
TIME_TOLERANCE = 1e-3
# Bounds on the work one video may cost the worker, whatever frames it yields.
MAX_DECODED_FRAMES = 250_000
MAX_DECODE_SECONDS = 300.0


@dataclass(frozen=True)
class Frame:
    copy: Copy
    timestamp: float


def fetch_frames(task: Task) -> str:
    """Fetch or decode every frame of the video task; what happened, in a word."""
    params = task.params or {}
    # every fetch of the task (frames, video, layers, prelabels) within its deadline
    deadline = Deadline()
    try:
        if params.get("attachment_type") == "video":
            frames = decode_video(task, params.get("attachment") or "",
                                  float(params.get("frame_rate") or 1), deadline)
        else:
            frames = copy_frames(task, params.get("attachments") or [],
                                 float(params.get("frame_rate") or 1), deadline)
    except FrameFailures as failed:
        for failure in failed.failures:
            logger.warning("task %s: frame %s failed: %s", task.task_id, failure.url, failure)
        lifecycle.fail_task(task, {"error": failed.message,
                                   "attachments": [f.as_json() for f in failed.failures]})
        return "error"
    try:
        layers = video_layers.frame_layers(task, len(frames), deadline)
        prelabelled = video_prelabels.resolved(task, len(frames), deadline)
    except video_layers.FileFailure as failed:  # the layers or a prelabels file
        logger.warning("task %s: a file failed: %s", task.task_id, failed)
        _discard(frames)
        lifecycle.fail_task(task, failed.as_response())
        return "error"
    if not _record(task, frames, layers, prelabelled):
        return "skipped"
    return "stored"


class FrameFailures(Exception):
    def __init__(self, failures: list[AttachmentFailure], message: str = ERROR_MESSAGE) -> None:
        super().__init__(message)
        self.failures = failures
        self.message = message


def copy_frames(task: Task, urls: list[str], frame_rate: float,
                deadline: Deadline | None = None) -> list[Frame]:
    """Our copies of the frame images, in order; FrameFailures names every URL that failed.
    Remote frames are fetched a few at a time within the task's deadline
    (tasks/fetch_pool.py); our own scaledata:// files are looked up in the job's thread."""
    deadline = deadline or Deadline()
    timestamps = frame_timestamps(len(urls), frame_rate)
    items = list(enumerate(urls))

    def copy(item: tuple[int, str]) -> Copy:
        return copy_attachment(task, item[1], item[0], deadline)

    remote = [item for item in items if not item[1].startswith(SCHEME)]
    fetched = dict(zip(remote, run_bounded(copy, remote), strict=True))
    results = [fetched[item] if item in fetched else caught(copy, item) for item in items]
    frames: list[Frame] = []
    failures: list[AttachmentFailure] = []
    for index, result in enumerate(results):
        if isinstance(result, AttachmentFailure):
            failures.append(result)
        elif isinstance(result, BaseException):
            _discard([Frame(r, 0.0) for r in results if isinstance(r, Copy)])
            raise result
        else:
            frames.append(Frame(result, timestamps[index]))
    if failures:
        _discard(frames)
        raise FrameFailures(failures)
    return frames


# --- video files ----------------------------------------------------------------------------

def decode_video(task: Task, url: str, frame_rate: float,
                 deadline: Deadline | None = None) -> list[Frame]:
    data = _video_bytes(task, url, deadline or Deadline())
    frames: list[Frame] = []
    try:
        for index, (image, timestamp) in enumerate(sample_frames(data, frame_rate)):
            frames.append(Frame(_store_frame(task, index, image, url), timestamp))
    except VideoError as exc:
        _discard(frames)
        raise FrameFailures([AttachmentFailure(url, None, str(exc))],
                            f"The video could not be used: {exc}.") from exc
    return frames


def _video_bytes(task: Task, url: str, deadline: Deadline) -> bytes:
    if url.startswith(SCHEME):
        upload = UploadedFile.objects.resolve(task.owner, task.is_test, url)
        if upload is None or not upload.file:
            raise FrameFailures([AttachmentFailure(url, None, "the uploaded file is gone")])
        with upload.file.open("rb") as handle:
            return handle.read()
    timeout = deadline.timeout(FETCH_TIMEOUT_SECONDS)
    if timeout <= 0:
        raise FrameFailures([AttachmentFailure(url, None, "the task's time for fetching ran out")])
    try:
        return fetching.fetch(url, max_bytes=settings.ANNOTATOR_MAX_UPLOAD_BYTES,
                              timeout=timeout).content
    except fetching.FetchError as exc:
        raise FrameFailures([AttachmentFailure(url, exc.status_code, exc.message)]) from exc


class VideoError(ValueError):
    pass


def sample_frames(data: bytes, frame_rate: float):
    """(PIL image, seconds) of the frames shown at 0, 1/frame_rate, 2/frame_rate... seconds
    of the video's first video stream: for each instant, the first decoded frame at or after
    it (one frame never serves two instants). VideoError when the data cannot be decoded."""
    import av  # PyAV's codecs (~30 MB resident) only in a process that decodes a video
    # (docs/performance.md, "Memory")

    name = container_format(data)
    try:
        container = av.open(io.BytesIO(data), mode="r", format=name)
    except Exception as exc:  # PyAV raises many error types for input it cannot read
        raise VideoError("the file is not a video this server can decode") from exc
    with container:
        if not container.streams.video:
            raise VideoError("the file has no video stream")
        stream = container.streams.video[0]
        if (stream.codec_context.width or 0) * (stream.codec_context.height or 0) > MAX_PIXELS:
            raise VideoError(f"its frames have more than {MAX_PIXELS:,} pixels")
        yield from _sampled(container, stream, frame_rate)


def container_format(data: bytes) -> str:
    """The FFmpeg demuxer of a video file, from its first bytes. Naming it keeps FFmpeg from
    probing every format it knows: playlists and concat lists would open other URLs or local
    files from inside the input."""
    head = data[:16]
    if head[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip"):
        return "mov"  # MP4, MOV, M4V, 3GP
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "matroska"  # WebM, MKV
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return "avi"
    raise VideoError("the file is not a video this server can decode (MP4, MOV, WebM, MKV, "
                     "Ogg or AVI)")


def _sampled(container, stream, frame_rate: float):
    start = None
    taken = 0
    deadline = time.monotonic() + MAX_DECODE_SECONDS
    try:
        for decoded, frame in enumerate(container.decode(stream)):
            if decoded >= MAX_DECODED_FRAMES or time.monotonic() > deadline:
                raise VideoError("it takes too long to decode (more than "
                                 f"{MAX_DECODED_FRAMES:,} frames or {MAX_DECODE_SECONDS:g} s)")
            seconds = frame.time
            if seconds is None:
                continue
            start = seconds if start is None else start
            at = seconds - start
            if at + TIME_TOLERANCE < taken / frame_rate:
                continue
            if taken >= MAX_FRAMES:
                raise VideoError(f"it gives more than {MAX_FRAMES} frames at frame_rate "
                                 f"{frame_rate:g}: use a lower frame_rate")
            if frame.width * frame.height > MAX_PIXELS:
                raise VideoError(f"its frames have more than {MAX_PIXELS:,} pixels")
            yield frame.to_image(), round(at, 6)
            taken += 1
    except VideoError:
        raise
    except Exception as exc:
        raise VideoError(f"the video stream cannot be decoded ({type(exc).__name__})") from exc
    if taken == 0:
        raise VideoError("the video has no frames")


def _store_frame(task: Task, index: int, image: Image.Image, url: str) -> Copy:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=JPEG_QUALITY)
    name = default_storage.save(f"frames/{task.task_id}/{index}.jpg",
                                ContentFile(buffer.getvalue()))
    return Copy(url, name, image.width, image.height, "image/jpeg", owned=True)


# --- storing --------------------------------------------------------------------------------

def _discard(frames: list[Frame]) -> None:
    for frame in frames:
        if frame.copy.owned:
            default_storage.delete(frame.copy.name)


def _record(task: Task, frames: list[Frame], layers: list[dict] | None = None,
            params: dict | None = None) -> bool:
    """Store the frames (and their layers) on the task, unless another run already did (then
    drop ours). `params`: the task's, with its prelabels files replaced by their tracks
    (tasks/video_prelabels.py), stored with the frames so that the task is handed out with
    them."""
    first = frames[0].copy
    with transaction.atomic():
        current = Task.objects.select_for_update().filter(pk=task.pk).first()
        if current is None or current.attachment_mime:
            transaction.on_commit(lambda: _discard(frames))
            return False
        VideoFrame.objects.filter(task=task).delete()
        VideoFrame.objects.bulk_create(
            VideoFrame(task=task, index=index, file=frame.copy.name, width=frame.copy.width,
                       height=frame.copy.height, mime_type=frame.copy.mime_type,
                       timestamp=frame.timestamp, source_url=frame.copy.url,
                       layer=layers[index] if layers else None)
            for index, frame in enumerate(frames))
        if params is not None:
            _store_prelabels(current, params)
        Task.objects.filter(pk=task.pk).update(
            attachment_file=first.name, attachment_width=first.width,
            attachment_height=first.height, attachment_mime=first.mime_type)
    return True


def _store_prelabels(task: Task, params: dict) -> None:
    """The fetched prelabels, stored as inline ones are at create (tasks/lifecycle.py): in
    the params, as the draft's starting rows and extras. Call it with the task locked."""
    task.params = params
    task.draft_extras = initial(params.get("hypothesis"))
    task.save(update_fields=["params", "draft_extras"])
    Annotation.objects.filter(task=task).delete()
    insert_prelabels(task, params)

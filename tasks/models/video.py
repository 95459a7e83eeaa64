"""The frames of a video task, as the worker stored them (tasks/video_frames.py)."""

from __future__ import annotations

from django.db import models

from tasks.models.tasks import Task


class VideoFrame(models.Model):
    """Frame `index` of a video task: our copy of its image (a frame URL's, an
    uploaded file we only point at, or one decoded from the video) and when it is shown."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="frames")
    index = models.PositiveIntegerField()
    file = models.FileField(upload_to="frames/", max_length=300)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    mime_type = models.CharField(max_length=100)
    # Seconds from the start of the sequence (video: the decoded frame's presentation time).
    timestamp = models.FloatField()
    # The frame's URL (frames given as images), or the video's URL.
    source_url = models.CharField(max_length=2048, blank=True, default="")
    # The read-only Layer object drawn under this frame (the task's `layer` / `layers`).
    layer = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "index"],
                                               name="video_frame_index")]
        ordering = ["index"]

    def __str__(self) -> str:
        return f"{self.task_id} frame {self.index}"

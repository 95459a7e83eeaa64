"""GET /v1/task/{task_id}/files/{name}: the response files of a completed task (a video's
JSON files, a segmentation's masks), as its kind stores them."""

from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from rest_framework.request import Request

from tasks import kinds
from tasks.api.base import ApiView
from tasks.api.deferred_schema import extend_schema
from tasks.errors import ApiError


class TaskFileView(ApiView):
    @extend_schema(summary="Download a response file of a completed task (a video's "
                           "annotations.json, events.json, tracks.json; a segmentation's "
                           "PNG masks)",
                   tags=["tasks"], responses={(200, "application/json"): OpenApiTypes.BINARY,
                                              (200, "image/png"): OpenApiTypes.BINARY})
    def get(self, request: Request, task_id: str, name: str) -> FileResponse:
        task = self.get_task(task_id)
        found = kinds.of(task).response_file(task, name)
        if found is None:
            raise ApiError(404, f"The task has no response file {name}.")
        handle, content_type = found
        return FileResponse(handle, content_type=content_type)

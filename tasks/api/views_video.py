"""GET /v1/task/{task_id}/files/{name}: the response files of a completed video task."""

from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from rest_framework.request import Request

from tasks import video_response
from tasks.api.base import ApiView
from tasks.api.deferred_schema import extend_schema
from tasks.errors import ApiError


class TaskFileView(ApiView):
    @extend_schema(summary="Download a response file of a completed video task "
                           "(annotations.json, events.json, tracks.json)",
                   tags=["tasks"], responses={(200, "application/json"): OpenApiTypes.BINARY})
    def get(self, request: Request, task_id: str, name: str) -> FileResponse:
        handle = video_response.open_file(self.get_task(task_id), name)
        if handle is None:
            raise ApiError(404, f"The task has no response file {name}.")
        return FileResponse(handle, content_type="application/json")

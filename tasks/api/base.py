"""What every API view shares: the caller's account and environment, and scoped look-ups."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tasks.errors import ApiError
from tasks.models import Batch, Project, Task


class ApiView(APIView):
    """An endpoint of the v1 API. The key decides the account and live/test environment."""

    def initialize_request(self, request, *args, **kwargs):
        # DRF reads no body without a Content-Length; a chunked upload has none.
        if "CONTENT_LENGTH" not in request.META and "chunked" in request.META.get(
                "HTTP_TRANSFER_ENCODING", "").lower():
            request.META["CONTENT_LENGTH"] = str(len(request.body))
        return super().initialize_request(request, *args, **kwargs)

    @property
    def owner(self):
        return self.request.user

    @property
    def is_test(self) -> bool:
        return self.request.auth.is_test

    def scoped(self, model):
        return model.objects.filter(owner=self.owner, is_test=self.is_test)

    def get_task(self, task_id: str) -> Task:
        task = (self.scoped(Task).select_related("project", "batch")
                .filter(task_id=task_id).first())
        if task is None:
            raise ApiError(404, "Task with that ID not found.")
        return task

    def get_project(self, name: str) -> Project:
        project = self.scoped(Project).prefetch_related("param_versions").filter(
            name=name).first()
        if project is None:
            raise ApiError(404, f'Project "{name}" not found.')
        return project

    def get_batch(self, name: str) -> Batch:
        batch = self.scoped(Batch).select_related("project").filter(name=name).first()
        if batch is None:
            raise ApiError(404, f'Batch "{name}" not found.')
        return batch


def ok(data: object) -> Response:
    return Response(data, status=200)


def body_object(request: Request) -> dict:
    data = request.data
    if not isinstance(data, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    return data


def body_list(request: Request, field: str) -> list:
    data = request.data
    if isinstance(data, dict) and not data:
        return []
    if isinstance(data, dict) and isinstance(data.get(field), list):
        return data[field]
    if not isinstance(data, list):
        raise ApiError(400, f"The request body must be a JSON array of {field}.")
    return data

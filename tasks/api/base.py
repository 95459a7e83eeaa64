"""What every API view shares: the caller's account and environment, and scoped look-ups."""

from __future__ import annotations

from typing import cast

from django.http import QueryDict
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tasks.api.cross_site import refuse_cross_site
from tasks.errors import ApiError
from tasks.limits import unstorable
from tasks.models import ApiKey, Batch, Project, Task
from tasks.presenters import readable


class ApiView(APIView):
    """An endpoint of the v1 API. The key decides the account and live/test environment."""

    def initialize_request(self, request, *args, **kwargs):
        # DRF reads no body without a Content-Length; a chunked upload has none.
        if "CONTENT_LENGTH" not in request.META and "chunked" in request.META.get(
                "HTTP_TRANSFER_ENCODING", "").lower():
            request.META["CONTENT_LENGTH"] = str(len(request.body))
        return super().initialize_request(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        refuse_cross_site(request)
        super().initial(request, *args, **kwargs)
        # A form or multipart body: its text fields may not hold NUL either (JSON bodies are
        # checked by the parser).
        if request.method not in ("GET", "HEAD", "OPTIONS") and isinstance(request.data,
                                                                           QueryDict):
            fields = {k: [getattr(v, "name", v) for v in values]
                      for k, values in request.data.lists()}
            if (problem := unstorable(fields)) is not None:
                raise ApiError(400, problem)

    @property
    def owner(self):
        return self.request.user

    @property
    def is_test(self) -> bool:
        # The one authentication class (tasks/api/auth.py) puts the caller's ApiKey here.
        return cast("ApiKey", self.request.auth).is_test

    def scoped(self, model):
        qs = model.objects.filter(owner=self.owner, is_test=self.is_test)
        # the customer never sees a replica, a gold or a training row (docs/quality.md)
        return qs.for_customer() if model is Task else qs

    def get_task(self, task_id: str, *, to_show: bool = False) -> Task:
        """The caller's task; `to_show`: only to be shown with task_json() (presenters.readable)."""
        qs = self.scoped(Task).select_related("project", "batch")
        if to_show:
            qs = readable(qs)
        # [:1], not first(): the primary key needs no ORDER BY (compiling it cost more than
        # running the query).
        found = list(qs.filter(task_id=task_id)[:1])
        if not found:
            raise ApiError(404, "Task with that ID not found.")
        return found[0]

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

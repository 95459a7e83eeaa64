"""What every API view shares: the caller's account and environment, and scoped look-ups."""

from __future__ import annotations

from typing import cast

from django.db.models import Model, QuerySet
from django.http import QueryDict
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tasks.api.cross_site import refuse_cross_site
from tasks.errors import ApiError
from tasks.limits import unstorable
from tasks.models import ApiKey, Batch, Project, Task
from tasks.presenters import readable
from tasks.query_templates import QueryTemplate


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
        return scoped(model, self.owner, self.is_test)

    def get_task(self, task_id: str, *, to_show: bool = False) -> Task:
        """The caller's task; `to_show`: only to be shown with task_json() (presenters.readable),
        read by a compiled query: GET one task is the API's most frequent call, and building
        and compiling its queryset was half its CPU (docs/performance.md "The write path")."""
        if to_show:
            found = _SHOWN_TASK.first((self.is_test,), {"owner": self.owner, "task_id": task_id})
        else:
            found = next(iter(_task_row(self.is_test, owner=self.owner, task_id=task_id)), None)
        if found is None:
            raise ApiError(404, "Task with that ID not found.")
        return found

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


def scoped(model: type[Model], owner: Model, is_test: bool) -> QuerySet:
    """`model`'s rows of this account (`owner`) in this environment."""
    qs = model._default_manager.filter(owner=owner, is_test=is_test)
    # the customer never sees a replica, a gold or a training row (docs/quality.md)
    return qs.for_customer() if model is Task else qs  # type: ignore[attr-defined]


def _task_row(is_test: bool, *, owner: Model, task_id: str, to_show: bool = False) -> QuerySet:
    qs = scoped(Task, owner, is_test).select_related("project", "batch")
    # [:1], not first(): the primary key needs no ORDER BY
    return (readable(qs) if to_show else qs).filter(task_id=task_id)[:1]


def _shown_task(is_test: bool, *, owner: Model, task_id: str) -> QuerySet:
    return _task_row(is_test, owner=owner, task_id=task_id, to_show=True)


_SHOWN_TASK: QueryTemplate[Task] = QueryTemplate(Task, _shown_task)


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

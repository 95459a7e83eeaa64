"""Endpoints under /v1/task and /v1/tasks."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request
from rest_framework.response import Response

from tasks import kinds, lifecycle
from tasks.api import listing
from tasks.api.base import ApiView, body_list, body_object, ok
from tasks.api.deferred_schema import extend_schema
from tasks.api.schema import (
    METADATA_BODY,
    TAGS_BODY,
    AuditSerializer,
    TaskCreateSerializer,
    TaskListSerializer,
    TaskSerializer,
    UniqueIdSerializer,
)
from tasks.errors import ApiError
from tasks.models import Task
from tasks.models.files import SCHEME
from tasks.presenters import limited_task_json, readable, task_json

TASK_TAG = ["tasks"]


def task_schema(summary: str, request=None, response=TaskSerializer, **kwargs):
    return extend_schema(summary=summary, tags=TASK_TAG, request=request,
                         responses={200: response}, **kwargs)


class TaskView(ApiView):
    """`GET task/{task_id}` reads a task; `POST task/{type}` creates one: one path, two verbs."""

    @task_schema("Retrieve a task")
    def get(self, request: Request, key: str) -> Response:
        return ok(task_json(self.get_task(key, to_show=True)))

    @task_schema(f"Create a task of the given type ({', '.join(kinds.names())})",
                 request=TaskCreateSerializer)
    def post(self, request: Request, key: str) -> Response:
        task = lifecycle.create_task(owner=self.owner, is_test=self.is_test, task_type=key,
                                     body=request.data,
                                     base_url=request.build_absolute_uri("/"))
        return ok(task_json(task))


class TaskListView(ApiView):
    @task_schema("List tasks, newest first, with cursor paging", response=TaskListSerializer,
                 parameters=[
        OpenApiParameter(name, str, description=f"filters on {lookup}")
        for name, lookup in listing.DATE_FILTERS.items()
    ] + [OpenApiParameter(name, str) for name in sorted(listing.OTHER_PARAMS)])
    def get(self, request: Request) -> Response:
        query = request.query_params
        listing.check_params(query)
        limit = listing.parse_limit(query)
        qs = listing.apply_filters(self.scoped(Task), query)
        total = listing.count_total(qs, self.owner.pk, self.is_test, query)
        page = listing.after_token(qs, query.get("next_token")).select_related("project",
                                                                               "batch")
        if not listing.parse_bool("include_attachment_url",
                                  query.get("include_attachment_url", "false")):
            page = readable(page)  # the JSON columns passed through undecoded
        found = list(page.order_by("-created_at", "-task_id")[: limit + 1])
        has_more = len(found) > limit
        found = found[:limit]
        next_token = listing.encode_token(found[-1].created_at, found[-1].task_id) \
            if has_more else None
        return ok({"docs": self._docs(found, query), "total": total, "limit": limit,
                   "offset": 0, "has_more": has_more, "next_token": next_token})

    def _docs(self, page: list[Task], query) -> list[dict]:
        if listing.parse_bool("limited_response", query.get("limited_response", "false")):
            return [limited_task_json(t) for t in page]
        if listing.parse_bool("include_attachment_url",
                              query.get("include_attachment_url", "false")):
            return [task_json(t, attachment_url=self._attachment_url(t)) for t in page]
        return [task_json(t) for t in page]

    def _attachment_url(self, task: Task) -> str:
        url = task.params.get("attachment", "")
        if url.startswith(SCHEME):
            file_id = url.rsplit("/", 1)[-1]
            return self.request.build_absolute_uri(f"/v1/files/{file_id}/content")
        return url


class CancelTaskView(ApiView):
    @task_schema("Cancel a task that has not been started", parameters=[
        OpenApiParameter("clear_unique_id", bool)])
    def post(self, request: Request, task_id: str) -> Response:
        clear = listing.parse_bool("clear_unique_id",
                                   request.query_params.get("clear_unique_id", "false"))
        task = lifecycle.cancel_task(self.get_task(task_id), clear_unique_id=clear)
        return ok(task_json(Task.objects.select_related("project", "batch").get(pk=task.pk)))


class AuditTaskView(ApiView):
    @task_schema("Accept or reject a completed task", request=AuditSerializer)
    def post(self, request: Request, task_id: str) -> Response:
        body = body_object(request)
        accepted = body.get("accepted")
        if not isinstance(accepted, bool):
            raise ApiError(400, "accepted must be true or false.")
        comments = body.get("comments")
        if comments is not None and not isinstance(comments, str):
            raise ApiError(400, "comments must be a string.")
        task = lifecycle.audit_task(self.get_task(task_id), accepted=accepted,
                                    comments=comments, by=self.owner.get_username())
        return ok(task_json(Task.objects.select_related("project", "batch").get(pk=task.pk)))


class TaskUniqueIdView(ApiView):
    @task_schema("Set or replace a task's unique_id", request=UniqueIdSerializer)
    def post(self, request: Request, task_id: str) -> Response:
        body = body_object(request)
        return ok(task_json(lifecycle.set_unique_id(self.get_task(task_id),
                                                    body.get("unique_id"))))

    @task_schema("Remove a task's unique_id")
    def delete(self, request: Request, task_id: str) -> Response:
        return ok(task_json(lifecycle.clear_unique_id(self.get_task(task_id))))


class TaskMetadataView(ApiView):
    @task_schema("Replace a task's metadata", request=METADATA_BODY)
    def post(self, request: Request, task_id: str) -> Response:
        return ok(task_json(lifecycle.set_metadata(self.get_task(task_id), request.data)))


class TaskTagsView(ApiView):
    @task_schema("Replace a task's tags", request=TAGS_BODY)
    def post(self, request: Request, task_id: str) -> Response:
        return ok(task_json(lifecycle.set_tags(self.get_task(task_id),
                                               body_list(request, "tags"))))

    @task_schema("Add tags to a task", request=TAGS_BODY)
    def put(self, request: Request, task_id: str) -> Response:
        task = self.get_task(task_id)
        added = [t for t in body_list(request, "tags") if t not in task.tags]
        return ok(task_json(lifecycle.set_tags(task, [*task.tags, *added])))

    @task_schema("Remove tags from a task", request=TAGS_BODY)
    def delete(self, request: Request, task_id: str) -> Response:
        task = self.get_task(task_id)
        removed = body_list(request, "tags")
        return ok(task_json(lifecycle.set_tags(task, [t for t in task.tags
                                                      if t not in removed])))

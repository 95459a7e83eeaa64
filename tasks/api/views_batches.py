"""Endpoints under /v1/batches."""

from __future__ import annotations

from django.db.models import Count
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request
from rest_framework.response import Response

from tasks import projects
from tasks.api import listing
from tasks.api.base import ApiView, body_object, ok
from tasks.api.deferred_schema import extend_schema
from tasks.api.schema import (
    METADATA_BODY,
    BatchCountsSerializer,
    BatchCreateSerializer,
    BatchListSerializer,
    BatchSerializer,
)
from tasks.errors import ApiError
from tasks.models import Batch, Task
from tasks.models.projects import BatchStatus
from tasks.presenters import batch_json

TAGS = ["batches"]
# Databases take 64-bit offsets; offset + limit must stay below 2^63.
MAX_OFFSET = 2**62
LIST_PARAMS = {"project", "status", "start_time", "end_time", "completed_after",
               "completed_before", "exclude_archived", "limit", "offset"}
# Scale's filters on audit times: refused by name rather than silently ignored.
UNSUPPORTED_PARAMS = {"audited_after", "audited_before"}


def obj_schema(summary: str, request=None, response=BatchSerializer, **kwargs):
    return extend_schema(summary=summary, tags=TAGS, request=request,
                         responses={200: response}, **kwargs)


class BatchesView(ApiView):
    @obj_schema("List batches, newest first, offset paging", response=BatchListSerializer,
                operation_id="batches_list",
                parameters=[OpenApiParameter(n, str) for n in sorted(LIST_PARAMS)])
    def get(self, request: Request) -> Response:
        query = request.query_params
        unsupported = sorted(set(query) & UNSUPPORTED_PARAMS)
        if unsupported:
            raise ApiError(400, f"{', '.join(unsupported)} is not supported by this server.")
        unknown = sorted(set(query) - LIST_PARAMS)
        if unknown:
            raise ApiError(400, f"Unknown parameter(s) for /batches: {', '.join(unknown)}.")
        qs = self._filter(self.scoped(Batch).select_related("project"), query)
        limit = listing.parse_limit(query)
        offset = self._offset(query)
        total = qs.count()
        page = list(qs.order_by("-created_at", "-id")[offset: offset + limit])
        return ok({"docs": [batch_json(b) for b in page], "totalDocs": total, "total": total,
                   "limit": limit, "offset": offset, "has_more": offset + len(page) < total})

    @staticmethod
    def _offset(query) -> int:
        try:
            offset = int(query.get("offset", "0"))
        except ValueError:
            offset = -1
        if not 0 <= offset <= MAX_OFFSET:
            raise ApiError(400, f"offset must be an integer from 0 to {MAX_OFFSET}.")
        return offset

    @staticmethod
    def _filter(qs, query):
        if query.get("project"):
            qs = qs.filter(project__name=query["project"])
        status = query.get("status")
        if status:
            if status not in BatchStatus.values:
                raise ApiError(400, f"status must be one of {', '.join(BatchStatus.values)}.")
            qs = qs.filter(status=status)
        ranges = {"start_time": "created_at__gte", "end_time": "created_at__lte",
                  "completed_after": "completed_at__gte",
                  "completed_before": "completed_at__lte"}
        for name, lookup in ranges.items():
            if query.get(name):
                qs = qs.filter(**{lookup: listing.parse_time(name, query[name])})
        if listing.parse_bool("exclude_archived", query.get("exclude_archived", "false")):
            qs = qs.filter(project__archived=False)
        return qs

    @obj_schema("Create a batch", request=BatchCreateSerializer)
    def post(self, request: Request) -> Response:
        batch = projects.create_batch(owner=self.owner, is_test=self.is_test,
                                       body=body_object(request))
        return ok(batch_json(batch))


class BatchDetailView(ApiView):
    @obj_schema("Retrieve a batch")
    def get(self, request: Request, name: str) -> Response:
        return ok(batch_json(self.get_batch(name)))


class BatchFinalizeView(ApiView):
    @obj_schema("Finalize a batch")
    def post(self, request: Request, name: str) -> Response:
        return ok(batch_json(projects.finalize_batch(self.get_batch(name))))


class BatchStatusView(ApiView):
    @obj_schema("A batch's status and its task counts by status",
                response=BatchCountsSerializer)
    def get(self, request: Request, name: str) -> Response:
        batch = self.get_batch(name)
        counts = {row["status"]: row["n"] for row in
                  Task.objects.for_customer().filter(batch=batch).values("status")
                  .annotate(n=Count("pk")).order_by()}
        data = {"status": batch.status}
        for status in ("pending", "completed", "error", "canceled"):
            data[status] = counts.get(status, 0)
        return ok(data)


class BatchSetMetadataView(ApiView):
    @obj_schema("Replace a batch's metadata", request=METADATA_BODY)
    def post(self, request: Request, name: str) -> Response:
        return ok(batch_json(projects.set_batch_metadata(self.get_batch(name),
                                                          request.data)))

"""GET /v1/exports/{format}: the completed tasks of one of the caller's projects, as a file."""

from __future__ import annotations

from django.http import FileResponse, QueryDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request

from tasks.api.base import ApiView
from tasks.api.deferred_schema import extend_schema
from tasks.api.listing import parse_time
from tasks.errors import ApiError
from tasks.exports import FORMATS, file_response
from tasks.exports import options as export_options
from tasks.exports.selection import Selection, SelectionError

TAGS = ["exports"]
SELECTION_PARAMS = {"project", "batch", "tags", "completed_after", "completed_before"}
PARAMS = SELECTION_PARAMS | export_options.names()
DESCRIPTION = """Only completed tasks, oldest completion first. `scale`: JSON lines
(`application/x-ndjson`), one task JSON per line, exactly as `GET /v1/task/{id}` returns it.
`coco`: COCO JSON (`application/json`). `yolo`: a zip of Ultralytics detection and segmentation
label files with their `data.yaml`. `voc`: a zip of Pascal VOC XML files. The `X-Export-Report`
header summarises what was written and what the format could not carry (dropped or converted);
zips hold the full report as `export_report.json`, COCO in `info.export_report`. `masks`: a
zip of PNG mask folders (segmentation tasks). A format's options are further query parameters
(`instances`, COCO only); one the format does not take, or a value it does not offer, is a
400."""


class AnyAccept(BaseContentNegotiation):
    """The file's type is decided by the format; errors are JSON whatever Accept says."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ExportView(ApiView):
    content_negotiation_class = AnyAccept

    @extend_schema(
        summary="Export a project's completed tasks", description=DESCRIPTION, tags=TAGS,
        parameters=[
            OpenApiParameter("fmt", str, OpenApiParameter.PATH, enum=sorted(FORMATS),
                             description="scale, coco, yolo, voc or masks"),
            OpenApiParameter("project", str, description="Project name (or give `batch`)"),
            OpenApiParameter("batch", str, description="Only this batch of the project"),
            OpenApiParameter("tags", str, many=True,
                             description="Only tasks carrying every tag given"),
            OpenApiParameter("completed_after", OpenApiTypes.DATETIME),
            OpenApiParameter("completed_before", OpenApiTypes.DATETIME),
            *[OpenApiParameter(option.name, str, enum=list(option.choices),
                               description=f"{fmt} only: {option.help}")
              for fmt in sorted(export_options.OPTIONS)
              for option in export_options.of_format(fmt)],
        ],
        responses={
            (200, "application/x-ndjson"): OpenApiResponse(OpenApiTypes.BINARY, "scale"),
            (200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT, "coco"),
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, "yolo, voc, masks"),
            400: OpenApiResponse(OpenApiTypes.OBJECT, "A bad parameter or option"),
            404: OpenApiResponse(OpenApiTypes.OBJECT, "No such format, project or batch"),
        },
    )
    def get(self, request: Request, fmt: str) -> FileResponse:
        if fmt not in FORMATS:
            raise ApiError(404, f'No export format "{fmt}" (use {", ".join(sorted(FORMATS))}).')
        selection = self.selection(request.query_params)
        options = self.format_options(fmt, request.query_params)
        stem = selection.batch.name if selection.batch else selection.project.name
        response, _ = file_response(selection.tasks(), fmt, stem, options)
        return response

    def format_options(self, fmt: str, query: QueryDict) -> dict[str, str]:
        given = {name: query.get(name) for name in export_options.names() if name in query}
        try:
            return export_options.parse(fmt, given)
        except export_options.OptionError as exc:
            raise ApiError(400, str(exc)) from exc

    def selection(self, query: QueryDict) -> Selection:
        unknown = sorted(set(query) - PARAMS)
        if unknown:
            raise ApiError(400, f"Unknown parameter(s) for /exports: {', '.join(unknown)}.")
        batch_name, project_name = query.get("batch"), query.get("project")
        batch = self.get_batch(batch_name) if batch_name else None
        if project_name:
            project = self.get_project(project_name)
        elif batch is not None:
            project = batch.project
        else:
            raise ApiError(400, "Please include a project (or batch) parameter.")
        times = {name: parse_time(name, value) if (value := query.get(name)) else None
                 for name in ("completed_after", "completed_before")}
        try:
            return Selection(project=project, batch=batch,
                             tags=tuple(t for t in query.getlist("tags") if t), **times)
        except SelectionError as exc:
            raise ApiError(400, str(exc)) from exc

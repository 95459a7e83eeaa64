"""Endpoints under /v1/files."""

from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from tasks import files
from tasks.api import deferred_fetch
from tasks.api.base import ApiView, body_object, ok
from tasks.api.deferred_schema import extend_schema
from tasks.api.schema import UPLOAD_BODY, FileImportSerializer, FileSerializer
from tasks.errors import ApiError
from tasks.images import MIME_BY_FORMAT
from tasks.models import UploadedFile
from tasks.presenters import file_json

TAGS = ["files"]


class UploadFileView(ApiView):
    parser_classes = [MultiPartParser]  # the one endpoint that takes a file (and only there)

    @extend_schema(summary="Upload a file of up to 80 MB: an image, a video, a layers file "
                           "(multipart, field `file`)", tags=TAGS,
                   request=UPLOAD_BODY, responses={200: FileSerializer})
    def post(self, request: Request) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            raise ApiError(400, "Please include the file in the multipart field `file`.")
        fields = {k: request.data.get(k) for k in
                  ("display_name", "project_name", "reference_id", "metadata")}
        record = files.store_file(owner=self.owner, is_test=self.is_test, data=upload.read(),
                                  fields=fields, default_name=upload.name or "")
        return ok(file_json(record))


class ImportFileView(ApiView):
    @extend_schema(summary="Import an image from a URL", tags=TAGS,
                   request=FileImportSerializer, responses={200: FileSerializer})
    def post(self, request: Request) -> Response | deferred_fetch.DeferredFetch:
        body = body_object(request)
        url = body.get("file_url")
        if isinstance(url, str) and url:
            if deferred_fetch.can_defer(request):  # fetched off this thread, then again here
                return deferred_fetch.DeferredFetch(url)
            fetch = deferred_fetch.prefetched(request, url)
        else:
            fetch = None
        record = files.import_file(owner=self.owner, is_test=self.is_test, body=body,
                                   fetch=fetch)
        return ok(file_json(record))


class FileContentView(ApiView):
    @extend_schema(summary="Download a stored file", tags=TAGS,
                   responses={(200, mime): OpenApiTypes.BINARY
                              for mime in MIME_BY_FORMAT.values()})
    def get(self, request: Request, file_id: str) -> FileResponse:
        record = self.scoped(UploadedFile).filter(id=file_id).first()
        if record is None:
            raise ApiError(404, "File not found.")
        # Anything but an image is a download, never shown in the API's origin.
        shown = record.mime_type in MIME_BY_FORMAT.values()
        return FileResponse(record.file.open("rb"), content_type=record.mime_type,
                            as_attachment=not shown,
                            filename="" if shown else (record.display_name or str(record.id)))

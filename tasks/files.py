"""Storing uploaded and imported files."""

from __future__ import annotations

import hashlib

import orjson
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from tasks import fetching
from tasks.errors import ApiError
from tasks.file_types import sniffed_type
from tasks.images import NotAnImage, inspect_image
from tasks.limits import unstorable
from tasks.models import UploadedFile


def _options(fields: dict) -> dict:
    metadata = fields.get("metadata") or {}
    if isinstance(metadata, str):
        try:
            metadata = orjson.loads(metadata)
        except orjson.JSONDecodeError as exc:
            raise ApiError(400, "metadata must be a JSON-encoded object.") from exc
    if not isinstance(metadata, dict):
        raise ApiError(400, "metadata must be an object.")
    if (problem := unstorable(metadata, "metadata")) is not None:
        raise ApiError(400, problem)
    project_name = fields.get("project_name") or ""
    reference_id = fields.get("reference_id") or None
    display_name = fields.get("display_name") or ""
    for name, value in (("project_name", project_name), ("display_name", display_name),
                        ("reference_id", reference_id or "")):
        if not isinstance(value, str) or len(value) > 300:
            raise ApiError(400, f"{name} must be a string of at most 300 characters.")
    return {"metadata": metadata, "project_names": [project_name] if project_name else [],
            "reference_id": reference_id, "display_name": display_name}


def store_file(*, owner, is_test: bool, data: bytes, fields: dict, source_url: str = "",
               default_name: str = "") -> UploadedFile:
    if len(data) > settings.ANNOTATOR_MAX_UPLOAD_BYTES:
        raise ApiError(413, f"The file is larger than {settings.ANNOTATOR_MAX_UPLOAD_BYTES} "
                            "bytes.")
    if not data:
        raise ApiError(400, "file: the file is empty.")
    options = _options(fields)
    try:
        mime_type = inspect_image(data).mime_type
    except NotAnImage:
        mime_type = sniffed_type(data)  # checked by content where it is used
    record = UploadedFile(
        owner=owner, is_test=is_test, mime_type=mime_type, size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), source_url=source_url,
        display_name=options["display_name"] or default_name,
        project_names=options["project_names"], reference_id=options["reference_id"],
        metadata=options["metadata"], created_at=timezone.now(), updated_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            record.file.save(str(record.id), ContentFile(data), save=False)
            record.save()
    except IntegrityError as exc:
        record.file.delete(save=False)
        raise ApiError(409, f'A file with reference_id "{record.reference_id}" already '
                            "exists.") from exc
    return record


def import_file(*, owner, is_test: bool, body: dict, fetch=None) -> UploadedFile:
    """`fetch`: what fetches the URL (default `fetching.fetch`; the server passes the result
    it fetched off the request threads, tasks/api/deferred_fetch.py)."""
    url = body.get("file_url")
    if not isinstance(url, str) or not url:
        raise ApiError(400, "Please include a file_url parameter.")
    try:
        result = (fetch or fetching.fetch)(url, max_bytes=settings.ANNOTATOR_MAX_UPLOAD_BYTES)
    except fetching.FetchError as exc:
        raise ApiError(400, f"file_url could not be fetched: {exc}") from exc
    name = url.rsplit("/", 1)[-1].split("?", 1)[0][:300]
    return store_file(owner=owner, is_test=is_test, data=result.content, fields=body,
                      source_url=url, default_name=name)

"""The exported tasks, read in chunks, each with its image's file name and size.

File names (see `tasks.exports.names`): a `scaledata://` attachment takes the stored file's
display name (the relative path `import_images` gave it, or the upload's name), any other URL
its last path segment. Sizes: those the attachment worker recorded on the task, else the stored
file's, read from its header.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict, cast

import orjson
from django.db.models import QuerySet, TextField
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from PIL import Image

from tasks.exports.names import NameBook, url_name
from tasks.models import Task, UploadedFile
from tasks.models.files import SCHEME

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

CHUNK_SIZE = 500
EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif",
              "image/webp": ".webp", "image/bmp": ".bmp", "image/tiff": ".tif"}

Progress = Callable[[int, int], None]


@dataclass
class ExportItem:
    task: Task
    response: dict = field(default_factory=dict)
    attachment: str = ""
    file_name: str = ""
    width: int | None = None
    height: int | None = None

    @property
    def annotations(self) -> list[dict]:
        found = self.response.get("annotations")
        return [a for a in found if isinstance(a, dict)] if isinstance(found, list) else []

    @property
    def has_size(self) -> bool:
        return bool(self.width and self.height)

    @property
    def size(self) -> tuple[int, int]:
        """(width, height), for an item that `has_size` (the image formats check first)."""
        if not (self.width and self.height):
            raise ValueError(f"the size of {self.task.task_id}'s image is not known")
        return self.width, self.height

    @property
    def stem(self) -> str:
        return posixpath.splitext(self.file_name)[0]


# What the image formats read of a task; its params and response are read as text and decoded
# here (orjson is several times faster than the JSON field's decoder, and params are big).
IMAGE_FIELDS = ("task_id", "owner", "completed_at", "attachment_width", "attachment_height",
                "attachment_mime")


def rows(queryset: QuerySet, *, with_images: bool) -> QuerySet:
    queryset = queryset.order_by("completed_at", "task_id")
    if not with_images:
        return queryset.select_related("project", "batch")
    return queryset.only(*IMAGE_FIELDS).annotate(
        export_attachment=KT("params__attachment"),
        export_response=Cast("response", TextField()),
    )


def iter_items(queryset: QuerySet, *, with_images: bool, total: int,
               progress: Progress | None = None) -> Iterator[ExportItem]:
    names = NameBook()
    done = 0
    found = rows(queryset, with_images=with_images).iterator(chunk_size=CHUNK_SIZE)
    for chunk in _chunks(found, CHUNK_SIZE):
        items = [_item(task, with_images) for task in chunk]
        if with_images:
            _describe_images(items, names)
        yield from items
        done += len(items)
        if progress is not None:
            progress(done, total)


class _ExportColumns(TypedDict):
    """What `rows` annotates a task with for the image formats."""

    export_attachment: str | None
    export_response: str | None


def _item(task: Task, with_images: bool) -> ExportItem:
    if not with_images:
        response = task.response
        attachment = (task.params or {}).get("attachment")
    else:
        columns = cast("WithAnnotations[Task, _ExportColumns]", task)  # read by rows()
        response = orjson.loads(columns.export_response) if columns.export_response else None
        attachment = columns.export_attachment
    return ExportItem(task, response=response if isinstance(response, dict) else {},
                      attachment=attachment if isinstance(attachment, str) else "")


def _chunks(found: Iterator[Task], size: int) -> Iterator[list[Task]]:
    chunk: list[Task] = []
    for row in found:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _describe_images(items: list[ExportItem], names: NameBook) -> None:
    files = _stored_files(items)
    for item in items:
        task = item.task
        record = files.get(item.attachment)
        item.width, item.height = task.attachment_width, task.attachment_height
        if not item.has_size and record is not None:
            item.width, item.height = _stored_size(record)
        wanted = record.display_name if record is not None else url_name(item.attachment)
        item.file_name = names.take(wanted, task.task_id, _extension(task, record))


def _stored_files(items: list[ExportItem]) -> dict[str, UploadedFile]:
    """The account's uploaded files the tasks point at, by attachment URL (one query)."""
    wanted: dict[str, str] = {}
    for item in items:
        url = item.attachment
        owner_part, _, file_id = url[len(SCHEME):].partition("/")
        if url.startswith(SCHEME) and owner_part == str(item.task.owner_id) and len(file_id) == 36:
            wanted[file_id] = url
    if not wanted:
        return {}
    try:
        rows = UploadedFile.objects.filter(id__in=list(wanted))
        return {row.attachment_url: row for row in rows}
    except Exception:  # a malformed id in an old row
        return {}


def _stored_size(record: UploadedFile) -> tuple[int | None, int | None]:
    try:
        with record.file.open("rb") as handle, Image.open(handle) as img:
            return img.size
    except Exception:  # a missing or broken file: the size stays unknown, and is reported
        return None, None


def _extension(task: Task, record: UploadedFile | None) -> str:
    mime = task.attachment_mime or (record.mime_type if record is not None else "")
    return EXTENSIONS.get(mime, ".jpg")

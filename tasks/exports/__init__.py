"""Exports of completed tasks: Scale JSON lines, COCO, YOLO, Pascal VOC and PNG mask folders.

`export_tasks(queryset, fmt, out)` writes the completed tasks of `queryset` to the binary file
`out` and returns an `ExportReport`: what was written, and every annotation or field the format
could not carry as it was (dropped or converted), so that nothing is lost silently. Pick the
tasks with `selection.Selection(...).tasks()`; the management command `export`, the API
endpoint `GET /v1/exports/{format}` and the Project admin's actions all come through here.
A format's options (`tasks.exports.options`, e.g. COCO's `instances`) reach its `write` as
keyword arguments.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from types import ModuleType
from typing import IO

from django.db.models import QuerySet
from django.http import FileResponse

from tasks import kinds
from tasks.exports import coco, mask_folders, scale, voc, yolo
from tasks.exports import options as export_options
from tasks.exports.labels import Categories
from tasks.exports.report import ExportReport
from tasks.exports.source import ExportItem, Progress, iter_items
from tasks.models import TaskStatus

FORMATS: dict[str, ModuleType] = {"scale": scale, "coco": coco, "yolo": yolo, "voc": voc,
                                   "masks": mask_folders}
LABELS = {"scale": "Scale JSON lines", "coco": "COCO JSON", "yolo": "YOLO (zip)",
          "voc": "Pascal VOC XML (zip)", "masks": "PNG mask folders (zip)"}
# An export is built in memory up to this size, then in a temporary file.
SPOOL_BYTES = 32 * 1024 * 1024

__all__ = ["FORMATS", "LABELS", "ExportReport", "export_tasks", "file_response"]


def export_tasks(queryset: QuerySet, fmt: str, out: IO[bytes], *,
                 options: Mapping[str, str | None] | None = None,
                 progress: Progress | None = None) -> ExportReport:
    """`options`: the format's (tasks/exports/options.py); a bad one is an OptionError."""
    writer = FORMATS[fmt]
    chosen = export_options.parse(fmt, options or {})
    queryset = queryset.filter(status=TaskStatus.COMPLETED)
    report = ExportReport(format=fmt, options=chosen)
    total = queryset.count()
    queryset = _without_unfit_kinds(queryset, fmt, report)
    categories = Categories.of_tasks(queryset) if writer.NEEDS_IMAGES else None
    items = iter_items(queryset, with_images=writer.NEEDS_IMAGES, total=total,
                       progress=progress)
    writer.write(_counted(items, report), categories, out, report, **chosen)
    return report


def _without_unfit_kinds(queryset: QuerySet, fmt: str, report: ExportReport) -> QuerySet:
    """The tasks of a kind the format cannot carry (the image formats have no frames or
    tracks) are left out, each reported."""
    unfit = [kind for kind in kinds.all_kinds() if fmt not in kind.export_formats]
    for kind in unfit:
        left_out = queryset.filter(type=kind.name).order_by("completed_at")
        for task_id in left_out.values_list("task_id", flat=True).iterator():
            report.note(task_id, f"{kind.label} task", kind.export_refusal)
    return queryset.exclude(type__in=[kind.name for kind in unfit]) if unfit else queryset


def _counted(items: Iterator[ExportItem], report: ExportReport) -> Iterator[ExportItem]:
    for item in items:
        report.tasks += 1
        yield item


def file_name(stem: str, fmt: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in stem).strip("._") or "export"
    return f"{safe}-{fmt}.{FORMATS[fmt].EXTENSION}"


def file_response(queryset: QuerySet, fmt: str, stem: str,
                  options: Mapping[str, str | None] | None = None,
                  ) -> tuple[FileResponse, ExportReport]:
    """The export as a download, with its report's summary in the X-Export-Report header."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - the response closes it
    report = export_tasks(queryset, fmt, spool, options=options)
    spool.seek(0)
    response = FileResponse(spool, as_attachment=True, filename=file_name(stem, fmt),
                            content_type=FORMATS[fmt].MEDIA_TYPE)
    response["X-Export-Report"] = report.header()
    response["X-Export-Tasks"] = str(report.tasks)
    return response, report

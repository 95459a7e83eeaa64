"""What the zip formats (YOLO, VOC) share: the archive, its image list and its report."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import IO

import orjson

from tasks.exports.report import ExportReport
from tasks.exports.source import ExportItem

REPORT_NAME = "export_report.json"
IMAGES_NAME = "images.csv"


class Archive:
    """A zip being written to `out`, with `images.csv` (which image each label file is for)
    and `export_report.json` added on `close`."""

    def __init__(self, out: IO[bytes], report: ExportReport) -> None:
        self.zip = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED)
        self.report = report
        self._images = io.StringIO()
        self._csv = csv.writer(self._images, lineterminator="\n")
        self._csv.writerow(["file_name", "width", "height", "task_id", "attachment"])

    def add(self, name: str, data: str | bytes) -> None:
        self.zip.writestr(name, data)
        self.report.files += 1

    def add_image(self, item: ExportItem) -> None:
        self.report.images += 1
        self._csv.writerow([item.file_name, item.width or "", item.height or "",
                            item.task.task_id, item.attachment])

    def close(self) -> None:
        self.add(IMAGES_NAME, self._images.getvalue())
        self.report.files += 1  # the report counts itself
        self.zip.writestr(REPORT_NAME, orjson.dumps(self.report.as_json(),
                                                    option=orjson.OPT_INDENT_2))
        self.zip.close()

"""Scale JSON lines: one task per line, exactly the task JSON of the API. Nothing is lost."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

import orjson

from tasks.exports.labels import Categories
from tasks.exports.report import ExportReport
from tasks.exports.source import ExportItem
from tasks.presenters import task_json

MEDIA_TYPE = "application/x-ndjson"
EXTENSION = "jsonl"
NEEDS_IMAGES = False


def write(items: Iterable[ExportItem], categories: Categories | None, out: IO[bytes],
          report: ExportReport) -> None:
    for item in items:
        out.write(orjson.dumps(task_json(item.task)) + b"\n")
        for ann in item.annotations:
            report.wrote(str(ann.get("type")))
    report.files = 1

"""Notes shared by the formats that cannot carry Scale's task-level data."""

from __future__ import annotations

from tasks.exports.report import ExportReport
from tasks.exports.source import ExportItem


def note_task_fields(item: ExportItem, report: ExportReport, fields: tuple[str, ...]) -> None:
    """Report each of `fields` (e.g. links, global_attributes) the response has, non-empty."""
    for name in fields:
        if item.response.get(name):
            report.note(item.task.task_id, name, "dropped")


def note_attributes(ann: dict, item: ExportItem, report: ExportReport) -> None:
    if ann.get("attributes"):
        report.note(item.task.task_id, "attributes", "dropped", ann.get("uuid"))


def note_dropped(ann: dict, item: ExportItem, report: ExportReport, why: str) -> None:
    report.note(item.task.task_id, f"{ann.get('type')} annotation", f"dropped: {why}",
                ann.get("uuid"))

"""python manage.py export --project NAME [--batch NAME] [--tags T ...]
[--completed-after D] [--completed-before D] --format scale|coco|yolo|voc|masks -o PATH
[--account USERNAME] [--test] [--instances rle|polygons (coco)]"""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tasks.api.listing import parse_time
from tasks.collector import collector_paused
from tasks.errors import ApiError
from tasks.exports import FORMATS, export_tasks
from tasks.exports import options as export_options
from tasks.exports.selection import Selection, SelectionError, find_batch, find_project
from tasks.management.progress import ProgressLine


class Command(BaseCommand):
    help = ("Export the completed tasks of a project (or one of its batches) as Scale JSON "
            "lines, COCO, YOLO, Pascal VOC or PNG mask folders, and say what the format could "
            "not carry.")
    # The system checks import every URL and view module first: a third of a second of a
    # 10,000-task export (bench/README.md). `manage.py check` runs them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--project", required=True)
        parser.add_argument("--batch")
        parser.add_argument("--tags", nargs="+", default=[], metavar="TAG",
                            help="only tasks carrying every one of these tags")
        parser.add_argument("--completed-after", metavar="DATE", help="ISO 8601 date or time")
        parser.add_argument("--completed-before", metavar="DATE", help="ISO 8601 date or time")
        parser.add_argument("--format", required=True, choices=sorted(FORMATS), dest="fmt")
        parser.add_argument("-o", "--output", required=True, metavar="PATH")
        parser.add_argument("--account", metavar="USERNAME",
                            help="the project's owner, needed when several have that name")
        parser.add_argument("--test", action="store_true",
                            help="export the test project of that name (default: live)")
        for fmt, options in sorted(export_options.OPTIONS.items()):
            for option in options:
                parser.add_argument(f"--{option.name}", choices=option.choices,
                                    dest=f"option_{option.name}",
                                    help=f"{fmt} only: {option.help}")

    def handle(self, *args, **options) -> None:
        selection = self._selection(options)
        chosen = _format_options(options)
        output = Path(options["output"])
        progress = ProgressLine(self.stderr, "tasks")
        # A process of its own: the collector may pause (tasks/collector.py).
        with output.open("wb") as out, collector_paused():
            report = export_tasks(selection.tasks(), options["fmt"], out, options=chosen,
                                  progress=progress)
        progress.end()
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(f"Wrote {output}.")

    def _selection(self, options: dict) -> Selection:
        try:
            project = find_project(options["project"], account=options["account"],
                                   is_test=options["test"])
            batch = find_batch(project, options["batch"]) if options["batch"] else None
            return Selection(
                project=project, batch=batch, tags=tuple(options["tags"]),
                completed_after=_time("--completed-after", options["completed_after"]),
                completed_before=_time("--completed-before", options["completed_before"]),
            )
        except (SelectionError, ApiError) as exc:
            raise CommandError(str(exc)) from exc


def _format_options(options: dict) -> dict[str, str]:
    given = {name: options.get(f"option_{name}") for name in export_options.names()}
    try:
        return export_options.parse(options["fmt"], given)
    except export_options.OptionError as exc:
        raise CommandError(str(exc)) from exc


def _time(name: str, value: str | None) -> datetime | None:
    return parse_time(name, value) if value else None


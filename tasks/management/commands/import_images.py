"""python manage.py import_images DIR --project NAME [--batch NAME] [--account USERNAME]
[--hypothesis-coco FILE] [--test]"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tasks.exports.selection import SelectionError, find_batch, find_project
from tasks.imports.coco_hypothesis import CocoHypotheses, HypothesisFileError
from tasks.imports.folder import Target, import_folder
from tasks.management.progress import ProgressLine


class Command(BaseCommand):
    help = ("Create a task with the project's params for every image under DIR (recursively), "
            "skipping files already imported (by content hash) and files that are not images.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("directory", metavar="DIR")
        parser.add_argument("--project", required=True)
        parser.add_argument("--batch")
        parser.add_argument("--account", metavar="USERNAME",
                            help="the project's owner, needed when several have that name")
        parser.add_argument("--hypothesis-coco", metavar="FILE", type=Path,
                            help="COCO predictions to attach as each task's hypothesis")
        parser.add_argument("--test", action="store_true",
                            help="import into the test project of that name (default: live)")

    def handle(self, *args, directory: str, **options) -> None:
        root = Path(directory)
        if not root.is_dir():
            raise CommandError(f"{root} is not a directory.")
        target = self._target(options)
        progress = ProgressLine(self.stderr, "files")
        summary = import_folder(root, target, progress)
        progress.end()
        for line in summary.lines():
            self.stdout.write(line)
        if target.hypotheses is not None:
            self._hypothesis_lines(summary.hypotheses, target.hypotheses)

    def _target(self, options: dict) -> Target:
        try:
            project = find_project(options["project"], account=options["account"],
                                   is_test=options["test"])
            batch = find_batch(project, options["batch"]) if options["batch"] else None
            coco = options["hypothesis_coco"]
            hypotheses = CocoHypotheses.load(coco, project) if coco else None
        except (SelectionError, HypothesisFileError) as exc:
            raise CommandError(str(exc)) from exc
        if batch is not None and batch.project_id != project.pk:
            raise CommandError(f'Batch "{batch.name}" belongs to project '
                               f'"{batch.project.name}", not "{project.name}".')
        return Target(project=project, batch=batch, hypotheses=hypotheses)

    def _hypothesis_lines(self, attached: int, hypotheses: CocoHypotheses) -> None:
        self.stdout.write(f"Hypotheses attached to {attached} task(s); "
                          f"{hypotheses.unmatched_images()} COCO image(s) matched no file.")
        for note, count in sorted(hypotheses.notes.items()):
            self.stdout.write(f"  {count} x {note}")

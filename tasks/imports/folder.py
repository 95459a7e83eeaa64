"""A folder of images becomes tasks of a project: one task per image, with the project's params.

Each file is read once: its SHA-256 names it (`unique_id` "sha256:<hex>"), so a file already
imported into the account is skipped before anything is stored; files that are not images are
skipped and reported; every image is stored like an upload (`tasks.files.store_file`, display
name = its path relative to the folder) and becomes a task through `tasks.lifecycle`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tasks import lifecycle
from tasks.errors import ApiError
from tasks.files import store_file
from tasks.images import NotAnImage, inspect_image
from tasks.imports.coco_hypothesis import CocoHypotheses
from tasks.models import Batch, Project, Task, UploadedFile

PREFIX = "sha256:"
NAME_MAX = 300


@dataclass
class ImportSummary:
    created: list[str] = field(default_factory=list)  # task ids
    duplicates: list[str] = field(default_factory=list)  # relative paths
    not_images: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    hypotheses: int = 0  # tasks created with a hypothesis
    hypothesis_rejected: list[tuple[str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        lines = [f"Created {len(self.created)} task(s); skipped {len(self.duplicates)} already "
                 f"imported; skipped {len(self.not_images)} non-image file(s); "
                 f"{len(self.failed)} failed."]
        lines += [f"  not an image: {path} ({why})" for path, why in self.not_images]
        lines += [f"  failed: {path}: {why}" for path, why in self.failed]
        lines += [f"  hypothesis rejected for {path} (task created without it): {why}"
                  for path, why in self.hypothesis_rejected]
        return lines


@dataclass
class Target:
    project: Project
    batch: Batch | None = None
    hypotheses: CocoHypotheses | None = None

    def body(self, attachment: str, unique_id: str) -> dict:
        body = {"project": self.project.name, "attachment": attachment, "unique_id": unique_id}
        if self.batch is not None:
            body["batch"] = self.batch.name
        return body


def image_files(root: Path) -> list[Path]:
    """Every file under `root`, hidden folders' too, in a stable order."""
    return sorted(path for path in root.rglob("*") if path.is_file())


def import_folder(root: Path, target: Target,
                  progress: Callable[[int, int], None] | None = None) -> ImportSummary:
    files = image_files(root)
    project = target.project
    seen = set(Task.objects.filter(owner=project.owner, is_test=project.is_test,
                                   unique_id__startswith=PREFIX)
               .values_list("unique_id", flat=True))
    summary = ImportSummary()
    for done, path in enumerate(files, start=1):
        import_file(path, path.relative_to(root).as_posix(), target, seen, summary)
        if progress is not None:
            progress(done, len(files))
    return summary


def import_file(path: Path, relative: str, target: Target, seen: set[str | None],
                summary: ImportSummary) -> None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        summary.failed.append((relative, f"cannot be read: {exc.strerror or exc}"))
        return
    unique_id = PREFIX + hashlib.sha256(data).hexdigest()
    if unique_id in seen:
        summary.duplicates.append(relative)
        return
    try:
        inspect_image(data)
    except NotAnImage as exc:
        summary.not_images.append((relative, str(exc)))
        return
    task = _create(data, relative, unique_id, target, summary)
    if task is not None:
        seen.add(unique_id)
        summary.created.append(task.task_id)


def _create(data: bytes, relative: str, unique_id: str, target: Target,
            summary: ImportSummary) -> Task | None:
    project = target.project
    try:
        record = store_file(owner=project.owner, is_test=project.is_test, data=data,
                            fields={"display_name": relative[-NAME_MAX:],
                                    "project_name": project.name[:NAME_MAX]})
    except ApiError as exc:
        summary.failed.append((relative, exc.message))
        return None
    body = target.body(record.attachment_url, unique_id)
    try:
        return _create_task(body, relative, target, summary)
    except ApiError as exc:
        _discard(record)
        summary.failed.append((relative, exc.message))
        return None


def _create_task(body: dict, relative: str, target: Target, summary: ImportSummary) -> Task:
    """Create the task, with its hypothesis when there is one; a hypothesis the project's
    rules refuse is left out (and reported) rather than losing the image."""
    project = target.project
    hypothesis = target.hypotheses.for_file(relative) if target.hypotheses else None
    if hypothesis is not None:
        try:
            task = lifecycle.create_task(owner=project.owner, is_test=project.is_test,
                                         task_type=project.type,
                                         body={**body, "hypothesis": hypothesis})
            summary.hypotheses += 1
            return task
        except ApiError as exc:
            if exc.status_code != 400 or "hypothesis" not in exc.message:
                raise
            summary.hypothesis_rejected.append((relative, exc.message))
    return lifecycle.create_task(owner=project.owner, is_test=project.is_test,
                                 task_type=project.type, body=body)


def _discard(record: UploadedFile) -> None:
    record.file.delete(save=False)
    record.delete()

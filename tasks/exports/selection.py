"""Which tasks an export takes: the completed tasks of a project, optionally of one batch,
carrying every tag asked for, completed within a date range."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from tasks.models import Batch, Project, Task, TaskStatus, TaskTag


class SelectionError(ValueError):
    """A project, batch or account that cannot be found, or a name that is ambiguous."""


@dataclass(frozen=True)
class Selection:
    project: Project
    batch: Batch | None = None
    tags: tuple[str, ...] = ()
    completed_after: datetime | None = None
    completed_before: datetime | None = None

    def __post_init__(self) -> None:
        if self.batch is not None and self.batch.project_id != self.project.pk:
            raise SelectionError(f'Batch "{self.batch.name}" belongs to project '
                                 f'"{self.batch.project.name}", not "{self.project.name}".')

    def tasks(self) -> QuerySet:
        return completed_tasks(self)


def completed_tasks(selection: Selection) -> QuerySet:
    qs = Task.objects.for_customer().filter(project=selection.project,
                                            status=TaskStatus.COMPLETED)
    if selection.batch is not None:
        qs = qs.filter(batch=selection.batch)
    if selection.completed_after is not None:
        qs = qs.filter(completed_at__gte=selection.completed_after)
    if selection.completed_before is not None:
        qs = qs.filter(completed_at__lte=selection.completed_before)
    for tag in dict.fromkeys(selection.tags):
        qs = qs.filter(pk__in=TaskTag.objects.filter(tag=tag).values("task"))
    return qs


def find_project(name: str, *, account: str | None = None, is_test: bool = False) -> Project:
    """A project by name for the management commands, which speak for no account: the name
    must be unique among live (or test) projects unless `account` (a user name) says whose."""
    qs = Project.objects.select_related("owner").filter(name=name, is_test=is_test)
    if account is not None:
        if not get_user_model().objects.filter(username=account).exists():
            raise SelectionError(f'No account named "{account}".')
        qs = qs.filter(owner__username=account)
    found = list(qs[:10])
    kind = "test" if is_test else "live"
    if not found:
        whose = f' of account "{account}"' if account else ""
        raise SelectionError(f'No {kind} project named "{name}"{whose}.')
    if len(found) > 1:
        owners = ", ".join(sorted(p.owner.get_username() for p in found))
        raise SelectionError(f'{len(found)} accounts have a {kind} project named "{name}" '
                             f"({owners}): say which with --account USERNAME.")
    return found[0]


def find_batch(project: Project, name: str) -> Batch:
    batch = (Batch.objects.select_related("project")
             .filter(owner=project.owner, is_test=project.is_test, name=name).first())
    if batch is None:
        raise SelectionError(f'No batch named "{name}" in the account of project '
                             f'"{project.name}".')
    return batch

"""Projects and batches: creating them, their params and ontology, and a batch's status as its
tasks complete (`settle_batch`, `reopen_batch`, called in the transaction of a task's status
change, tasks/lifecycle.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from tasks import callbacks, inheritance, kinds
from tasks.errors import ApiError, rule_errors
from tasks.models import Batch, Project, ProjectParamVersion, Task, TaskStatus
from tasks.models.projects import BatchStatus
from tasks.models.quality import ProjectQuality
from tasks.row_reads import RowRead
from tasks.rules.params import validate_task_fields

if TYPE_CHECKING:
    from django.contrib.auth.models import User

NAME_MAX = 200
FINAL_STATUSES = (TaskStatus.COMPLETED, TaskStatus.CANCELED, TaskStatus.ERROR)


def check_name(value: object, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ApiError(400, f"Please include a {field} parameter (a non-empty string).")
    if "/" in value:
        raise ApiError(400, f"{field} must not contain '/'.")
    if len(value) > NAME_MAX:
        raise ApiError(400, f"{field} must be at most {NAME_MAX} characters.")
    return value


def create_project(*, owner: User, is_test: bool, body: dict) -> Project:
    name = check_name(body.get("name"), "name")
    kind = kinds.find(body.get("type"))
    if kind is None:
        raise ApiError(400, f"type must be one of: {', '.join(sorted(kinds.names()))}.")
    params = body.get("params") or {}
    if not isinstance(params, dict):
        raise ApiError(400, "params must be an object.")
    inheritance.check_project_params(params)
    try:
        with transaction.atomic():
            project = Project.objects.create(
                owner=owner, is_test=is_test, name=name, type=kind.name,
                extra={"rapid": body.get("rapid") is True, "studio": body.get("studio") is True},
            )
            ProjectParamVersion.objects.create(project=project, version=0, params=params)
    except IntegrityError as exc:
        raise ApiError(409, f'A project with the name "{name}" already exists.') from exc
    return project


def set_project_params(project: Project, body: dict) -> Project:
    patch = body.get("patch", False)
    if not isinstance(patch, bool):
        raise ApiError(400, "patch must be a boolean.")
    new = {k: v for k, v in body.items() if k != "patch"}
    with transaction.atomic():
        latest = (ProjectParamVersion.objects.select_for_update()
                  .filter(project=project).order_by("-version").first())
        params = {**latest.params, **new} if patch and latest else new
        inheritance.check_project_params(params)
        ProjectParamVersion.objects.create(
            project=project, version=(latest.version + 1) if latest else 0, params=params
        )
    return project


def set_project_ontology(project: Project, body: dict) -> None:
    ontology = body.get("ontology")
    inheritance.check_ontology(ontology)
    name = body.get("name")
    if name is not None and not isinstance(name, str):
        raise ApiError(400, "name must be a string.")
    with transaction.atomic():
        project.ontology = ontology
        project.ontology_history = [
            *project.ontology_history,
            {"name": name, "ontology": ontology, "created_at": timezone.now().isoformat()},
        ]
        project.save(update_fields=["ontology", "ontology_history"])


def create_batch(*, owner: User, is_test: bool, body: dict) -> Batch:
    name = check_name(body.get("name"), "name")
    project = find_project(owner, is_test, check_name(body.get("project"), "project"))
    callback = body.get("callback") or ""
    if callback:
        with rule_errors():
            validate_task_fields({"callback_url": callback})
    metadata = valid_metadata(body.get("metadata") or {})
    try:
        with transaction.atomic():
            return Batch.objects.create(
                owner=owner, is_test=is_test, project=project, name=name, callback=callback,
                metadata=metadata,
                calibration_batch=body.get("calibration_batch") is True,
                self_label_batch=body.get("self_label_batch") is True,
                status=BatchStatus.STAGING if staged(project) else
                BatchStatus.IN_PROGRESS,
            )
    except IntegrityError as exc:
        raise ApiError(409, f'A batch with the name "{name}" already exists.') from exc


def staged(project: Project) -> bool:
    """Rapid and Studio projects start their batches in staging, until finalized."""
    return bool(project.extra.get("rapid") or project.extra.get("studio"))


def finalize_batch(batch: Batch) -> Batch:
    if batch.status == BatchStatus.STAGING:
        batch.status = BatchStatus.IN_PROGRESS
        batch.save(update_fields=["status"])
    return batch


def set_batch_metadata(batch: Batch, metadata: object) -> Batch:
    batch.metadata = valid_metadata(metadata)
    batch.save(update_fields=["metadata"])
    return batch


def valid_metadata(metadata: object) -> dict:
    if not isinstance(metadata, dict):
        raise ApiError(400, "metadata must be a JSON object.")
    with rule_errors():
        return validate_task_fields({"metadata": metadata}).get("metadata", {})


# The create's hot read, its SQL written once (tasks/row_reads.py); name is unique per account.
_PROJECT_BY_NAME = RowRead(Project, ["owner", "is_test", "name"],
                           reverse_one=(ProjectQuality, "project", "quality"))


def find_project(owner: User, is_test: bool, name: str) -> Project:
    # with its quality settings, which a create's listener reads (tasks/quality_flow/settings.py)
    project = _PROJECT_BY_NAME.get(owner.pk, is_test, name)
    if project is None:
        raise ApiError(400, f'Project "{name}" does not exist.')
    return project


def find_batch(owner: User, is_test: bool, name: str) -> Batch:
    batch = (Batch.objects.select_related("project")
             .filter(owner=owner, is_test=is_test, name=name).first())
    if batch is None:
        raise ApiError(400, f'Batch "{name}" does not exist.')
    return batch


# --- a batch's status as its tasks move -----------------------------------------------------

def settle_batch(task: Task) -> None:
    """Complete the task's batch when its last pending task reached a final status."""
    if not task.batch_id or task.status not in FINAL_STATUSES:
        return
    batch = Batch.objects.select_for_update().get(pk=task.batch_id)
    if batch.status != BatchStatus.IN_PROGRESS:
        return
    if batch.tasks.filter(status=TaskStatus.PENDING).exists():
        return
    batch.status, batch.completed_at = BatchStatus.COMPLETED, timezone.now()
    batch.save(update_fields=["status", "completed_at"])
    callbacks.record_batch_event(batch)


def reopen_batch(task: Task) -> None:
    """A pending task in a completed batch (added, rejected or recalled) reopens it."""
    if not task.batch_id or task.status != TaskStatus.PENDING:
        return
    batch = Batch.objects.select_for_update().get(pk=task.batch_id)
    if batch.status == BatchStatus.COMPLETED:
        batch.status, batch.completed_at = BatchStatus.IN_PROGRESS, None
        batch.save(update_fields=["status", "completed_at"])

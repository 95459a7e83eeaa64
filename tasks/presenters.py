"""The JSON shapes of the v1 API (docs/api-decisions.md), built from rows. One function per
object."""

from __future__ import annotations

from datetime import datetime

import orjson
from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast

from tasks.models import Batch, Project, Task, UploadedFile

# --- read paths: the JSON columns passed through as their stored text -----------------------

RAW_PREFIX = "raw_json_"
JSON_COLUMNS = ("params", "response", "metadata", "tags", "audits", "quality")
# What task_json() and limited_task_json() read besides the JSON columns.
PLAIN_COLUMNS = (
    "task_id", "created_at", "updated_at", "type", "status", "instruction", "is_test", "urgency",
    "callback_url", "work_started", "priority", "project_param_version", "unique_id",
    "completed_at", "callback_succeeded", "customer_review_status", "project", "project__name",
    "batch", "batch__name",
)
_MISSING = object()


_RAW_COLUMNS = {RAW_PREFIX + name: Cast(name, TextField()) for name in JSON_COLUMNS}


def readable(tasks: QuerySet) -> QuerySet:
    """Tasks read only to be shown by task_json(): its columns alone, and the JSON ones as the
    text the database holds, which goes into the response undecoded (orjson.Fragment).
    Decoding them with the JSON field's decoder and encoding them again was half the time of a
    page of 100 tasks. Everything else about a task read this way is deferred: never change
    one or read other fields from it."""
    return tasks.select_related("project", "batch").only(*PLAIN_COLUMNS).annotate(
        **_RAW_COLUMNS)


def _json(task: Task, name: str) -> object:
    raw = task.__dict__.get(RAW_PREFIX + name, _MISSING)
    if raw is _MISSING:
        return getattr(task, name)
    return None if raw is None else orjson.Fragment(raw)



def iso(value: datetime | None) -> str | None:
    """ISO 8601 UTC with milliseconds, as Scale writes it: 2021-06-17T21:46:36.359Z."""
    if value is None:
        return None
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def task_json(task: Task, *, attachment_url: str | None = None) -> dict:
    data = {
        "task_id": task.task_id,
        "created_at": iso(task.created_at),
        "updated_at": iso(task.updated_at),
        "type": task.type,
        "status": task.status,
        "instruction": task.instruction,
        "is_test": task.is_test,
        "urgency": task.urgency,
        "metadata": _json(task, "metadata"),
        "project": task.project.name if task.project else None,
        "callback_url": task.callback_url,
        "work_started": task.work_started,
        "params": _json(task, "params"),
        "priority": task.priority,
        "tags": _json(task, "tags"),
        "audits": _json(task, "audits"),
        "processed_attachments": [],
    }
    if task.project_param_version is not None:
        data["project_param_version"] = task.project_param_version
    if task.batch:
        data["batch"] = task.batch.name
    if task.unique_id is not None:
        data["unique_id"] = task.unique_id
    if task.completed_at is not None:
        data["completed_at"] = iso(task.completed_at)
    response = _json(task, "response")
    if response is not None:
        data["response"] = response
    if task.callback_succeeded is not None:
        data["callback_succeeded"] = task.callback_succeeded
    if task.customer_review_status:
        data["customer_review_status"] = task.customer_review_status
    quality = _json(task, "quality")  # only a task that went through an internal quality step
    if quality is not None:
        data["quality"] = quality
    if attachment_url is not None:
        data["attachment_url"] = attachment_url
    return data


def limited_task_json(task: Task) -> dict:
    return {
        "task_id": task.task_id,
        "status": task.status,
        "metadata": _json(task, "metadata"),
        "project": task.project.name if task.project else None,
        "otherVersion": None,
    }


def project_json(project: Project) -> dict:
    history = [
        {"version": v.version, "created_at": iso(v.created_at), **v.params}
        for v in project.param_versions.all()
    ]
    return {
        "type": project.type,
        "name": project.name,
        "created_at": iso(project.created_at),
        "archived": project.archived,
        "param_history": history,
    }


def batch_json(batch: Batch) -> dict:
    data = {
        "name": batch.name,
        "project": batch.project.name,
        "status": batch.status,
        "callback": batch.callback,
        "created_at": iso(batch.created_at),
        "metadata": batch.metadata,
        "calibration_batch": batch.calibration_batch,
        "self_label_batch": batch.self_label_batch,
    }
    if batch.completed_at is not None:
        data["completed_at"] = iso(batch.completed_at)
    return data


def file_json(file: UploadedFile) -> dict:
    return {
        "id": str(file.id),
        "attachment_url": file.attachment_url,
        "mime_type": file.mime_type,
        "size": file.size,
        "display_name": file.display_name,
        "reference_id": file.reference_id,
        "metadata": file.metadata,
        "project_names": file.project_names,
        "created_at": iso(file.created_at),
        "updated_at": iso(file.updated_at),
    }

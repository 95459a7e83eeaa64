"""Every change of a task's state: its creation, its status, and its fields.

This is the only module that writes `Task.status`. Views (API and workbench), consumers and
the admin call these functions; each runs in one transaction so that nothing is ever half
written. What differs by task type is asked of the task's kind (tasks/kinds/); projects and
batches are in tasks/projects.py, the annotation rows in tasks/annotation_rows.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from tasks import callbacks, draft_extras, inheritance, kinds, live, projects, tagging
from tasks.annotation_rows import insert_annotations, insert_prelabels, response_rows
from tasks.errors import ApiError, rule_errors
from tasks.jobs import fetch_attachment
from tasks.models import (
    Annotation,
    Batch,
    DraftSession,
    Project,
    Task,
    TaskRole,
    TaskStage,
    TaskStatus,
)
from tasks.models.deliveries import DeliveryEvent
from tasks.models.files import SCHEME, UploadedFile
from tasks.projects import FINAL_STATUSES, check_name, find_batch, find_project, reopen_batch
from tasks.row_writes import RowInsert
from tasks.rules.errors import RuleError
from tasks.rules.params import split_body, validate_task_fields
from tasks.rules.prelabel_files import prelabel_urls, refuse_test_prelabel_file
from tasks.rules.segmentation import mask_urls

# --- listeners ------------------------------------------------------------------------------
# The quality loop (tasks/quality_flow/stages.py) and the prelabel ledger
# (tasks/prelabel_ledger/recording.py) sit above this module and follow its events; they
# register here when the app starts (tasks/apps.py), so that this module never imports them
# (docs/architecture.md: no import cycles).

CreatedListener = Callable[[Task], None]
SentBackListener = Callable[[Task, str], None]
DraftResetListener = Callable[[Task], None]
SubmittedListener = Callable[[Task, dict, Any], None]
_created: list[CreatedListener] = []
_sent_back: list[SentBackListener] = []
_draft_reset: list[DraftResetListener] = []
_submitted: list[SubmittedListener] = []


def on_created(listener: CreatedListener) -> CreatedListener:
    """Call `listener(task)` in the transaction that inserts a live (not test-key) task."""
    if listener not in _created:
        _created.append(listener)
    return listener


def on_sent_back(listener: SentBackListener) -> SentBackListener:
    """Call `listener(task, comments)` in the transaction that sends a completed task back
    to pending (a customer's audit rejection, with its comments, or a recall), before the
    task's response and completer are cleared: the listener reads who did the work."""
    if listener not in _sent_back:
        _sent_back.append(listener)
    return listener


def on_draft_reset(listener: DraftResetListener) -> DraftResetListener:
    """Call `listener(task)` after `reset_draft` loaded the response a task was sent back
    with (a rework's locks go back on)."""
    if listener not in _draft_reset:
        _draft_reset.append(listener)
    return listener


def on_submitted(listener: SubmittedListener) -> SubmittedListener:
    """Call `listener(task, response, user)` in the transaction of a tasker's submit
    (tasks/submission.py), after the task's annotation rows became `response` and before it
    is routed (review, merge, completion): every submit, first round or rework."""
    if listener not in _submitted:
        _submitted.append(listener)
    return listener


def submitted(task: Task, response: dict, user: Any) -> None:
    """Tell the `on_submitted` listeners that `user` submitted `response` for `task`."""
    for listener in _submitted:
        listener(task, response, user)


# --- tasks ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PreparedTask:
    """A create body, checked and normalized, ready to insert (`insert_prepared`)."""

    owner: Any
    is_test: bool
    task_type: str
    project: Project | None
    batch: Batch | None
    version: int | None
    fields: dict
    params: dict


def create_task(*, owner, is_test: bool, task_type: str, body: object,
                base_url: str = "") -> Task:
    """Validate a create body, store the task with its prelabels, and return it. `base_url`:
    the server's address as the request named it (a video response's file URLs)."""
    prepared = prepare_create(owner=owner, is_test=is_test, task_type=task_type, body=body)
    return insert_prepared(prepared, base_url=base_url)


def prepare_create(*, owner, is_test: bool, task_type: str, body: object) -> PreparedTask:
    """Every check and normalization of a create body (the 400s), nothing written."""
    kind = kinds.find(task_type)
    if kind is None:
        raise ApiError(400, f'Task type "{task_type}" is not supported by this server.')
    if not isinstance(body, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    fields, params = split_body(body)
    project, batch = _resolve_container(owner, is_test, fields)
    _check_project_type(project, task_type)
    version, params, fields = inheritance.apply_project_params(project, params, fields)
    with rule_errors():
        fields = validate_task_fields(fields)
        params = kind.normalize_params(params)
        if is_test:
            refuse_test_prelabel_file(params)
    for name, url in _attachment_fields(params):
        _check_attachment(owner, is_test, url, name)
    return PreparedTask(owner, is_test, task_type, project, batch, version, fields, params)


def insert_prepared(prepared: PreparedTask, *, role: str = TaskRole.CUSTOMER,
                    stage: str = TaskStage.WORK, base_url: str = "") -> Task:
    """Store a prepared task with its prelabels, in one transaction, and start its media
    fetch; a customer task created with a test key completes at once. `role` and `stage`
    make a gold or training template (tasks/api/views_quality.py)."""
    p = prepared
    try:
        with transaction.atomic():
            task = _insert_task(p.owner, p.is_test, p.task_type, p.project, p.batch, p.version,
                                p.fields, p.params, role=role, stage=stage)
            reopen_batch(task)
            live.publish_task_changed(task, "created")
            if p.is_test and role == TaskRole.CUSTOMER:
                response = kinds.get(p.task_type).test_response(task, p.params,
                                                                base_url=base_url)
                task = complete_task(task, response)
            else:
                for listener in _created:
                    listener(task)
                fetch_attachment.enqueue(task.task_id)
    except IntegrityError as exc:
        raise _unique_id_conflict(p.owner, p.is_test, p.fields.get("unique_id")) from exc
    return task


def _resolve_container(owner, is_test: bool, fields: dict) -> tuple[Project | None, Batch | None]:
    batch = None
    project = None
    if fields.get("batch") is not None:
        batch = find_batch(owner, is_test, check_name(fields["batch"], "batch"))
        project = batch.project
        if fields.get("project") and fields["project"] != project.name:
            raise ApiError(400, f'Batch "{batch.name}" belongs to project "{project.name}", '
                                f'not "{fields["project"]}".')
    elif fields.get("project") is not None:
        project = find_project(owner, is_test, check_name(fields["project"], "project"))
    return project, batch


def _check_project_type(project: Project | None, task_type: str) -> None:
    if project is not None and project.type != task_type:
        raise ApiError(400, f'Project "{project.name}" is for {project.type} tasks, not '
                            f"{task_type}.")


def _attachment_fields(params: dict) -> list[tuple[str, object]]:
    """(field, URL) of the task's image, video or frames."""
    found = [("attachment", params.get("attachment"))]
    found += [(f"attachments[{i}]", url) for i, url in enumerate(params.get("attachments") or [])]
    for name in ("layer", "layers"):  # a video task's layers file
        if isinstance(params.get(name), dict) and "url" in params[name]:
            found.append((f"{name}.url", params[name]["url"]))
    # a video task's prelabels files, a segmentation task's hypothesis mask
    return found + prelabel_urls(params) + mask_urls(params)


def _check_attachment(owner, is_test: bool, url: object, name: str = "attachment") -> None:
    if (isinstance(url, str) and url.startswith(SCHEME)
            and UploadedFile.objects.resolve(owner, is_test, url) is None):
        if UploadedFile.objects.resolve(owner, not is_test, url) is not None:
            # Files are kept per environment (docs/api-decisions.md): say which one it is in.
            here, there = ("test", "live") if is_test else ("live", "test")
            raise ApiError(400, f"{name} {url} was uploaded with a {there} key: a {here} key "
                                f"uses the files uploaded with {here} keys.")
        raise ApiError(400, f"{name} {url} is not a file of this account.")


def _unique_id_conflict(owner, is_test: bool, unique_id: str | None) -> ApiError:
    existing = None
    if unique_id:
        existing = (Task.objects.filter(owner=owner, is_test=is_test, unique_id=unique_id)
                    .values_list("task_id", flat=True).first())
    if existing is None:
        return ApiError(409, "The task conflicts with an existing task.")
    return ApiError(409, f'The unique_id ("{unique_id}") is already used for a different task '
                         f'({existing}).')


# the task's row, its INSERT written once (tasks/row_writes.py)
_TASK_ROW: RowInsert[Task] = RowInsert(Task)


def _insert_task(owner, is_test, task_type, project, batch, version, fields, params, *,
                 role: str = TaskRole.CUSTOMER, stage: str = TaskStage.WORK) -> Task:
    unique_id = fields.get("unique_id")
    if unique_id and Task.objects.filter(owner=owner, is_test=is_test,
                                         unique_id=unique_id).exists():
        raise IntegrityError("unique_id")
    now = timezone.now()
    task = _TASK_ROW.insert(Task(
        owner=owner, is_test=is_test, type=task_type, project=project, batch=batch,
        project_param_version=version, instruction=fields.get("instruction", ""),
        callback_url=fields.get("callback_url", ""), params=params,
        metadata=fields.get("metadata", {}), tags=fields.get("tags", []), unique_id=unique_id,
        clear_unique_id_on_error=fields.get("clear_unique_id_on_error", False),
        priority=fields.get("priority", 20), created_at=now, updated_at=now,
        draft_extras=draft_extras.initial(params.get("hypothesis")), role=role, stage=stage,
    ))
    tagging.write_tag_rows(task)
    insert_prelabels(task, params)
    return task


def _touch(task: Task, **changes: object) -> None:
    changes["updated_at"] = timezone.now()
    for key, value in changes.items():
        setattr(task, key, value)
    task.save(update_fields=list(changes))


def _locked(task: Task) -> Task:
    """Lock the task's row and reload it in place, so the caller's object follows the change."""
    task.refresh_from_db(from_queryset=Task.objects.select_for_update())
    return task


def complete_task(task: Task, response: dict, *, by=None, current: bool = False) -> Task:
    """pending → completed with `response`; fires the callback. A task the customer rejected
    is ready for their next audit again (`customer_review_status` cleared;
    docs/api-decisions.md). `current`: the caller locked and read the task in its open
    transaction, so it is not read again (nor a savepoint taken in it: two round trips to
    PostgreSQL)."""
    with transaction.atomic(savepoint=not current):
        if not current:
            task = _locked(task)
        if task.status != TaskStatus.PENDING:
            raise ApiError(400, f"Task {task.task_id} is {task.status} and cannot be "
                                "completed.")
        changes: dict = {}
        if task.customer_review_status == "rejected":  # done again: ready for the next audit
            changes["customer_review_status"] = ""
        _touch(task, status=TaskStatus.COMPLETED, response=response,
               completed_at=timezone.now(), completed_by=by, claimed_by=None,
               lease_expires_at=None, **changes)
        _status_changed(task, DeliveryEvent.COMPLETED)
    return task


def complete_internal(task: Task, response: dict, *, by=None) -> Task:
    """pending → completed for a row the customer never sees (a consensus replica, a gold or
    training copy; docs/quality.md): no callback, no batch. Call it with the task locked, in
    the open transaction."""
    if task.status != TaskStatus.PENDING:
        raise ApiError(400, f"Task {task.task_id} is {task.status} and cannot be completed.")
    _touch(task, status=TaskStatus.COMPLETED, response=response, completed_at=timezone.now(),
           completed_by=by, claimed_by=None, lease_expires_at=None)
    forget_sessions(task)
    live.publish_task_changed(task, DeliveryEvent.COMPLETED)
    return task


def fail_task(task: Task, response: dict) -> Task:
    """pending → error (an attachment could not be used): fires the callback and honours
    clear_unique_id_on_error. A task that is no longer pending is left alone."""
    with transaction.atomic():
        task = _locked(task)
        if task.status != TaskStatus.PENDING:
            return task
        changes: dict = {"status": TaskStatus.ERROR, "response": response, "claimed_by": None,
                         "lease_expires_at": None}
        if task.clear_unique_id_on_error:
            changes["unique_id"] = None
        _touch(task, **changes)
        _status_changed(task, DeliveryEvent.ERROR)
    return task


def cancel_task(task: Task, *, clear_unique_id: bool = False) -> Task:
    """Cancel a task nobody has started. Repeating a cancel is harmless. Scale sends no
    callback for a cancel, and neither do we."""
    with transaction.atomic():
        task = _locked(task)
        if task.status == TaskStatus.CANCELED:
            if clear_unique_id and task.unique_id is not None:
                _touch(task, unique_id=None)
            return task
        if task.status != TaskStatus.PENDING:
            raise ApiError(400, f"Task {task.task_id} is {task.status} and cannot be canceled.")
        if task.work_started:
            raise ApiError(400, f"Task {task.task_id} has been started and cannot be canceled.")
        changes: dict = {"status": TaskStatus.CANCELED}
        if clear_unique_id:
            changes["unique_id"] = None
        _touch(task, **changes)
        forget_sessions(task)
        projects.settle_batch(task)
        live.publish_task_changed(task, "canceled")
    return task


def audit_task(task: Task, *, accepted: bool, comments: str | None, by: str) -> Task:
    """Record a customer audit of a completed task and fire the callback; a rejected task goes
    back to pending with its response loaded as the next tasker's starting point."""
    with transaction.atomic():
        task = _locked(task)
        if task.status != TaskStatus.COMPLETED:
            raise ApiError(400, f"Task {task.task_id} is {task.status}; only completed tasks "
                                "can be audited.")
        audit = {
            "audited_by": by,
            "audited_at": timezone.now().isoformat().replace("+00:00", "Z"),
            "audit_time_secs": 0,
            "audit_result": "accepted" if accepted else "rejected",
            "audit_source": "customer",
        }
        if comments:
            audit["comments"] = comments
        changes: dict = {"audits": [*task.audits, audit],
                         "customer_review_status": audit["audit_result"]}
        if accepted:
            _touch(task, **changes)
            _status_changed(task, DeliveryEvent.AUDIT)
        else:
            _send_back(task, DeliveryEvent.AUDIT, **changes)
    return task


def recall_task(task: Task) -> Task:
    """completed → pending for more work, its response loaded as the starting point; fires the
    callback (event "recall")."""
    with transaction.atomic():
        task = _locked(task)
        if task.status != TaskStatus.COMPLETED:
            raise ApiError(400, f"Task {task.task_id} is {task.status}; only completed tasks "
                                "can be recalled.")
        _send_back(task, DeliveryEvent.RECALL)
    return task


def _send_back(task: Task, event: str, **changes: object) -> None:
    previous = task.response
    audits = changes.get("audits")
    comments = audits[-1].get("comments", "") if isinstance(audits, list) and audits else ""
    for listener in _sent_back:
        listener(task, comments)
    _touch(task, status=TaskStatus.PENDING, response=None, completed_at=None,
           completed_by=None, work_started=False, claimed_by=None, lease_expires_at=None,
           sent_back_response=previous, **changes)
    reset_draft(task)
    reopen_batch(task)
    _status_changed(task, event, response=previous)


def reset_draft(task: Task) -> None:
    """Throw the task's draft away: its annotation rows return to where the work starts (the
    response it was last sent back with, else its prelabels, base and hypothesis) and its
    editing sessions are forgotten (docs/live-sessions.md). Call it with the task locked."""
    forget_sessions(task)
    if task.sent_back_response is not None:
        load_response(task, task.sent_back_response)
        for listener in _draft_reset:
            listener(task)
        return
    Annotation.objects.filter(task=task).delete()
    insert_prelabels(task, task.params)
    task.draft_extras = draft_extras.initial(task.params.get("hypothesis"))
    task.save(update_fields=["draft_extras"])


def forget_sessions(task: Task) -> None:
    """The task's live editing sessions end with its draft (their operations with them)."""
    DraftSession.objects.filter(task=task).delete()


def load_response(task: Task, response: object) -> None:
    """Replace the task's annotation rows with a response's annotations (as its kind rebuilds
    a draft from it; tasks/annotation_rows.py keeps the base annotations' source and lock),
    and the draft's extras with the response's."""
    response = kinds.of(task).rebuild_draft(task, response)
    annotations = response.get("annotations") if isinstance(response, dict) else None
    rows = response_rows(task, annotations)
    Annotation.objects.filter(task=task).delete()
    insert_annotations(rows)
    task.draft_extras = draft_extras.initial(response, uuids={row.uuid for row in rows})
    for key in kinds.of(task).draft_keys:  # a kind's own keys (a video's events)
        if isinstance(response, dict) and key in response:
            task.draft_extras[key] = response[key]
    task.save(update_fields=["draft_extras"])


def _status_changed(task: Task, event: str, response: object = callbacks.UNCHANGED) -> None:
    """Everything that follows a change of status, in the same transaction: the callback
    (written to the outbox), for a final status the end of the editing sessions and the
    batch's completion, and the live event."""
    callbacks.record_task_event(task, event, response)
    if task.status in FINAL_STATUSES:
        forget_sessions(task)
    projects.settle_batch(task)
    live.publish_task_changed(task, event)


# --- fields that are not the status ---------------------------------------------------------

def set_unique_id(task: Task, unique_id: object) -> Task:
    try:
        value = validate_task_fields({"unique_id": unique_id})["unique_id"]
    except (RuleError, KeyError) as exc:
        raise ApiError(400, "unique_id must be a non-empty string.") from exc
    try:
        with transaction.atomic():
            clash = (Task.objects.filter(owner=task.owner, is_test=task.is_test, unique_id=value)
                     .exclude(pk=task.pk).exists())
            if clash:
                raise IntegrityError("unique_id")
            _touch(task, unique_id=value)
    except IntegrityError as exc:
        raise _unique_id_conflict(task.owner, task.is_test, value) from exc
    return task


def clear_unique_id(task: Task) -> Task:
    _touch(task, unique_id=None)
    return task


def set_metadata(task: Task, metadata: object) -> Task:
    _touch(task, metadata=projects.valid_metadata(metadata))
    return task


def set_tags(task: Task, tags: list[str]) -> Task:
    with rule_errors():
        tags = validate_task_fields({"tags": tags}).get("tags", [])
    with transaction.atomic():
        _touch(task, tags=tags)
        tagging.write_tag_rows(task, replace=True)
    return task

"""Every change of a task's state, and the creation of the objects an API key owns.

This is the only module that writes `Task.status`. Views (API and workbench), consumers and
the admin call these functions; each runs in one transaction so that nothing is ever half
written.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.utils import timezone

from tasks import callbacks, inheritance, live, tagging, video_response
from tasks.errors import ApiError
from tasks.jobs import fetch_attachment
from tasks.models import (
    Annotation,
    Batch,
    DraftSession,
    Project,
    ProjectParamVersion,
    Task,
    TaskStatus,
)
from tasks.models.deliveries import DeliveryEvent
from tasks.models.files import SCHEME, UploadedFile
from tasks.models.projects import BatchStatus
from tasks.models.tasks import AnnotationSource
from tasks.rowwriter import insert_annotations
from tasks.rules.errors import RuleError
from tasks.rules.params import normalize_image_params, split_body, validate_task_fields
from tasks.rules.video import TASK_TYPE as VIDEO_TYPE
from tasks.rules.video import normalize_video_params

SUPPORTED_TYPES = {"imageannotation", VIDEO_TYPE}


@contextmanager
def rule_errors() -> Iterator[None]:
    """Report a broken rule to the API consumer as a 400 naming the field."""
    try:
        yield
    except RuleError as exc:
        raise ApiError(400, str(exc)) from exc


NAME_MAX = 200


# --- projects and batches -------------------------------------------------------------------

def check_name(value: object, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ApiError(400, f"Please include a {field} parameter (a non-empty string).")
    if "/" in value:
        raise ApiError(400, f"{field} must not contain '/'.")
    if len(value) > NAME_MAX:
        raise ApiError(400, f"{field} must be at most {NAME_MAX} characters.")
    return value


def create_project(*, owner, is_test: bool, body: dict) -> Project:
    name = check_name(body.get("name"), "name")
    task_type = body.get("type")
    if not isinstance(task_type, str) or task_type not in SUPPORTED_TYPES:
        raise ApiError(400, f"type must be one of: {', '.join(sorted(SUPPORTED_TYPES))}.")
    params = body.get("params") or {}
    if not isinstance(params, dict):
        raise ApiError(400, "params must be an object.")
    inheritance.check_project_params(params)
    try:
        with transaction.atomic():
            project = Project.objects.create(
                owner=owner, is_test=is_test, name=name, type=task_type,
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


def create_batch(*, owner, is_test: bool, body: dict) -> Batch:
    name = check_name(body.get("name"), "name")
    project = find_project(owner, is_test, check_name(body.get("project"), "project"))
    callback = body.get("callback") or ""
    if callback:
        with rule_errors():
            validate_task_fields({"callback_url": callback})
    metadata = _valid_metadata(body.get("metadata") or {})
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
    batch.metadata = _valid_metadata(metadata)
    batch.save(update_fields=["metadata"])
    return batch


def _valid_metadata(metadata: object) -> dict:
    if not isinstance(metadata, dict):
        raise ApiError(400, "metadata must be a JSON object.")
    with rule_errors():
        return validate_task_fields({"metadata": metadata}).get("metadata", {})


def find_project(owner, is_test: bool, name: str) -> Project:
    project = Project.objects.filter(owner=owner, is_test=is_test, name=name).first()
    if project is None:
        raise ApiError(400, f'Project "{name}" does not exist.')
    return project


def find_batch(owner, is_test: bool, name: str) -> Batch:
    batch = (Batch.objects.select_related("project")
             .filter(owner=owner, is_test=is_test, name=name).first())
    if batch is None:
        raise ApiError(400, f'Batch "{name}" does not exist.')
    return batch


# --- tasks ----------------------------------------------------------------------------------

def create_task(*, owner, is_test: bool, task_type: str, body: object,
                base_url: str = "") -> Task:
    """Validate a create body, store the task with its prelabels, and return it. `base_url`:
    the server's address as the request named it (a video response's file URLs)."""
    if task_type not in SUPPORTED_TYPES:
        raise ApiError(400, f'Task type "{task_type}" is not supported by this server.')
    if not isinstance(body, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    fields, params = split_body(body)
    project, batch = _resolve_container(owner, is_test, fields)
    _check_project_type(project, task_type)
    version, params, fields = inheritance.apply_project_params(project, params, fields)
    with rule_errors():
        fields = validate_task_fields(fields)
        params = (normalize_video_params(params) if task_type == VIDEO_TYPE
                  else normalize_image_params(params))
    for name, url in _attachment_fields(params):
        _check_attachment(owner, is_test, url, name)
    try:
        with transaction.atomic():
            task = _insert_task(owner, is_test, task_type, project, batch, version, fields,
                                params)
            _reopen_batch(task)
            live.publish_task_changed(task, "created")
            if is_test and task_type == VIDEO_TYPE:
                task = complete_task(task, video_response.test_response(task, params,
                                                                        base=base_url))
            elif is_test:
                task = complete_task(task, test_response(params))
            else:
                fetch_attachment.enqueue(task.task_id)
    except IntegrityError as exc:
        raise _unique_id_conflict(owner, is_test, fields.get("unique_id")) from exc
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
    return found


def _check_attachment(owner, is_test: bool, url: object, name: str = "attachment") -> None:
    if (isinstance(url, str) and url.startswith(SCHEME)
            and resolve_file(owner, is_test, url) is None):
        raise ApiError(400, f"{name} {url} is not a file of this account.")


def resolve_file(owner, is_test: bool, url: str) -> UploadedFile | None:
    owner_part, _, file_id = url[len(SCHEME):].partition("/")
    if owner_part != str(owner.pk):
        return None
    try:
        return UploadedFile.objects.filter(owner=owner, is_test=is_test, id=file_id).first()
    except Exception:  # a malformed uuid
        return None


def _unique_id_conflict(owner, is_test: bool, unique_id: str | None) -> ApiError:
    existing = None
    if unique_id:
        existing = (Task.objects.filter(owner=owner, is_test=is_test, unique_id=unique_id)
                    .values_list("task_id", flat=True).first())
    if existing is None:
        return ApiError(409, "The task conflicts with an existing task.")
    return ApiError(409, f'The unique_id ("{unique_id}") is already used for a different task '
                         f'({existing}).')


def _insert_task(owner, is_test, task_type, project, batch, version, fields, params) -> Task:
    unique_id = fields.get("unique_id")
    if unique_id and Task.objects.filter(owner=owner, is_test=is_test,
                                         unique_id=unique_id).exists():
        raise IntegrityError("unique_id")
    now = timezone.now()
    task = Task.objects.create(
        owner=owner, is_test=is_test, type=task_type, project=project, batch=batch,
        project_param_version=version, instruction=fields.get("instruction", ""),
        callback_url=fields.get("callback_url", ""), params=params,
        metadata=fields.get("metadata", {}), tags=fields.get("tags", []), unique_id=unique_id,
        clear_unique_id_on_error=fields.get("clear_unique_id_on_error", False),
        priority=fields.get("priority", 20), created_at=now, updated_at=now,
        draft_extras=initial_extras(params.get("hypothesis")),
    )
    tagging.write_tag_rows(task)
    _insert_prelabels(task, params)
    return task


def _insert_prelabels(task: Task, params: dict) -> None:
    rows = []
    sources = (
        (AnnotationSource.BASE, (params.get("base_annotations") or {}).get("annotations", [])),
        (AnnotationSource.HYPOTHESIS, (params.get("hypothesis") or {}).get("annotations", [])),
    )
    seen: set[str] = set()
    for source, given in sources:
        for ann in given:
            if ann["uuid"] in seen:
                continue  # a base annotation wins over a hypothesis with the same uuid
            seen.add(ann["uuid"])
            rows.append(annotation_values(task, ann, source, len(rows)))
    insert_annotations(rows)


GEOMETRY_SKIP = {"uuid", "type", "label", "attributes", "locked"}


def annotation_row(task: Task, ann: dict, source: str, position: int) -> Annotation:
    return Annotation(
        task=task, uuid=ann["uuid"], type=ann["type"], label=ann.get("label"),
        geometry={k: v for k, v in ann.items() if k not in GEOMETRY_SKIP},
        attributes=ann.get("attributes", {}), source=source,
        locked=bool(ann.get("locked", False)), position=position,
    )


def annotation_values(task: Task, ann: dict, source: str, position: int) -> dict:
    """annotation_row's column values, for insert_annotations: building 2,000 model
    instances took a submit 16 ms of CPU, these dicts 2 ms."""
    return {"task_id": task.pk, "uuid": ann["uuid"], "type": ann["type"],
            "label": ann.get("label"),
            "geometry": {k: v for k, v in ann.items() if k not in GEOMETRY_SKIP},
            "attributes": ann.get("attributes", {}), "source": source,
            "locked": bool(ann.get("locked", False)), "position": position}


def test_response(params: dict) -> dict:
    """What a task created with a test key completes with: its hypothesis, or nothing."""
    hypothesis = params.get("hypothesis") or {}
    response: dict = {"annotations": hypothesis.get("annotations", [])}
    if "global_attributes" in hypothesis or _has_global_attributes(params):
        response["global_attributes"] = hypothesis.get("global_attributes", {})
    if params.get("links") or "links" in hypothesis:
        response["links"] = hypothesis.get("links", [])
    return response


def _has_global_attributes(params: dict) -> bool:
    attrs = params.get("annotation_attributes") or {}
    return any((d.get("conditions") or {}).get("is_global") for d in attrs.values())


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
    """pending → completed with `response`; fires the callback. `current`: the caller locked
    and read the task in its open transaction, so it is not read again (nor a savepoint
    taken in it: two round trips to PostgreSQL)."""
    with transaction.atomic(savepoint=not current):
        if not current:
            task = _locked(task)
        if task.status != TaskStatus.PENDING:
            raise ApiError(400, f"Task {task.task_id} is {task.status} and cannot be "
                                "completed.")
        _touch(task, status=TaskStatus.COMPLETED, response=response,
               completed_at=timezone.now(), completed_by=by, claimed_by=None,
               lease_expires_at=None)
        _status_changed(task, DeliveryEvent.COMPLETED)
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
        _settle_batch(task)
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
    _touch(task, status=TaskStatus.PENDING, response=None, completed_at=None,
           completed_by=None, work_started=False, claimed_by=None, lease_expires_at=None,
           sent_back_response=previous, **changes)
    reset_draft(task)
    _reopen_batch(task)
    _status_changed(task, event, response=previous)


def reset_draft(task: Task) -> None:
    """Throw the task's draft away: its annotation rows return to where the work starts (the
    response it was last sent back with, else its prelabels, base and hypothesis) and its
    editing sessions are forgotten (docs/live-sessions.md). Call it with the task locked."""
    forget_sessions(task)
    if task.sent_back_response is not None:
        load_response(task, task.sent_back_response)
        return
    Annotation.objects.filter(task=task).delete()
    _insert_prelabels(task, task.params)
    task.draft_extras = initial_extras(task.params.get("hypothesis"))
    task.save(update_fields=["draft_extras"])


def forget_sessions(task: Task) -> None:
    """The task's live editing sessions end with its draft (their operations with them)."""
    DraftSession.objects.filter(task=task).delete()


def load_response(task: Task, response: object) -> None:
    """Replace the task's annotation rows with a response's annotations: the tasker's, except
    those that are the task's base annotations (which keep their source and lock)."""
    if video_response.is_video(task):  # its response points at files: their tracks and events
        response = video_response.as_draft(task, response)
    annotations = response.get("annotations") if isinstance(response, dict) else None
    base = {a["uuid"]: a for a in
            ((task.params.get("base_annotations") or {}).get("annotations") or [])
            if isinstance(a, dict) and "uuid" in a}
    rows: list[Annotation] = []
    seen: set[str] = set()
    for ann in annotations if isinstance(annotations, list) else []:
        if not isinstance(ann, dict) or not ann.get("uuid") or not ann.get("type"):
            continue
        uuid = str(ann["uuid"])
        if uuid in seen:
            continue
        seen.add(uuid)
        source = AnnotationSource.BASE if uuid in base else AnnotationSource.TASKER
        row = annotation_row(task, {**ann, "uuid": uuid}, source, len(rows))
        row.locked = bool(base.get(uuid, {}).get("locked", False))
        rows.append(row)
    Annotation.objects.filter(task=task).delete()
    insert_annotations(rows)
    task.draft_extras = initial_extras(response, uuids=seen)
    if isinstance(response, dict) and "events" in response:
        task.draft_extras["events"] = response["events"]
    task.save(update_fields=["draft_extras"])


def initial_extras(response: object, uuids: set[str] | None = None) -> dict:
    """The draft's global attributes and links as a response (or a hypothesis) gives them;
    with `uuids`, only the links whose both ends are among them."""
    response = response if isinstance(response, dict) else {}
    given = response.get("global_attributes")
    links = response.get("links")
    links = [dict(link) for link in links if isinstance(link, dict)] \
        if isinstance(links, list) else []
    if uuids is not None:
        links = [link for link in links if link.get("from") in uuids and link.get("to") in uuids]
    return {"global_attributes": dict(given) if isinstance(given, dict) else {}, "links": links}


def draft_extras(task: Task) -> dict:
    """The draft's {global_attributes, links}: as stored, or (a task from before they were
    stored) as the work started."""
    extras = task.draft_extras if isinstance(task.draft_extras, dict) else {}
    if "global_attributes" in extras or "links" in extras:
        return {"global_attributes": extras.get("global_attributes") or {},
                "links": extras.get("links") or []}
    start = task.sent_back_response or (task.params or {}).get("hypothesis")
    return initial_extras(start, set(task.annotations.values_list("uuid", flat=True)))


def _status_changed(task: Task, event: str, response: object = callbacks.UNCHANGED) -> None:
    """Everything that follows a change of status, in the same transaction: the callback
    (written to the outbox), for a final status the end of the editing sessions and the
    batch's completion, and the live event."""
    callbacks.record_task_event(task, event, response)
    if task.status in FINAL_STATUSES:
        forget_sessions(task)
    _settle_batch(task)
    live.publish_task_changed(task, event)


FINAL_STATUSES = (TaskStatus.COMPLETED, TaskStatus.CANCELED, TaskStatus.ERROR)


def _settle_batch(task: Task) -> None:
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


def _reopen_batch(task: Task) -> None:
    """A pending task in a completed batch (added, rejected or recalled) reopens it."""
    if not task.batch_id or task.status != TaskStatus.PENDING:
        return
    batch = Batch.objects.select_for_update().get(pk=task.batch_id)
    if batch.status == BatchStatus.COMPLETED:
        batch.status, batch.completed_at = BatchStatus.IN_PROGRESS, None
        batch.save(update_fields=["status", "completed_at"])


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
    _touch(task, metadata=_valid_metadata(metadata))
    return task


def set_tags(task: Task, tags: list[str]) -> Task:
    with rule_errors():
        tags = validate_task_fields({"tags": tags}).get("tags", [])
    with transaction.atomic():
        _touch(task, tags=tags)
        tagging.write_tag_rows(task, replace=True)
    return task

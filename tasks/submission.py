"""A tasker's submit: the same rules as the API's prelabels, then completion."""

from __future__ import annotations

from django.db import transaction

from tasks import lifecycle, queue
from tasks.errors import ApiError
from tasks.models import Task, TaskStatus
from tasks.models.tasks import AnnotationSource
from tasks.rowwriter import insert_annotations
from tasks.rules.annotations import validate_response
from tasks.rules.errors import RuleError
from tasks.rules.locks import check_link_locks, check_locks


class SubmitRejected(ApiError):
    """A submit that breaks a rule; names the annotation so the page can select it."""

    def __init__(self, error: RuleError) -> None:
        super().__init__(400, str(error), annotation_uuid=error.annotation_uuid,
                         path=error.path)


def check_response(task: Task, payload: object) -> dict:
    try:
        response = validate_response(payload, task.params)
        check_locks(response["annotations"], task.params, "response.annotations")
        check_link_locks(response.get("links") or [], task.params, "response.links")
        return response
    except RuleError as exc:
        raise SubmitRejected(exc) from exc


def submit(task: Task, user, payload: object) -> Task:
    response = check_response(task, payload)
    with transaction.atomic():
        # the project and batch come along: the callback's payload names them
        task = (Task.objects.select_related("project", "batch")
                .select_for_update(of=("self",)).get(pk=task.pk))
        if task.status != TaskStatus.PENDING or not queue.holds(user, task):
            raise ApiError(409, "This task is no longer yours to submit: "
                                f"it is {task.status} or its lease has ended.")
        prior = {u: (s, lk) for u, s, lk in task.annotations.values_list("uuid", "source",
                                                                          "locked")}
        replace_annotations(task, response["annotations"], prior)
        lifecycle.complete_task(task, response, by=user, current=True)
    return task


def submit_draft(task: Task, user, body: dict) -> Task:
    """Submit the draft the server holds (its annotation rows, as the live session left
    them), with the global attributes and links of `body` when given."""
    with transaction.atomic():
        # the project and batch come along: the callback's payload names them
        task = (Task.objects.select_related("project", "batch")
                .select_for_update(of=("self",)).get(pk=task.pk))
        if task.status != TaskStatus.PENDING or not queue.holds(user, task):
            raise ApiError(409, "This task is no longer yours to submit: "
                                f"it is {task.status} or its lease has ended.")
        response = check_response(task, draft_payload(task, body))
        prior = {u: (s, lk) for u, s, lk in task.annotations.values_list("uuid", "source",
                                                                          "locked")}
        replace_annotations(task, response["annotations"], prior)
        lifecycle.complete_task(task, response, by=user, current=True)
    return task


def draft_payload(task: Task, body: dict) -> dict:
    """The response a draft stands for: its annotations, and the global attributes and links
    the page sent, else those the work started from (links to deleted annotations dropped)."""
    annotations = [row.as_json() for row in task.annotations.all()]
    start = task.sent_back_response or task.params.get("hypothesis") or {}
    payload: dict = {"annotations": annotations}
    if "global_attributes" in body or "global_attributes" in start:
        payload["global_attributes"] = body.get("global_attributes",
                                                start.get("global_attributes"))
    if "links" in body:
        payload["links"] = body["links"]
    elif isinstance(start.get("links"), list):
        uuids = {a["uuid"] for a in annotations}
        payload["links"] = [link for link in start["links"] if isinstance(link, dict)
                            and link.get("from") in uuids and link.get("to") in uuids]
    return payload


def replace_annotations(
    task: Task, annotations: list[dict], prior: dict[str, tuple[str, bool]]
) -> None:
    """The task's annotation rows become exactly `annotations`, keeping where each came from
    and whether it was locked."""
    task.annotations.all().delete()
    rows = []
    for i, ann in enumerate(annotations):
        source, locked = prior.get(ann["uuid"], (AnnotationSource.TASKER, False))
        rows.append(lifecycle.annotation_row(task, {**ann, "locked": locked}, source, i))
    insert_annotations(rows)

"""A tasker's submit: the same rules as the API's prelabels, then completion."""

from __future__ import annotations

from django.db import transaction

from tasks import lifecycle, queue
from tasks.errors import ApiError
from tasks.models import Annotation, Task, TaskStatus
from tasks.models.tasks import AnnotationSource
from tasks.rules.annotations import validate_response
from tasks.rules.errors import RuleError
from tasks.rules.locks import check_locks


class SubmitRejected(ApiError):
    """A submit that breaks a rule; names the annotation so the page can select it."""

    def __init__(self, error: RuleError) -> None:
        super().__init__(400, str(error), annotation_uuid=error.annotation_uuid,
                         path=error.path)


def check_response(task: Task, payload: object) -> dict:
    try:
        response = validate_response(payload, task.params)
        check_locks(response["annotations"], task.params, "response.annotations")
        return response
    except RuleError as exc:
        raise SubmitRejected(exc) from exc


def submit(task: Task, user, payload: object) -> Task:
    response = check_response(task, payload)
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task.pk)
        if task.status != TaskStatus.PENDING or not queue.holds(user, task):
            raise ApiError(409, "This task is no longer yours to submit: "
                                f"it is {task.status} or its lease has ended.")
        prior = {u: (s, lk) for u, s, lk in task.annotations.values_list("uuid", "source",
                                                                          "locked")}
        replace_annotations(task, response["annotations"], prior)
        lifecycle.complete_task(task, response, by=user)
    return task


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
    Annotation.objects.bulk_create(rows, batch_size=1000)

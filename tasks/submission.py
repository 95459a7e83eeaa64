"""A tasker's submit: the same rules as the API's prelabels, then completion."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet

from tasks import draft_extras, kinds, lifecycle, queue
from tasks.annotation_rows import replace_annotations
from tasks.errors import ApiError
from tasks.models import Task, TaskStage, TaskStatus
from tasks.quality_flow import stages
from tasks.query_templates import QueryTemplate
from tasks.rules.errors import RuleError
from tasks.rules.locks import base_annotations, check_accepted, check_link_locks, check_locks
from tasks.rules.precision import round_coordinates


class SubmitRejected(ApiError):
    """A submit that breaks a rule; names the annotation so the page can select it."""

    def __init__(self, error: RuleError) -> None:
        super().__init__(400, str(error), annotation_uuid=error.annotation_uuid,
                         path=error.path)


def check_response(task: Task, payload: object) -> dict:
    """The response a submit of `payload` stands for, normalized; SubmitRejected (400, naming
    the annotation) when it breaks a rule of the task, a base annotation's lock, or in rework
    the lock on an annotation a reviewer accepted (docs/quality.md)."""
    try:
        response = kinds.of(task).check_response(task, payload)
        check_locks(response["annotations"], task.params, "response.annotations")
        check_link_locks(response.get("links") or [], task.params, "response.links")
        if task.stage == TaskStage.REWORK:
            check_accepted(response["annotations"], stages.accepted_snapshots(task),
                           "response.annotations")
        # two decimals of a pixel; base annotations stay as the customer gave them
        # (docs/task-format.md "Coordinates")
        base = {a["uuid"] for a in base_annotations(task.params)}
        response["annotations"] = [a if a.get("uuid") in base else round_coordinates(a)
                                   for a in response["annotations"]]
        return response
    except RuleError as exc:
        raise SubmitRejected(exc) from exc


def submit(task: Task, user, payload: object, *, base_url: str = "") -> Task:
    response = check_response(task, payload)
    with transaction.atomic():
        task = _held_for_submit(task, user)
        _complete(task, user, response, base_url)
    return task


def submit_draft(task: Task, user, body: dict, *, base_url: str = "") -> Task:
    """Submit the draft the server holds (its annotation rows, as the live session left
    them), with the global attributes and links of `body` when given."""
    with transaction.atomic():
        task = _held_for_submit(task, user)
        _complete(task, user, check_response(task, draft_payload(task, body)), base_url)
    return task


def _held_for_submit(task: Task, user) -> Task:
    """The task row locked for the transaction; 409 unless `user` still holds it pending."""
    task = _HELD.first((), {"task_id": task.pk})
    if task is None:
        raise Task.DoesNotExist("Task matching query does not exist.")
    if task.status != TaskStatus.PENDING or not queue.holds(user, task):
        raise ApiError(409, "This task is no longer yours to submit: "
                            f"it is {task.status} or its lease has ended.")
    return task


def _locked_row(*, task_id: str) -> QuerySet[Task]:
    """The task row locked (on PostgreSQL), with its project and batch, which the callback's
    payload names, and the project's quality settings, which the next claim reads."""
    return (Task.objects.select_related("project", "batch", "project__quality")
            .select_for_update(of=("self",)).filter(pk=task_id)[:1])


# compiled once (tasks/query_templates.py)
_HELD: QueryTemplate[Task] = QueryTemplate(Task, _locked_row)


def _complete(task: Task, user, response: dict, base_url: str) -> None:
    replace_annotations(task, response["annotations"])
    lifecycle.submitted(task, response, user)
    stages.after_submit(task, published(task, response, base_url), user)


def published(task: Task, response: dict, base_url: str) -> dict:
    """The task's response, as its kind publishes it (a video's points at the files written
    from it)."""
    return kinds.of(task).publish_response(task, response, base_url=base_url)


def review_payload(task: Task) -> dict:
    """The response a reviewer's decision stands for: the draft's rows (draft_payload), or,
    for a kind whose draft is not annotation rows (a mask), the kind's own
    (`Kind.draft_payload`)."""
    own = kinds.of(task).draft_payload(task)
    return draft_payload(task, {}) if own is None else own


def kept_draft(task: Task, base_url: str) -> dict:
    """The draft as a send-back keeps it (JSON): the rows' response, or a kind's own draft
    published (a mask's files written, the response pointing at them)."""
    own = kinds.of(task).draft_payload(task)
    return draft_payload(task, {}) if own is None else published(task, own, base_url)


def draft_payload(task: Task, body: dict) -> dict:
    """The response a draft stands for: its annotations, and the global attributes and links
    the page sent, else the draft's own (`Task.draft_extras`, as the live session left them;
    links to deleted annotations dropped)."""
    annotations = [row.as_json() for row in task.annotations.all()]
    extras = draft_extras.current(task)
    payload: dict = {"annotations": annotations}
    if "global_attributes" in body:
        payload["global_attributes"] = body["global_attributes"]
    elif extras["global_attributes"]:
        payload["global_attributes"] = extras["global_attributes"]
    if "links" in body:
        payload["links"] = body["links"]
    else:
        uuids = {a["uuid"] for a in annotations}
        kept = [link for link in extras["links"] if isinstance(link, dict)
                and link.get("from") in uuids and link.get("to") in uuids]
        if kept:
            payload["links"] = kept
    return payload

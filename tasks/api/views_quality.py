"""`POST /v1/evaluation_tasks/{type}` and `POST /v1/training_tasks/{type}`: gold and training
templates, as Scale's client creates them (docs/api-decisions.md, docs/quality.md).

The body is a task create body, checked exactly as a create is (lifecycle.prepare_create),
plus `expected_response` (and, for an evaluation task, an optional `initial_response`: the
answer a reviewer is to judge), each checked as a tasker's submitted response would be. The
template is a hidden Task row (role evaluation or training, stage template) that no customer
path shows; its answer key is a `GoldStandard`.
"""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from tasks import kinds, lifecycle
from tasks.api.base import ApiView, body_object, ok
from tasks.api.deferred_schema import extend_schema
from tasks.errors import ApiError
from tasks.kinds.base import Kind
from tasks.models import GoldStandard, Task, TaskStage
from tasks.presenters import iso
from tasks.rules.errors import RuleError

TAGS = ["evaluation and training tasks"]
NOT_USED = ("batch", "unique_id")


class QualityTaskView(ApiView):
    """A template of `kind` (evaluation or training) from a create body and its answer key."""

    kind = "evaluation"
    label = "Evaluation"

    def post(self, request: Request, task_type: str) -> Response:
        body = dict(body_object(request))
        expected = body.pop("expected_response", None)
        initial = body.pop("initial_response", None)
        self.check_fields(task_type, body, expected, initial)
        prepared = lifecycle.prepare_create(owner=self.owner, is_test=self.is_test,
                                            task_type=task_type, body=body)
        params = prepared.params
        kind = kinds.get(task_type)
        expected = self.checked(kind, expected, params, "expected_response")
        if initial is not None:
            initial = self.checked(kind, initial, params, "initial_response")
        with transaction.atomic():
            template = lifecycle.insert_prepared(prepared, role=self.kind,
                                                 stage=TaskStage.TEMPLATE,
                                                 base_url=request.build_absolute_uri("/"))
            standard = GoldStandard.objects.create(
                template=template, kind=self.kind, phase="work" if initial is None else "review",
                expected_response=expected, initial_response=initial, active=True,
                created_at=template.created_at)
        return ok(standard_json(standard))

    def check_fields(self, task_type: str, body: dict, expected: object,
                     initial: object) -> None:
        kind = kinds.find(task_type)
        if kind is not None and not kind.supports_consensus:
            names = ", ".join(k.name for k in kinds.all_kinds() if k.supports_consensus)
            raise ApiError(400, f"{self.label} tasks are available for {names}.")
        if initial is not None and self.kind != "evaluation":
            raise ApiError(400, "initial_response is for evaluation tasks.")
        given = [name for name in NOT_USED if body.get(name) is not None]
        if given:
            raise ApiError(400, f"{' and '.join(given)} {'is' if len(given) == 1 else 'are'} "
                                f"not used by {self.kind} tasks.")
        if not body.get("project"):
            raise ApiError(400, f"Please include a project parameter: {self.kind} tasks "
                                "belong to a project.")
        if not isinstance(expected, dict):
            raise ApiError(400, "expected_response is required: the response a tasker is "
                                "expected to give, as an object.")
        if initial is not None and not isinstance(initial, dict):
            raise ApiError(400, "initial_response must be an object.")


    def checked(self, kind: Kind, payload: dict, params: dict, name: str) -> dict:
        """`payload` checked by the kind as a tasker's submit is (shapes: every rule,
        required attributes and base locks; a mask: its labelMapping and the uploaded
        file), its errors named under `name`."""
        try:
            return kind.check_expected(payload, params, name, owner=self.owner,
                                       is_test=self.is_test)
        except RuleError as exc:
            raise ApiError(400, str(exc), annotation_uuid=exc.annotation_uuid,
                           path=exc.path) from exc


def standard_json(standard: GoldStandard) -> dict:
    template: Task = standard.template
    data = {
        "id": template.task_id,
        "kind": standard.kind,
        "phase": standard.phase,
        "type": template.type,
        "project": template.project.name if template.project else None,
        "created_at": iso(template.created_at),
        "params": template.params,
        "expected_response": standard.expected_response,
    }
    if standard.initial_response is not None:
        data["initial_response"] = standard.initial_response
    return data


CREATED = inline_serializer("QualityTaskCreated", {
    "id": serializers.CharField(), "kind": serializers.CharField(),
    "phase": serializers.CharField(), "type": serializers.CharField(),
    "project": serializers.CharField(), "created_at": serializers.DateTimeField(),
    "params": serializers.DictField(), "expected_response": serializers.DictField(),
    "initial_response": serializers.DictField(required=False)})
BODY = inline_serializer("QualityTaskCreate", {
    "project": serializers.CharField(),
    "expected_response": serializers.DictField(),
    "initial_response": serializers.DictField(required=False)})


def documented(summary: str):
    return extend_schema(summary=summary, tags=TAGS, request=BODY, responses={
        200: CREATED, 400: OpenApiResponse(description="a rule of the body is broken")})


class EvaluationTaskView(QualityTaskView):
    kind = "evaluation"
    label = "Evaluation"

    @documented("Create an evaluation (gold) task: a create body plus expected_response "
                "(and initial_response for a review-phase one)")
    def post(self, request: Request, task_type: str) -> Response:
        return super().post(request, task_type)


class TrainingTaskView(QualityTaskView):
    kind = "training"
    label = "Training"

    @documented("Create a training task: a create body plus expected_response")
    def post(self, request: Request, task_type: str) -> Response:
        return super().post(request, task_type)

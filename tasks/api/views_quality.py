"""Scale's evaluation (gold) and training task endpoints (docs/api-decisions.md)."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response

from tasks.api.base import ApiView
from tasks.errors import ApiError


class EvaluationTaskView(ApiView):
    def post(self, request: Request, task_type: str) -> Response:
        raise ApiError(501, "Evaluation tasks are not built yet.")


class TrainingTaskView(ApiView):
    def post(self, request: Request, task_type: str) -> Response:
        raise ApiError(501, "Training tasks are not built yet.")

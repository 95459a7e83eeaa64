"""Endpoints of model backends: /v1/model_backends and a project's choice of one
(docs/api-decisions.md, "Model backends"; docs/assist.md)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from tasks.api.base import ApiView, body_object, ok
from tasks.api.deferred_schema import extend_schema
from tasks.api.schema import ErrorSerializer
from tasks.errors import ApiError
from tasks.model_backends import registry
from tasks.models import ModelBackend

TAGS = ["model backends"]
BACKEND_FIELDS: dict[str, serializers.Field] = {
    "name": serializers.CharField(), "url": serializers.URLField(),
    "protocol": serializers.ChoiceField(["annotator", "label_studio"]),
    "predict": serializers.BooleanField(), "interact": serializers.BooleanField(),
    "enabled": serializers.BooleanField(), "timeout_seconds": serializers.FloatField(),
    "has_auth_header": serializers.BooleanField(),
    "model_version": serializers.CharField(allow_null=True),
    "breaker": serializers.DictField()}
BACKEND = inline_serializer("ModelBackend", BACKEND_FIELDS)
BACKENDS = inline_serializer("ModelBackend", BACKEND_FIELDS, many=True)
BACKEND_CREATE = inline_serializer("ModelBackendCreate", {
    "name": serializers.CharField(), "url": serializers.URLField(),
    "protocol": serializers.ChoiceField(["annotator", "label_studio"], required=False),
    "predict": serializers.BooleanField(required=False),
    "interact": serializers.BooleanField(required=False),
    "enabled": serializers.BooleanField(required=False),
    "timeout_seconds": serializers.FloatField(required=False),
    "auth_header": serializers.CharField(required=False)})
CHOICE = inline_serializer("ProjectModelBackend", {
    "model_backend": serializers.CharField(allow_null=True)})
CHOICE_RESULT = inline_serializer("ProjectModelBackendResult", {
    "name": serializers.CharField(), "model_backend": serializers.CharField(allow_null=True)})


class ModelBackendsView(ApiView):
    @extend_schema(summary="List the account's model backends", tags=TAGS,
                   operation_id="model_backends_list",
                   responses={200: BACKENDS})
    def get(self, request: Request) -> Response:
        backends = ModelBackend.objects.filter(owner=self.owner).order_by("name")
        return ok([registry.backend_json(b) for b in backends])

    @extend_schema(summary="Add a model backend", tags=TAGS, request=BACKEND_CREATE,
                   operation_id="model_backends_create",
                   responses={200: BACKEND, 400: ErrorSerializer, 409: ErrorSerializer})
    def post(self, request: Request) -> Response:
        return ok(registry.backend_json(registry.create_backend(self.owner,
                                                                body_object(request))))


class ProjectSetModelBackendView(ApiView):
    @extend_schema(summary="Choose a project's model backend (null: none)", tags=["projects"],
                   request=CHOICE, responses={200: CHOICE_RESULT,
                                              404: OpenApiResponse(ErrorSerializer)})
    def post(self, request: Request, name: str) -> Response:
        project = self.get_project(name)
        body = body_object(request)
        if "model_backend" not in body:
            raise ApiError(400, "model_backend is required (a backend's name, or null).")
        project = registry.set_project_backend(project, body["model_backend"])
        backend = project.model_backend
        return ok({"name": project.name, "model_backend": backend.name if backend else None})

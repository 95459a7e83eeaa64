"""Endpoints under /v1/projects."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request
from rest_framework.response import Response

from tasks import projects
from tasks.api.base import ApiView, body_object, ok
from tasks.api.deferred_schema import extend_schema
from tasks.api.listing import parse_bool
from tasks.api.schema import (
    METADATA_BODY,
    ErrorSerializer,
    OntologyResultSerializer,
    OntologySerializer,
    ProjectCreateSerializer,
    ProjectSerializer,
)
from tasks.errors import ApiError
from tasks.models import Project
from tasks.presenters import project_json

TAGS = ["projects"]


class ProjectsView(ApiView):
    @extend_schema(summary="List projects", tags=TAGS, operation_id="projects_list",
                   parameters=[OpenApiParameter("archived", bool)],
                   responses={200: ProjectSerializer(many=True)})
    def get(self, request: Request) -> Response:
        qs = self.scoped(Project).prefetch_related("param_versions").order_by("created_at")
        archived = request.query_params.get("archived")
        if archived is not None:
            qs = qs.filter(archived=parse_bool("archived", archived))
        return ok([project_json(p) for p in qs])

    @extend_schema(summary="Create a project", tags=TAGS, request=ProjectCreateSerializer,
                   responses={200: ProjectSerializer})
    def post(self, request: Request) -> Response:
        project = projects.create_project(owner=self.owner, is_test=self.is_test,
                                           body=body_object(request))
        return ok(project_json(self.get_project(project.name)))


class ProjectDetailView(ApiView):
    @extend_schema(summary="Retrieve a project", tags=TAGS, responses={200: ProjectSerializer})
    def get(self, request: Request, name: str) -> Response:
        return ok(project_json(self.get_project(name)))


class ProjectSetParamsView(ApiView):
    @extend_schema(summary="Add a new version of a project's params", tags=TAGS,
                   request=METADATA_BODY, responses={200: ProjectSerializer})
    def post(self, request: Request, name: str) -> Response:
        project = projects.set_project_params(self.get_project(name), body_object(request))
        return ok(project_json(self.get_project(project.name)))


class ProjectSetOntologyView(ApiView):
    @extend_schema(summary="Set a project's ontology", tags=TAGS, request=OntologySerializer,
                   responses={200: OntologyResultSerializer})
    def post(self, request: Request, name: str) -> Response:
        project = self.get_project(name)
        projects.set_project_ontology(project, body_object(request))
        return ok({"name": project.name, "ontology": project.ontology,
                   "ontology_versions": len(project.ontology_history)})


class ProjectTemplatesView(ApiView):
    @extend_schema(summary="Task templates (not used by image projects)", tags=TAGS,
                   responses={400: ErrorSerializer})
    def get(self, request: Request, name: str) -> Response:
        self.get_project(name)
        raise ApiError(400, "Task templates exist only for Chat and TextCollection projects.")

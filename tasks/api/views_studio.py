"""Endpoints under /v1/studio: Scale's Studio API (docs/api-decisions.md, "Teams and
Studio"): who works on which project, in which groups, and the order batches are served in."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response

from tasks import studio
from tasks.api.base import ApiView, body_object, ok
from tasks.api.deferred_schema import extend_schema
from tasks.api.schema_workforce import (
    ASSIGNMENTS,
    AssignmentChangeSerializer,
    ProjectGroupCreateSerializer,
    ProjectGroupSerializer,
    ProjectGroupUpdateSerializer,
    StudioBatchAssignSerializer,
    StudioBatchSerializer,
    StudioPrioritiesSerializer,
)

TAGS = ["studio"]


class AssignmentsView(ApiView):
    @extend_schema(summary="List Studio assignments", tags=TAGS,
                   operation_id="studio_assignments_list", responses={200: ASSIGNMENTS})
    def get(self, request: Request) -> Response:
        return ok(studio.assignments(self.owner, self.is_test))


class AssignmentsAddView(ApiView):
    @extend_schema(summary="Assign members to projects", tags=TAGS,
                   request=AssignmentChangeSerializer, responses={200: ASSIGNMENTS})
    def post(self, request: Request) -> Response:
        studio.change_assignments(self.owner, self.is_test, body_object(request), add=True)
        return ok(studio.assignments(self.owner, self.is_test))


class AssignmentsRemoveView(ApiView):
    @extend_schema(summary="Unassign members from projects", tags=TAGS,
                   request=AssignmentChangeSerializer, responses={200: ASSIGNMENTS})
    def post(self, request: Request) -> Response:
        studio.change_assignments(self.owner, self.is_test, body_object(request), add=False)
        return ok(studio.assignments(self.owner, self.is_test))


class ProjectGroupsView(ApiView):
    @extend_schema(summary="List a project's groups", tags=TAGS,
                   operation_id="studio_project_groups_list",
                   responses={200: ProjectGroupSerializer(many=True)})
    def get(self, request: Request, project: str) -> Response:
        found = self.get_project(project)
        return ok([studio.group_json(g) for g in studio.groups_of(found)])

    @extend_schema(summary="Create a project group", tags=TAGS,
                   request=ProjectGroupCreateSerializer,
                   responses={200: ProjectGroupSerializer})
    def post(self, request: Request, project: str) -> Response:
        group = studio.create_group(self.get_project(project), body_object(request))
        return ok(studio.group_json(group))


class ProjectGroupView(ApiView):
    @extend_schema(summary="Add people to a project group, or remove them", tags=TAGS,
                   request=ProjectGroupUpdateSerializer,
                   responses={200: ProjectGroupSerializer})
    def put(self, request: Request, project: str, group: str) -> Response:
        found = studio.get_group(self.get_project(project), group)
        return ok(studio.group_json(studio.update_group(found, body_object(request))))


class StudioBatchesView(ApiView):
    @extend_schema(summary="List pending batches in the order they are served", tags=TAGS,
                   operation_id="studio_batches_list",
                   responses={200: StudioBatchSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return ok(studio.pending_json(self.owner, self.is_test))


class StudioBatchView(ApiView):
    @extend_schema(summary="Set the groups that work a batch", tags=TAGS,
                   request=StudioBatchAssignSerializer,
                   responses={200: StudioBatchSerializer})
    def put(self, request: Request, batch: str) -> Response:
        found = studio.assign_groups(self.get_batch(batch), body_object(request))
        return ok(studio.batches_json([found])[0])


class StudioPrioritiesView(ApiView):
    @extend_schema(summary="Set the order of the pending batches", tags=TAGS,
                   request=StudioPrioritiesSerializer,
                   responses={200: StudioBatchSerializer(many=True)})
    def post(self, request: Request) -> Response:
        studio.set_priorities(self.owner, self.is_test, body_object(request))
        return ok(studio.pending_json(self.owner, self.is_test))


class StudioResetPrioritiesView(ApiView):
    @extend_schema(summary="Serve the pending batches in creation order again", tags=TAGS,
                   request=None, responses={200: StudioBatchSerializer(many=True)})
    def post(self, request: Request) -> Response:
        studio.reset_priorities(self.owner, self.is_test)
        return ok(studio.pending_json(self.owner, self.is_test))

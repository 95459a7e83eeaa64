"""Endpoints under /v1/teams: Scale's Teams API (docs/api-decisions.md, "Teams and Studio")."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework.request import Request
from rest_framework.response import Response

from tasks import teams
from tasks.api.base import ApiView, body_object, ok
from tasks.api.deferred_schema import extend_schema
from tasks.api.schema import ErrorSerializer
from tasks.api.schema_workforce import TeamChangeSerializer, TeammateSerializer
from tasks.errors import ApiError

TAGS = ["teams"]
LIVE_ONLY = OpenApiResponse(ErrorSerializer, "A test key cannot change the team.")


class TeamChangeView(ApiView):
    """What invite and set_role share: a live key, and `{emails, team_role}`."""

    def change(self, request: Request) -> tuple[list[str], str]:
        if self.is_test:
            raise ApiError(403, "The team is changed with a live API key only: a test key "
                                "never changes who works for the account.")
        body = body_object(request)
        return teams.clean_emails(body.get("emails")), teams.clean_role(body.get("team_role"))


class TeamsView(ApiView):
    @extend_schema(summary="List the team", tags=TAGS, operation_id="teams_list",
                   responses={200: TeammateSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return ok(teams.teammates(self.owner))


class TeamsInviteView(TeamChangeView):
    @extend_schema(summary="Invite people to the team", tags=TAGS,
                   request=TeamChangeSerializer,
                   responses={200: TeammateSerializer(many=True), 403: LIVE_ONLY},
                   description="Makes an invitation link for each address that is not yet a "
                               "member. The link is not in the answer: `manage.py invite` "
                               "and the admin's Invitations page give it.")
    def post(self, request: Request) -> Response:
        emails, role = self.change(request)
        teams.invite(self.owner, emails, role)
        return ok(teams.teammates(self.owner))


class TeamsSetRoleView(TeamChangeView):
    @extend_schema(summary="Change teammates' role", tags=TAGS, request=TeamChangeSerializer,
                   responses={200: TeammateSerializer(many=True), 403: LIVE_ONLY})
    def post(self, request: Request) -> Response:
        emails, role = self.change(request)
        teams.set_role(self.owner, emails, role)
        return ok(teams.teammates(self.owner))

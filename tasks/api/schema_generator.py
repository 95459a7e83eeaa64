"""The schema generator's classes: drf_spectacular's AutoSchema with the common error answers,
and the API key's security scheme. Named by `REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]`, so they
load with the first schema request and not with the views (docs/performance.md "Memory of the
server process"): drf_spectacular.openapi brings Django's test modules with it."""

from __future__ import annotations

from drf_spectacular import generators, openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse

from tasks.api.deferred_schema import apply_notes
from tasks.api.schema import BODY_ERRORS, COMMON_ERRORS, ErrorSerializer


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema, plus the error answers (in the Error shape) that every
    operation can give, unless the operation documents them itself."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = dict(COMMON_ERRORS)
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            errors.update(BODY_ERRORS)
        for code, description in sorted(errors.items()):
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description), str(code),
                    direction=direction)
        return responses


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "tasks.api.auth.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "basic",
                "description": "The API key as the user name, an empty password (as Scale). "
                               "`Authorization: Bearer <key>` works too."}


class SchemaGenerator(generators.SchemaGenerator):
    """drf_spectacular's generator, after the views' deferred `extend_schema` notes are
    applied (tasks/api/deferred_schema.py)."""

    def __init__(self, *args, **kwargs) -> None:
        apply_notes()
        super().__init__(*args, **kwargs)

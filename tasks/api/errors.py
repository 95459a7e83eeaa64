"""Every API error leaves as `{"status_code": n, "error": "..."}`: what the client reads."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.response import Response

from tasks.errors import ApiError

logger = logging.getLogger("annotator")

# Not "Basic": a browser answering a Basic challenge keeps the key and sends it with every
# later request to the site, including those a page of another site makes it send. Clients
# send the key unasked (HTTP Basic with the key as user name, or Bearer), so need no challenge.
CHALLENGE = 'Bearer realm="annotator API"'

STATUS_BY_TYPE = {
    exceptions.NotAuthenticated: 401,
    exceptions.AuthenticationFailed: 401,
}


def error_body(status_code: int, message: str) -> dict:
    return {"status_code": status_code, "error": message}


def _message(detail: object) -> str:
    if isinstance(detail, list):
        return "; ".join(_message(d) for d in detail)
    if isinstance(detail, dict):
        return "; ".join(f"{k}: {_message(v)}" for k, v in detail.items())
    return str(detail)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, ApiError):
        return Response(exc.as_json(), status=exc.status_code)
    if isinstance(exc, Http404):
        return Response(error_body(404, "Not found."), status=404)
    if isinstance(exc, PermissionDenied):
        return Response(error_body(403, "Permission denied."), status=403)
    if isinstance(exc, RequestDataTooBig):
        return Response(error_body(413, "The request body is too large."), status=413)
    if isinstance(exc, SuspiciousOperation):  # e.g. more form fields than Django reads
        return Response(error_body(400, f"The request was refused: {exc}"), status=400)
    if isinstance(exc, exceptions.APIException):
        status_code = STATUS_BY_TYPE.get(type(exc), exc.status_code)
        if isinstance(exc, exceptions.NotAuthenticated):
            message = "Please provide your API key as the user name of HTTP Basic auth."
        elif isinstance(exc, exceptions.UnsupportedMediaType):
            message = unsupported_media_message(context)
        else:
            message = _message(exc.detail)
        headers = {}
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            headers["Retry-After"] = str(int(exc.wait) + 1)
        if status_code == 401:
            headers["WWW-Authenticate"] = CHALLENGE
        return Response(error_body(status_code, message), status=status_code, headers=headers)
    logger.exception("unhandled API error", exc_info=exc)
    return Response(error_body(500, "Internal server error."), status=500)


def unsupported_media_message(context: dict) -> str:
    request, view = context.get("request"), context.get("view")
    given = (getattr(request, "content_type", "") or "").split(";")[0].strip()
    accepted = [p.media_type for p in view.get_parsers()] if view is not None else []
    wanted = " or ".join(accepted) or "application/json"
    if not given:
        return f"Please send the request body with a Content-Type header: {wanted}."
    return f'Content-Type "{given}" is not accepted here; send {wanted}.'


@csrf_exempt  # changes nothing; a POST must get this 404, not the CSRF middleware's HTML 403
def not_found_view(request, *args, **kwargs) -> JsonResponse:
    return JsonResponse(error_body(404, f"No endpoint at {request.path}."), status=404)

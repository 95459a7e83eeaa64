"""An account's model backends as the API lists and creates them, and a project's choice of
one (docs/api-decisions.md, "Model backends"; docs/assist.md). Scale's params are never
touched: the choice is a field of the project, not of its params."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from tasks.errors import ApiError
from tasks.fetching import literal_refusal
from tasks.model_backends.transport import MAX_TIMEOUT, MIN_TIMEOUT
from tasks.models import BackendProtocol, ModelBackend, Project

FLAGS = ("predict", "interact", "enabled")


def backend_json(backend: ModelBackend) -> dict:
    """A backend as the API shows it (its Authorization header never: only whether it has one)."""
    return {"name": backend.name, "url": backend.url, "protocol": backend.protocol,
            "predict": backend.predict, "interact": backend.interact,
            "enabled": backend.enabled, "timeout_seconds": backend.timeout_seconds,
            "has_auth_header": bool(backend.auth_header),
            "model_version": backend.model_version or None,
            "breaker": {"failures": backend.failures,
                        "open_until": backend.open_until.isoformat() if backend.open_until
                        else None,
                        "last_error": backend.last_error or None}}


def create_backend(owner, body: dict) -> ModelBackend:
    backend = ModelBackend(owner=owner, name=_name(body.get("name")), url=_url(body.get("url")),
                           protocol=_protocol(body.get("protocol", BackendProtocol.ANNOTATOR)),
                           timeout_seconds=_timeout(body.get("timeout_seconds", 10)),
                           auth_header=_auth(body.get("auth_header", "")))
    for flag in FLAGS:
        if flag in body:
            setattr(backend, flag, _bool(body[flag], flag))
    try:
        with transaction.atomic():
            backend.save()
    except IntegrityError:
        raise ApiError(409, f'A model backend named "{backend.name}" exists already.') from None
    return backend


def set_project_backend(project: Project, name: object) -> Project:
    if name is None:
        backend = None
    else:
        backend = ModelBackend.objects.filter(owner_id=project.owner_id,
                                              name=_name(name, "model_backend")).first()
        if backend is None:
            raise ApiError(404, f'Model backend "{name}" not found.')
    project.model_backend = backend
    project.save(update_fields=["model_backend"])
    return project


def _name(value: object, field: str = "name") -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 100:
        raise ApiError(400, f"{field} must be a non-empty string of at most 100 characters.")
    return value.strip()


def _url(value: object) -> str:
    if not isinstance(value, str) or not value.startswith(("http://", "https://")) \
            or len(value) > 500:
        raise ApiError(400, "url must be an http or https URL of at most 500 characters.")
    refusal = literal_refusal(value)
    if refusal:
        raise ApiError(400, f"url must not be used: the host {refusal}.")
    return value


def _protocol(value: object) -> str:
    if value not in BackendProtocol.values:
        raise ApiError(400, f"protocol must be one of {', '.join(BackendProtocol.values)}.")
    return str(value)


def _timeout(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) \
            or not MIN_TIMEOUT <= value <= MAX_TIMEOUT:
        raise ApiError(400, f"timeout_seconds must be a number from {MIN_TIMEOUT:g} to "
                            f"{MAX_TIMEOUT:g}.")
    return float(value)


def _auth(value: object) -> str:
    if not isinstance(value, str) or len(value) > 500:
        raise ApiError(400, "auth_header must be a string of at most 500 characters.")
    return value


def _bool(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise ApiError(400, f"{field} must be true or false.")
    return value

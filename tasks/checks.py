"""System checks for the settings that come from the environment (docs/deploy.md)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.core.exceptions import ImproperlyConfigured


@register()
def check_api_rate(app_configs, **kwargs) -> list[Error]:
    from tasks.api.throttling import parse_rate

    try:
        parse_rate(str(settings.ANNOTATOR_API_RATE))
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="annotator.E001")]
    return []


@register()
def check_body_limits(app_configs, **kwargs) -> list[Error]:
    errors = []
    for name in ("ANNOTATOR_MAX_BODY_BYTES", "ANNOTATOR_MAX_UPLOAD_BYTES"):
        value = getattr(settings, name)
        if not isinstance(value, int) or value < 1024:
            errors.append(Error(f"{name} must be a number of bytes of at least 1024.",
                                id="annotator.E002"))
    return errors


@register()
def check_media_storage(app_configs, **kwargs) -> list[Error]:
    if not getattr(settings, "ANNOTATOR_MEDIA_S3_BUCKET", ""):
        return []
    try:
        import storages.backends.s3  # noqa: F401
    except ImportError as exc:
        return [Error(f"ANNOTATOR_MEDIA_S3_BUCKET is set but django-storages[s3] cannot be "
                      f"imported: {exc}.", id="annotator.E003")]
    return []


@register(deploy=True)
def check_password_hasher(app_configs, **kwargs) -> list[Warning]:
    """The tests' fast hasher (annotator/settings.py) has no place in a deployment."""
    if "MD5PasswordHasher" in str(settings.PASSWORD_HASHERS[0]):
        return [Warning("Passwords are hashed with MD5: unset ANNOTATOR_TEST_FAST_PASSWORD_HASHER, "
                        "which only the test suite sets.", id="annotator.W001")]
    return []

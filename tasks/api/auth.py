"""API keys over HTTP Basic auth: the key is the user name, the password is empty."""

from __future__ import annotations

import base64

from django.utils import timezone
from rest_framework import authentication, exceptions

from tasks.models import ApiKey

# Writing last_used_at on every call would make every read a write; once a minute is enough.
TOUCH_INTERVAL_SECONDS = 60


def key_from_header(header: str) -> str | None:
    scheme, _, value = header.partition(" ")
    scheme = scheme.lower()
    if scheme == "bearer":
        return value.strip() or None
    if scheme != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    username, _, _password = decoded.partition(":")
    return username or None


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        raw = key_from_header(header)
        key = ApiKey.lookup(raw) if raw else None
        if key is None:
            raise exceptions.AuthenticationFailed("Please provide a valid API key.")
        now = timezone.now()
        if key.last_used_at is None or (now - key.last_used_at).total_seconds() > \
                TOUCH_INTERVAL_SECONDS:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        return key.user, key

    def authenticate_header(self, request) -> str:
        return 'Basic realm="annotator API"'

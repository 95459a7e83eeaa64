"""API keys over HTTP Basic auth: the key is the user name, the password is empty."""

from __future__ import annotations

import base64
import copy
import time

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from rest_framework import authentication, exceptions

from tasks.models import ApiKey
from tasks.models.accounts import hash_key

# Writing last_used_at on every call would make every read a write; once a minute is enough.
TOUCH_INTERVAL_SECONDS = 60
# A key found valid is trusted this long without asking the database again (a query per call
# was a fifth of a cached read's time). Saving or deleting a key or a user, and the admin's
# revoke action, empty this process's cache at once; other server processes notice a revoked
# key within this many seconds.
KEY_CACHE_SECONDS = 10
KEY_CACHE_SIZE = 1024
_keys: dict[str, tuple[float, ApiKey]] = {}


def lookup_key(raw: str) -> ApiKey | None:
    """The live key `raw` names, with its user; a private copy, from the cache when fresh."""
    digest = hash_key(raw)
    now = time.monotonic()
    hit = _keys.get(digest)
    if hit is None or hit[0] <= now:
        key = ApiKey.lookup(raw)
        if key is None:
            _keys.pop(digest, None)
            return None
        if len(_keys) >= KEY_CACHE_SIZE:
            _keys.clear()
        hit = _keys[digest] = (now + KEY_CACHE_SECONDS, key)
    key = copy.copy(hit[1])
    key.user = copy.copy(hit[1].user)
    return key


def forget_cached_keys(*args, **kwargs) -> None:
    _keys.clear()


post_save.connect(forget_cached_keys, sender=ApiKey, dispatch_uid="api-key-cache-save")
post_delete.connect(forget_cached_keys, sender=ApiKey, dispatch_uid="api-key-cache-delete")
post_save.connect(forget_cached_keys, sender=get_user_model(), dispatch_uid="api-key-cache-user")
post_delete.connect(forget_cached_keys, sender=get_user_model(),
                    dispatch_uid="api-key-cache-user-delete")


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
        key = lookup_key(raw) if raw else None
        if key is None:
            raise exceptions.AuthenticationFailed("Please provide a valid API key.")
        now = timezone.now()
        if key.last_used_at is None or (now - key.last_used_at).total_seconds() > \
                TOUCH_INTERVAL_SECONDS:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
            cached = _keys.get(key.key_hash)
            if cached is not None:
                cached[1].last_used_at = now
        return key.user, key

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="annotator API"'  # never Basic: see tasks/api/errors.py

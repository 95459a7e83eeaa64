"""API keys and per-account settings. An account is a Django user."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


def hash_key(raw_key: str) -> str:
    # Keys are 128 random bits, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(raw_key.encode()).hexdigest()


def new_callback_key() -> str:
    return secrets.token_hex(20)


class AccountSettings(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="annotator_settings"
    )
    # The value of the `scale-callback-auth` header, one for live and one for test tasks, so
    # a test key's holder never learns the live one.
    callback_auth_key = models.CharField(max_length=64, default=new_callback_key)
    test_callback_auth_key = models.CharField(max_length=64, default=new_callback_key)
    # The HMAC keys of the callbacks' X-Annotator-Signature (tasks/callback_signing.py): kept
    # in clear because they sign, shown once when made, never in a form.
    callback_signing_secret = models.CharField(max_length=80, blank=True, default="",
                                               editable=False)
    test_callback_signing_secret = models.CharField(max_length=80, blank=True, default="",
                                                    editable=False)
    callback_emails = models.TextField(
        blank=True, default="",
        help_text="The only e-mail addresses this account's callbacks may go to, one a line "
                  "(set by staff, who checked they are the account's own).")
    default_callback_url = models.CharField(max_length=2048, blank=True, default="")

    class Meta:
        verbose_name = "account settings"
        verbose_name_plural = "account settings"

    def __str__(self) -> str:
        return f"settings of {self.user}"

    @classmethod
    def for_user(cls, user) -> AccountSettings:
        obj, _ = cls.objects.get_or_create(user=user)
        return obj

    def auth_key(self, is_test: bool) -> str:
        return self.test_callback_auth_key if is_test else self.callback_auth_key

    def allowed_emails(self) -> set[str]:
        return {line.strip().lower() for line in self.callback_emails.splitlines()
                if line.strip()}


class ApiKey(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=100, blank=True, default="")
    is_test = models.BooleanField(default=False)
    prefix = models.CharField(max_length=16, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.prefix}… ({'test' if self.is_test else 'live'}, {self.user})"

    @classmethod
    def issue(cls, user, *, is_test: bool = False, name: str = "") -> tuple[ApiKey, str]:
        """Create a key and return it with its only plain-text copy."""
        raw = ("test_" if is_test else "live_") + secrets.token_hex(16)
        key = cls.objects.create(
            user=user, is_test=is_test, name=name, prefix=raw[:12], key_hash=hash_key(raw)
        )
        AccountSettings.for_user(user)
        return key, raw

    @classmethod
    def lookup(cls, raw_key: str) -> ApiKey | None:
        return (
            cls.objects.select_related("user")
            .filter(key_hash=hash_key(raw_key), revoked=False, user__is_active=True)
            .first()
        )

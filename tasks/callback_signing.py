"""Signed callbacks. Every HTTP callback carries

    X-Annotator-Timestamp: <unix seconds when this try was sent>
    X-Annotator-Signature: v1=<hex HMAC-SHA256 of "<timestamp>." + body>

keyed by the account's signing secret of the task's environment (live or test). Receivers
check the signature and refuse a timestamp older than REPLAY_WINDOW_SECONDS, so a recorded
callback cannot be replayed later (docs/api-decisions.md, "Callbacks"). The secret is made
when the account's first key of that environment is issued, shown then only, and can be
replaced (`manage.py callback_secret`, or the admin's account settings)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from django.db import transaction

from tasks.models import AccountSettings

TIMESTAMP_HEADER = "X-Annotator-Timestamp"
SIGNATURE_HEADER = "X-Annotator-Signature"
REPLAY_WINDOW_SECONDS = 300
PREFIX = "whsec_"


def _field(is_test: bool) -> str:
    return "test_callback_signing_secret" if is_test else "callback_signing_secret"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "v1=" + digest.hexdigest()


def signed_headers(account: AccountSettings, is_test: bool, body: bytes,
                   now: float | None = None) -> dict[str, str]:
    timestamp = int(time.time() if now is None else now)
    secret = getattr(account, _field(is_test)) or _made_unseen(account, is_test)
    return {TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: signature(secret, timestamp, body)}


def new_secret(user, is_test: bool) -> str:
    """Replace the account's signing secret of one environment; the new one, to be shown
    once."""
    secret = PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        account = AccountSettings.for_user(user)
        setattr(account, _field(is_test), secret)
        account.save(update_fields=[_field(is_test)])
    return secret


def first_secret(user, is_test: bool) -> str | None:
    """The account's signing secret when it has none yet (to be shown once), else None."""
    account = AccountSettings.for_user(user)
    if getattr(account, _field(is_test)):
        return None
    return new_secret(user, is_test)


def _made_unseen(account: AccountSettings, is_test: bool) -> str:
    """An account from before signing: its callbacks are signed anyway; staff make a secret
    to show with `manage.py callback_secret`."""
    secret = new_secret(account.user, is_test)
    setattr(account, _field(is_test), secret)
    return secret

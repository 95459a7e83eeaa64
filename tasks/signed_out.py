"""A user who logs out, or whose password changes, keeps no open socket: every live session
and progress stream of that user is closed (4403, as for a refusal), on every server process
through the channel layer. Without it a socket opened before the logout kept editing, and its
heartbeats kept renewing the lease (docs/live-sessions.md)."""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import pre_save

from tasks import live

logger = logging.getLogger("annotator.live")


def user_group(user_id: int) -> str:
    """The channel group of every socket a user has open."""
    return f"user-{user_id}"


def close_sockets_of(user_id: int) -> None:
    def send() -> None:
        try:
            live.group_send(user_group(user_id), {"type": "user.signed_out"})
        except Exception:  # a lost Redis must not fail the logout itself
            logger.exception("closing the sockets of user %s failed", user_id)

    transaction.on_commit(send)


def _on_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        close_sockets_of(user.pk)


def _on_user_save(sender, instance, raw: bool = False, **kwargs) -> None:
    if raw or instance.pk is None:
        return
    stored = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if stored is not None and stored != instance.password:
        close_sockets_of(instance.pk)


def connect_signals() -> None:
    user_logged_out.connect(_on_logout, dispatch_uid="close-sockets-on-logout")
    pre_save.connect(_on_user_save, sender=get_user_model(),
                     dispatch_uid="close-sockets-on-password-change")

"""An account's workforce: memberships with Scale's team roles, invitations, and Studio's
project groups (docs/workforce.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from tasks.models.projects import Project


class TeamRole(models.TextChoices):
    """Scale's team roles."""

    LABELER = "labeler"
    MEMBER = "member"
    MANAGER = "manager"
    ADMIN = "admin"


class Membership(models.Model):
    """A person in an account's workforce. `account` is the API account that owns projects."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=TeamRole.choices, default=TeamRole.LABELER)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "user"], name="membership_unique")
        ]
        ordering = ["account_id", "created_at"]

    def __str__(self) -> str:
        return f"{self.user} in {self.account} ({self.role})"


class Invitation(models.Model):
    """An invitation to join an account (POST /v1/teams/invite, `manage.py invite`). Only the
    sha256 of the link's secret token is stored; the token is shown once."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=TeamRole.choices, default=TeamRole.LABELER)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="accepted_invitations",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} to {self.account} ({self.role})"


class ProjectGroup(models.Model):
    """Studio's named group of labelers in a project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=200)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="project_groups", blank=True
    )
    is_singleton = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="project_group_unique")
        ]
        ordering = ["project_id", "name"]

    def __str__(self) -> str:
        return self.name

"""A tasker's standing in a project: flagged, paused, training passed (docs/quality.md)."""

from __future__ import annotations

from tasks.models import Project, TaskerStanding


def is_paused(user, project: Project) -> bool:
    return TaskerStanding.objects.filter(project=project, user=user,
                                         paused_at__isnull=False).exists()

"""Gold (evaluation) tasks: serving copies and scoring answers (docs/quality.md)."""

from __future__ import annotations

from datetime import datetime

from tasks.models import Project, Task


def serve(user, project: Project, now: datetime) -> Task | None:
    """At a tasker's claim, maybe a new, unleased copy of a gold task (the queue leases it)."""
    return None


def serve_review(user, project: Project, now: datetime) -> Task | None:
    """At a reviewer's claim, maybe a new, unleased copy of a review-phase gold task."""
    return None

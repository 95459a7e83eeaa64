"""Training tasks: the gate new taskers pass before real work (docs/quality.md)."""

from __future__ import annotations

from datetime import datetime

from tasks.models import Project, Task


def gate(user, project: Project) -> str:
    """"open" (real work), "training" (training tasks first) or "failed"."""
    return "open"


def serve(user, project: Project, now: datetime) -> Task | None:
    """While the gate says "training": a new, unleased training copy (the queue leases it)."""
    return None

"""The quality figures per project, tasker and reviewer (docs/quality.md)."""

from __future__ import annotations

from tasks.models import Project


def project_figures(project: Project, days: int = 30) -> dict:
    """The project's figures over the last `days` days, with the per-day trend."""
    raise NotImplementedError

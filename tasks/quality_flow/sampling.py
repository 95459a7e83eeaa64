"""Which submissions go to review (docs/quality.md)."""

from __future__ import annotations


def wants_review(settings, task, user) -> bool:
    return False

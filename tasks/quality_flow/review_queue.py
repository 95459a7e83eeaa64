"""The reviewers' queue page: per visible project, what waits for review (docs/quality.md)."""

from __future__ import annotations


def review_rows(user) -> list:
    """Per project the reviewer may review: what waits, and the review they hold."""
    return []

"""The reviewers' queue page and its Start next review (docs/quality.md)."""

from __future__ import annotations

from tasks.workbench import not_built

review_queue_page = not_built.reading
start_next_review = not_built.changing

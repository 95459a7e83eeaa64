"""A reviewer's decision on the task they hold in review (docs/quality.md)."""

from __future__ import annotations

from tasks.workbench import not_built

decide = not_built.changing

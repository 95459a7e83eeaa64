"""The review page of the workbench (docs/workbench.md, Review mode)."""

from __future__ import annotations

from tasks.workbench import not_built

review_page = not_built.reading

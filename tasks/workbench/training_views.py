"""The result of a training task: the tasker's answer beside the expected one (docs/quality.md)."""

from __future__ import annotations

from tasks.workbench import not_built

result_page = not_built.reading
result_json = not_built.reading

"""The tolerances, limits and messages the server shares with the page, read once from
static/js/lib/rules-constants.json (the page imports the same file; docs/rules.md).

The file sits in the checkout's static/ tree, next to this package (settings serve static/
from the checkout too), so the path is relative to this file, not to the working directory.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PATH = Path(__file__).resolve().parents[2] / "static" / "js" / "lib" / "rules-constants.json"
_DATA: dict[str, Any] = json.loads(PATH.read_text(encoding="utf-8"))

TOLERANCES: dict[str, float] = _DATA["tolerances"]
# The numeric limits. `floor_vertices` is the one limit that is a table, so it has its own
# name: the fewest vertices an annotation of a geometry can have, whatever min_vertices says.
LIMITS: dict[str, float] = {
    key: value for key, value in _DATA["limits"].items() if key != "floor_vertices"
}
FLOOR_VERTICES: dict[str, int] = _DATA["limits"]["floor_vertices"]
MESSAGES: dict[str, str] = _DATA["messages"]


def message(key: str, **values: object) -> str:
    """The message `key` with its {name} placeholders filled in (the page's `message()` in
    static/js/lib/ruletext.js does the same)."""
    return MESSAGES[key].format(**values)

"""URLs a task may not name because the server would never contact them (tasks/fetching.py):
refused at create, with the field, instead of a 200 and a failure later."""

from __future__ import annotations

from tasks.fetching import literal_refusal
from tasks.rules.errors import RuleError


def refuse_unreachable(url: str, path: str) -> None:
    reason = literal_refusal(url)
    if reason is not None:
        raise RuleError(path, f"must be a public address: {reason} "
                              "(ANNOTATOR_FETCH_ALLOW can allow it)")

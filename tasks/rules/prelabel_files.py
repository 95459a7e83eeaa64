"""Prelabels given as a file: a video task's `hypothesis` / `base_annotations` whose
`annotations` is {"url": ...} (docs/api-decisions.md, "Video"). The worker fetches the file
and stores its tracks in place of the URL before the task is handed out
(tasks/video_prelabels.py); until then the task has no prelabel rows."""

from __future__ import annotations

from typing import Any

from .errors import RuleError

PRELABEL_NAMES = ("hypothesis", "base_annotations")


def annotations_url(value: Any) -> str | None:
    """The file's URL when a prelabel's annotations are given as {"url"}, else None."""
    annotations = value.get("annotations") if isinstance(value, dict) else None
    url = annotations.get("url") if isinstance(annotations, dict) else None
    return url if isinstance(url, str) else None


def prelabel_urls(params: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, URL) of each prelabel file the task names."""
    found = []
    for name in PRELABEL_NAMES:
        url = annotations_url(params.get(name))
        if url is not None:
            found.append((f"{name}.annotations.url", url))
    return found


def prelabel_list(params: dict[str, Any], name: str) -> list[Any]:
    """The annotations of a task's prelabel (`hypothesis` or `base_annotations`); none while
    they are still a file to fetch."""
    annotations = (params.get(name) or {}).get("annotations")
    return annotations if isinstance(annotations, list) else []


def refuse_test_prelabel_file(params: dict[str, Any]) -> None:
    """A test key's task completes at create with its hypothesis and is never fetched by the
    worker: its hypothesis must be inline (docs/api-decisions.md, "Video")."""
    if annotations_url(params.get("hypothesis")) is not None:
        raise RuleError("hypothesis.annotations", "must be a list of tracks for a test key's "
                        "task, which completes at create with its hypothesis (a URL is "
                        "fetched by the worker, which does not run test tasks)")

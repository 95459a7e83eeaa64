"""Image file names in an export: safe relative paths, unique within the export.

A name that is missing or has no image suffix gets the attachment's extension (or becomes
`<task_id>.<ext>`); a name whose stem is already taken (case-insensitively: label files are
named by stem) becomes `<stem>_<task_id>.<ext>`.
"""

from __future__ import annotations

import posixpath
from urllib.parse import unquote, urlsplit

from tasks.models.files import SCHEME

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff"}


def url_name(url: str) -> str:
    if not url or url.startswith(SCHEME):
        return ""
    return unquote(urlsplit(url).path.rsplit("/", 1)[-1])


def safe_path(name: str) -> str:
    """A relative POSIX path with no empty, '.' or '..' parts (it becomes a path in a zip)."""
    parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".", "..")]
    return "/".join(parts)


class NameBook:
    """Gives every image of one export its own file name."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def take(self, wanted: str, task_id: str, extension: str) -> str:
        name = safe_path(wanted)
        stem, suffix = posixpath.splitext(name)
        if not stem or suffix.lower() not in IMAGE_SUFFIXES:
            name = f"{stem}{extension}" if stem else f"{task_id}{extension}"
        stem, suffix = posixpath.splitext(name)
        if stem.lower() in self._taken:  # label files are named by stem: a.png and a.jpg clash
            stem = f"{stem}_{task_id}"
        self._taken.add(stem.lower())
        return stem + suffix

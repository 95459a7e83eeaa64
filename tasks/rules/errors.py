"""The one error type of the rules: a message about a field, named by its path."""

from __future__ import annotations


class RuleError(ValueError):
    """A rule was broken. `path` names the field, e.g. `geometries.polygon.max_vertices`."""

    def __init__(self, path: str, message: str, *, annotation_uuid: str | None = None) -> None:
        self.path = path
        self.message = message
        self.annotation_uuid = annotation_uuid
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.path} {self.message}" if self.path else self.message


def join(path: str, key: str | int) -> str:
    """Extend a field path: join("geometries", "box") == "geometries.box",
    join("annotations", 3) == "annotations[3]"."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key

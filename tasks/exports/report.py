"""What an export wrote, and everything it could not carry as it was.

Every writer notes each annotation, task-level field or image property that its format cannot
hold as-is: dropped, or converted to something the format can hold. The command prints the
report, the API sends its summary in the `X-Export-Report` header, archives hold it whole as
`export_report.json`, and COCO keeps the summary in `info.export_report`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import orjson

# How many grouped lines the short forms (header, admin message) show.
SUMMARY_GROUPS = 20


@dataclass(frozen=True)
class Issue:
    """One thing the format could not carry as it was, and what the export did with it."""

    task_id: str
    what: str  # e.g. "cuboid", "links", "rotated box", "image size"
    action: str  # e.g. "dropped", "written as its axis-aligned bounding box"
    annotation: str | None = None  # the annotation's uuid, when it is about one annotation

    def as_json(self) -> dict:
        data = {"task_id": self.task_id, "what": self.what, "action": self.action}
        if self.annotation is not None:
            data["annotation"] = self.annotation
        return data


@dataclass
class ExportReport:
    format: str
    options: dict[str, str] = field(default_factory=dict)  # the format's, as chosen
    tasks: int = 0
    images: int = 0
    files: int = 0
    annotations: Counter = field(default_factory=Counter)  # written, by Scale type
    issues: list[Issue] = field(default_factory=list)

    def note(self, task_id: str, what: str, action: str, annotation: str | None = None) -> None:
        self.issues.append(Issue(task_id, what, action, annotation))

    def wrote(self, kind: str, count: int = 1) -> None:
        self.annotations[kind] += count

    def grouped(self) -> list[dict]:
        """Issues counted by (what, action): how many, in how many tasks."""
        counts: Counter = Counter()
        tasks: dict[tuple[str, str], set[str]] = {}
        for issue in self.issues:
            key = (issue.what, issue.action)
            counts[key] += 1
            tasks.setdefault(key, set()).add(issue.task_id)
        return [{"what": what, "action": action, "count": n, "tasks": len(tasks[(what, action)])}
                for (what, action), n in sorted(counts.items())]

    def summary(self) -> dict:
        return {
            "format": self.format,
            **({"options": self.options} if self.options else {}),
            "tasks": self.tasks,
            "images": self.images,
            "files": self.files,
            "annotations": sum(self.annotations.values()),
            "annotations_by_type": dict(sorted(self.annotations.items())),
            "not_carried": self.grouped(),
        }

    def as_json(self) -> dict:
        return {**self.summary(), "issues": [issue.as_json() for issue in self.issues]}

    def header(self) -> str:
        """The summary as one line of ASCII JSON, for an HTTP header."""
        summary = self.summary()
        groups = summary["not_carried"]
        if len(groups) > SUMMARY_GROUPS:
            summary["not_carried"] = groups[:SUMMARY_GROUPS]
            summary["not_carried_truncated"] = len(groups) - SUMMARY_GROUPS
        return orjson.dumps(summary).decode().encode("ascii", "backslashreplace").decode()

    def lines(self) -> list[str]:
        """The report for people: counts first, then one line per kind of issue."""
        by_type = ", ".join(f"{n} {kind}" for kind, n in sorted(self.annotations.items()))
        chosen = " ".join(f"{k}={v}" for k, v in sorted(self.options.items()))
        head = (f"Exported {self.tasks} task(s) as {self.format}"
                + (f" ({chosen})" if chosen else "") + ": "
                f"{sum(self.annotations.values())} annotation(s)"
                + (f" ({by_type})" if by_type else "") + ".")
        groups = self.grouped()
        if not groups:
            return [head, "Nothing was dropped or converted."]
        lines = [head, "Not carried as-is by this format:"]
        lines += [f"  {g['what']}: {g['count']} in {g['tasks']} task(s) - {g['action']}"
                  for g in groups]
        return lines

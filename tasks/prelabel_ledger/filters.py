"""Which ledger rows a figure counts: the UTC day range, a project, a model version, and the
accounts the staff user may see (docs/assist.md, "The prelabel ledger")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from tasks.errors import ApiError

DAYS = 30
MAX_DAYS = 366


@dataclass(frozen=True)
class Filters:
    """`start` and `end` are UTC days, both counted. `projects`: the projects the viewer may
    see (None: every one)."""

    start: dt.date
    end: dt.date
    project: int | None = None
    model_version: str | None = None
    projects: QuerySet | None = None

    @property
    def since(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=dt.UTC)

    @property
    def until(self) -> dt.datetime:
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)

    def as_json(self) -> dict:
        return {"from": self.start.isoformat(), "to": self.end.isoformat(),
                "project": self.project, "model_version": self.model_version}


def last_days(days: int = DAYS, *, today: dt.date | None = None, **rest: object) -> Filters:
    end = today or dt.datetime.now(dt.UTC).date()
    return Filters(start=end - dt.timedelta(days=days - 1), end=end, **rest)  # type: ignore[arg-type]


def parse(query: dict[str, str], projects: QuerySet | None) -> Filters:
    """The filters of a query string: `project` (id), `model_version`, `from` and `to`
    (YYYY-MM-DD, UTC), else `days` (1 to 366, 30) ending today. ApiError 400 on a bad one."""
    today = dt.datetime.now(dt.UTC).date()
    end = _day(query, "to") or today
    start = _day(query, "from")
    if start is None:
        days = _int(query, "days", DAYS, 1, MAX_DAYS) or DAYS
        start = end - dt.timedelta(days=days - 1)
    if start > end:
        raise ApiError(400, "from must be on or before to.")
    if (end - start).days >= MAX_DAYS:
        raise ApiError(400, f"The day range is at most {MAX_DAYS} days.")
    project = _int(query, "project", None, 1, None) if query.get("project") else None
    return Filters(start=start, end=end, project=project,
                   model_version=query.get("model_version") or None, projects=projects)


def _day(query: dict[str, str], name: str) -> dt.date | None:
    text = query.get(name)
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ApiError(400, f"{name} must be a day as YYYY-MM-DD, not {text!r}.") from None


def _int(query: dict[str, str], name: str, default: int | None, low: int,
         high: int | None) -> int | None:
    text = query.get(name)
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise ApiError(400, f"{name} must be a whole number, not {text!r}.") from None
    if value < low or (high is not None and value > high):
        bounds = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise ApiError(400, f"{name} must be {bounds}, not {value}.")
    return value

"""The machinery of the quality figures (docs/quality.md, "Measured quality"): each figure is
a ratio or a mean computed by one aggregate query grouped by UTC day, person or project, or a
median computed by one window query, as `tasks/stats.py` computes the daily view's numbers.

A figure's `value` is null when its `n` is 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol

from django.db.models import (
    Count,
    DurationField,
    Expression,
    ExpressionWrapper,
    F,
    QuerySet,
    Window,
)
from django.db.models.functions import RowNumber, TruncDate

UTC = dt.UTC
DAY, USER, PROJECT = "day", "user", "project"  # the groupings


@dataclass(frozen=True)
class Figure:
    value: float | None
    n: int

    def as_json(self) -> dict:
        return {"value": None if self.value is None else round(self.value, 4), "n": self.n}


EMPTY = Figure(None, 0)


@dataclass(frozen=True)
class Part:
    """A ratio's numerator and denominator, which add up across groups."""

    total: float = 0.0
    n: int = 0

    def __add__(self, other: Part) -> Part:
        return Part(self.total + other.total, self.n + other.n)

    def figure(self) -> Figure:
        return Figure(self.total / self.n if self.n else None, self.n)


@dataclass(frozen=True)
class Scope:
    """The rows a figure counts: ended in [since, until), of one project and/or one person."""

    since: dt.datetime
    until: dt.datetime
    project: Any = None  # a Project, or None for every project
    user: Any = None  # a user, or None for everyone

    @classmethod
    def last_days(cls, days: int, today: dt.date, **kw: Any) -> Scope:
        first = today - dt.timedelta(days=days - 1)
        since = dt.datetime(first.year, first.month, first.day, tzinfo=UTC)
        return cls(since=since, until=since + dt.timedelta(days=days), **kw)

    def without_user(self) -> Scope:
        return replace(self, user=None)

    def days(self) -> list[dt.date]:
        first = self.since.date()
        return [first + dt.timedelta(days=i) for i in range((self.until - self.since).days)]


@dataclass(frozen=True)
class Source:
    """Where a figure's rows come from: the rows, the field that places them in time, the path
    to their project and, per role ("tasker", "reviewer"), the path to the person."""

    rows: Callable[[], QuerySet]
    at: str
    project: str
    people: Mapping[str, str]

    def window(self, scope: Scope) -> dict[str, Any]:
        return {f"{self.at}__gte": scope.since, f"{self.at}__lt": scope.until}

    def day(self, key: Any) -> Any:
        """A day key as the query gives it, as a date."""
        return key

    def serves(self, scope: Scope, role: str, group: str | None) -> bool:
        """False when the figure is per person in a role nobody has behind these rows."""
        return role in self.people or (scope.user is None and group != USER)

    def scoped(self, scope: Scope, role: str) -> QuerySet:
        qs = self.rows().filter(**self.window(scope))
        if scope.project is not None:
            qs = qs.filter(**{self.project: scope.project})
        if scope.user is not None:
            qs = qs.filter(**{self.people[role]: scope.user})
        return qs

    def key(self, group: str, role: str) -> Expression | F:
        if group == DAY:
            return TruncDate(self.at, tzinfo=UTC)
        return F(self.people[role] if group == USER else self.project)


@dataclass(frozen=True)
class DayTextSource(Source):
    """A source whose `at` is a "YYYY-MM-DD" text (a UTC day read out of a JSON column)."""

    def window(self, scope: Scope) -> dict[str, Any]:
        return {f"{self.at}__gte": scope.since.date().isoformat(),
                f"{self.at}__lt": scope.until.date().isoformat()}

    def day(self, key: Any) -> Any:
        return dt.date.fromisoformat(key) if isinstance(key, str) else key

    def key(self, group: str, role: str) -> Expression | F:
        return F(self.at) if group == DAY else super().key(group, role)


class Measure(Protocol):
    """A figure: its value per group (day, person, project) and over the whole scope."""

    def by(self, scope: Scope, role: str, group: str) -> dict[Hashable, Figure]: ...

    def daily(self, scope: Scope, role: str) -> tuple[dict[Hashable, Figure], Figure]: ...


@dataclass(frozen=True)
class Ratio:
    """Σ num ÷ Σ den over the scoped rows (a share, or a mean when den counts the rows)."""

    source: Source
    num: Callable[[], Any] | None  # None: the rows only add to the denominator
    den: Callable[[], Any] = lambda: Count("pk")

    def parts(self, scope: Scope, role: str, group: str) -> dict[Hashable, Part]:
        if not self.source.serves(scope, role, group):
            return {}
        sums = {"den": self.den(), **({"num": self.num()} if self.num else {})}
        rows = (self.source.scoped(scope, role).annotate(group_key=self.source.key(group, role))
                .values("group_key").order_by().annotate(**sums))
        day = self.source.day if group == DAY else (lambda key: key)
        return {day(row["group_key"]): Part(float(row.get("num") or 0), int(row["den"] or 0))
                for row in rows}

    def by(self, scope: Scope, role: str, group: str) -> dict[Hashable, Figure]:
        return {key: part.figure() for key, part in self.parts(scope, role, group).items()}

    def daily(self, scope: Scope, role: str) -> tuple[dict[Hashable, Figure], Figure]:
        return daily_of(self.parts(scope, role, DAY))


def daily_of(parts: dict[Hashable, Part]) -> tuple[dict[Hashable, Figure], Figure]:
    total = sum(parts.values(), Part())
    return {day: part.figure() for day, part in parts.items()}, total.figure()


@dataclass(frozen=True)
class Added:
    """Ratios over several sources, added up part by part (one query each)."""

    ratios: tuple[Ratio, ...]

    def parts(self, scope: Scope, role: str, group: str) -> dict[Hashable, Part]:
        total: dict[Hashable, Part] = {}
        for ratio in self.ratios:
            for key, part in ratio.parts(scope, role, group).items():
                total[key] = total.get(key, Part()) + part
        return total

    def by(self, scope: Scope, role: str, group: str) -> dict[Hashable, Figure]:
        return {key: part.figure() for key, part in self.parts(scope, role, group).items()}

    def daily(self, scope: Scope, role: str) -> tuple[dict[Hashable, Figure], Figure]:
        return daily_of(self.parts(scope, role, DAY))


@dataclass(frozen=True)
class Median:
    """The median of `end − start` in seconds over the scoped rows: a window numbers each
    group's rows by duration and only the one or two middle rows come back."""

    source: Source
    start: str
    end: str

    def medians(self, scope: Scope, role: str, group: str | None) -> dict[Hashable, Figure]:
        if not self.source.serves(scope, role, group):
            return {}
        duration = ExpressionWrapper(F(self.end) - F(self.start), output_field=DurationField())
        qs = self.source.scoped(scope, role).filter(**{f"{self.start}__isnull": False})
        if group is not None:
            qs = qs.annotate(group_key=self.source.key(group, role))
        partition = [F("group_key")] if group is not None else []
        qs = (qs.annotate(duration=duration)
              .annotate(rank=Window(RowNumber(), partition_by=partition,
                                    order_by=[F("duration").asc(), F("pk").asc()]),
                        count=Window(Count("pk"), partition_by=partition))
              .filter(rank__gte=(F("count") + 1) / 2, rank__lte=F("count") / 2 + 1))
        fields = ("group_key" if group is not None else "pk", "count", "duration")
        middles: dict[Hashable, tuple[int, list[float]]] = {}
        for key, count, duration_value in qs.values_list(*fields):
            middles.setdefault(key if group is not None else None,
                               (count, []))[1].append(duration_value.total_seconds())
        return {key: Figure(sum(times) / len(times), count)
                for key, (count, times) in middles.items()}

    def by(self, scope: Scope, role: str, group: str) -> dict[Hashable, Figure]:
        return self.medians(scope, role, group)

    def daily(self, scope: Scope, role: str) -> tuple[dict[Hashable, Figure], Figure]:
        return self.medians(scope, role, DAY), self.medians(scope, role, None).get(None, EMPTY)

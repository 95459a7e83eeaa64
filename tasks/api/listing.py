"""The task list: filters of `GET /v1/tasks` and its keyset cursor."""

from __future__ import annotations

import base64
import time as clock
from datetime import UTC, date, datetime, time

import orjson
from django.db.models import Count, Q, QuerySet
from django.http import QueryDict
from django.utils.dateparse import parse_datetime

from tasks.errors import ApiError
from tasks.models import TaskStatus

DATE_FILTERS = {
    "start_time": "created_at__gte",
    "created_after": "created_at__gte",
    "end_time": "created_at__lte",
    "created_before": "created_at__lte",
    "completed_after": "completed_at__gte",
    "completed_before": "completed_at__lte",
    "updated_after": "updated_at__gte",
    "updated_before": "updated_at__lte",
}
OTHER_PARAMS = {
    "status", "type", "project", "batch", "customer_review_status", "unique_id", "tags",
    "include_attachment_url", "limited_response", "limit", "next_token", "offset",
}
REVIEW_STATUSES = {"pending", "accepted", "fixed", "commented", "rejected"}


def parse_bool(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"true", "1", "yes"}:
        return True
    if lowered in {"false", "0", "no", ""}:
        return False
    raise ApiError(400, f"{name} must be true or false.")


def parse_time(name: str, value: str) -> datetime:
    text = value.strip().replace(" ", "T", 1) if "T" not in value else value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = None
    try:
        parsed = parse_datetime(text)
        if parsed is None:
            parsed = datetime.combine(date.fromisoformat(text), time.min)
        if parsed is not None:
            # In UTC, as the database compares it: 9999-12-31T23:59:59-23:59 is past year 9999.
            parsed = parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        parsed = None
    if parsed is None:
        raise ApiError(400, f"{name} must be an ISO 8601 date or date-time between the years 1 "
                            "and 9999 in UTC, e.g. 2021-04-25 or 2021-04-25T03:14:15Z.")
    return parsed


def check_params(query: QueryDict) -> None:
    unknown = sorted(set(query) - set(DATE_FILTERS) - OTHER_PARAMS)
    if unknown:
        raise ApiError(400, f"Unknown parameter(s) for /tasks: {', '.join(unknown)}.")


def parse_limit(query: QueryDict) -> int:
    raw = query.get("limit", "100")
    try:
        limit = int(raw)
    except ValueError:
        limit = 0
    if not 1 <= limit <= 100:
        raise ApiError(400, "limit must be an integer from 1 to 100.")
    return limit


def apply_filters(qs: QuerySet, query: QueryDict) -> QuerySet:
    for name, lookup in DATE_FILTERS.items():
        if query.get(name):
            qs = qs.filter(**{lookup: parse_time(name, query[name])})
    status = query.get("status")
    if status:
        if status not in TaskStatus.values:
            raise ApiError(400, f"status must be one of {', '.join(TaskStatus.values)}.")
        qs = qs.filter(status=status)
    if query.get("type"):
        qs = qs.filter(type=query["type"])
    if query.get("project"):
        qs = qs.filter(project__name=query["project"])
    if query.get("batch"):
        qs = qs.filter(batch__name=query["batch"])
    qs = _review_filter(qs, query.get("customer_review_status"))
    unique_ids = [u for u in query.getlist("unique_id") if u]
    if unique_ids:
        qs = qs.filter(unique_id__in=unique_ids)
    return _tag_filter(qs, [t for t in query.getlist("tags") if t])


def _review_filter(qs: QuerySet, raw: str | None) -> QuerySet:
    if not raw:
        return qs
    wanted = {v.strip() for v in raw.split(",") if v.strip()}
    bad = wanted - REVIEW_STATUSES
    if bad:
        raise ApiError(400, "customer_review_status must be among "
                            f"{', '.join(sorted(REVIEW_STATUSES))}.")
    condition = Q(customer_review_status__in=wanted)
    if "pending" in wanted:
        condition |= Q(customer_review_status="")
    return qs.filter(condition)


def _tag_filter(qs: QuerySet, tags: list[str]) -> QuerySet:
    """Tasks that carry every tag asked for."""
    if not tags:
        return qs
    wanted = set(tags)
    matching = (qs.model.objects.filter(tag_rows__tag__in=wanted)
                .annotate(n=Count("tag_rows", filter=Q(tag_rows__tag__in=wanted)))
                .filter(n=len(wanted)).values("pk"))
    return qs.filter(pk__in=matching)


def encode_token(created_at: datetime, task_id: str) -> str:
    raw = orjson.dumps([created_at.isoformat(), task_id])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str) -> tuple[datetime, str]:
    try:
        padded = token + "=" * (-len(token) % 4)
        created, task_id = orjson.loads(base64.urlsafe_b64decode(padded))
        return datetime.fromisoformat(created), str(task_id)
    except (ValueError, TypeError, orjson.JSONDecodeError) as exc:
        raise ApiError(400, "next_token is not a token this server gave out.") from exc


def after_token(qs: QuerySet, token: str | None) -> QuerySet:
    """Keyset paging, newest first: rows strictly after the last row of the previous page."""
    if not token:
        return qs
    created_at, task_id = decode_token(token)
    # created_at <= X is implied by the OR; said on its own it is a range the index can seek
    # to, so the last page costs what the first does instead of a walk past every row before.
    return qs.filter(Q(created_at__lt=created_at) | Q(created_at=created_at,
                                                      task_id__lt=task_id),
                     created_at__lte=created_at)


# `total` of a list page: counting 200,000 tasks costs SQLite ~16 ms, as much as the rest of
# the page. A count of at least BIG_TOTAL is kept by this process for TOTAL_CACHE_SECONDS per
# account and filters (not per page), so walking the pages or polling the first one counts
# once; smaller totals are always exact (docs/api-decisions.md).
BIG_TOTAL = 10_000
TOTAL_CACHE_SECONDS = 5.0
TOTAL_CACHE_SIZE = 512
PAGE_PARAMS = {"next_token", "limit", "offset", "limited_response", "include_attachment_url"}
_totals: dict[tuple, tuple[float, int]] = {}


def count_total(qs: QuerySet, owner_id: int, is_test: bool, query: QueryDict) -> int:
    scope = (owner_id, is_test, tuple(sorted((name, tuple(values)) for name, values
                                             in query.lists() if name not in PAGE_PARAMS)))
    now = clock.monotonic()
    hit = _totals.get(scope)
    if hit is not None and hit[0] > now:
        return hit[1]
    total = qs.count()
    if total >= BIG_TOTAL:
        if len(_totals) >= TOTAL_CACHE_SIZE:
            _totals.clear()
        _totals[scope] = (now + TOTAL_CACHE_SECONDS, total)
    else:
        _totals.pop(scope, None)
    return total

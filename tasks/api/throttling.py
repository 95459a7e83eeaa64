"""Requests per API key: ANNOTATOR_API_RATE in fixed windows, counted in the cache.

With REDIS_URL the count lives in Redis and is shared by every server process; without it each
process counts for itself. A key past its rate gets a 429 in the error shape with a
Retry-After header (tasks/api/errors.py) naming the seconds until its window ends. The count
is one atomic increment per request, whatever the rate; if the cache cannot be reached the
request is let through (the limit protects the server, it must not take it down).
"""

from __future__ import annotations

import logging
import re
import time
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from rest_framework.throttling import BaseThrottle

from tasks.models import ApiKey

logger = logging.getLogger("annotator")

UNITS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600,
         "hour": 3600, "d": 86400, "day": 86400}
RATE = re.compile(r"^\s*(\d+)\s*/\s*([a-z]+?)s?\s*$")
OFF = {"", "off", "none", "0", "unlimited"}


@lru_cache(maxsize=16)
def parse_rate(text: str) -> tuple[int, int] | None:
    """(requests, seconds) of "N/second", "N/minute", "N/hour" or "N/day"; None for "off"."""
    if text.strip().lower() in OFF:
        return None
    match = RATE.match(text.lower())
    if not match or match.group(2) not in UNITS or int(match.group(1)) < 1:
        raise ImproperlyConfigured(
            f'ANNOTATOR_API_RATE must look like "600/minute" (or /second, /hour, /day, or '
            f'"off"), not {text!r}.')
    return int(match.group(1)), UNITS[match.group(2)]


class ApiKeyRateThrottle(BaseThrottle):
    def __init__(self) -> None:
        self.retry_after: float | None = None

    def allow_request(self, request, view) -> bool:
        key = request.auth
        if not isinstance(key, ApiKey):
            return True  # no key: the permission check answers 401
        rate = parse_rate(str(settings.ANNOTATOR_API_RATE))
        if rate is None:
            return True
        allowed, seconds = rate
        now = time.time()
        window = int(now // seconds)
        cache_key = f"annotator:rate:{key.key_hash[:24]}:{seconds}:{window}"
        try:
            cache.add(cache_key, 0, timeout=seconds + 5)
            try:
                count = cache.incr(cache_key)
            except ValueError:  # the window's entry expired between add and incr
                cache.set(cache_key, 1, timeout=seconds + 5)
                count = 1
        except Exception:
            logger.exception("rate limit: the cache could not be reached; request allowed")
            return True
        if count <= allowed:
            return True
        self.retry_after = max((window + 1) * seconds - now, 0.001)
        return False

    def wait(self) -> float | None:
        return self.retry_after

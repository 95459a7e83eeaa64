"""Waiting for something another process or thread does: poll with a deadline, never a fixed
sleep (a fixed wait is too short on a loaded machine and too long on an idle one)."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

T = TypeVar("T")
Message = str | Callable[[], str]


def _failure(message: Message, timeout: float, predicate: object) -> AssertionError:
    text = message() if callable(message) else message
    return AssertionError(text or f"not true within {timeout} s: {predicate!r}")


def wait_until(predicate: Callable[[], T], timeout: float = 10.0, interval: float = 0.05,
               message: Message = "", sleep: Callable[[float], None] = time.sleep) -> T:
    """Call `predicate` every `interval` seconds until it returns something truthy, and return
    that; fail the test after `timeout` seconds with `message` (a string, or a function that
    makes one then, e.g. from a log). A browser test passes the page's own wait as `sleep`
    (tests/browser/helpers.py `page_wait_until`), so that Playwright handles events meanwhile."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise _failure(message, timeout, predicate)
        sleep(interval)


async def async_wait_until(predicate: Callable[[], Any], timeout: float = 10.0,
                           interval: float = 0.02, message: Message = "") -> Any:
    """`wait_until` inside an event loop; `predicate` may be a coroutine function."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result
        if time.monotonic() >= deadline:
            raise _failure(message, timeout, predicate)
        await asyncio.sleep(interval)


def stays_false(predicate: Callable[[], object], duration: float,
                interval: float = 0.05) -> bool:
    """True when `predicate` stays falsy for `duration` seconds: for a test that something does
    not happen, where an observation window is what the test means."""
    deadline = time.monotonic() + duration
    while time.monotonic() < deadline:
        if predicate():
            return False
        time.sleep(interval)
    return not predicate()


def clock_past(moment: datetime) -> datetime:
    """The time, once the clock reads strictly later than `moment`: a cut-off that separates what
    was made before it from what is made after (time filters compare to the microsecond)."""
    return wait_until(lambda: (now := datetime.now(UTC)) > moment and now, timeout=5,
                      interval=0.001)


def answers(url: str) -> bool:
    """Whether anything answers HTTP at `url` (any status: the server is up)."""
    import requests

    try:
        requests.get(url, timeout=2, allow_redirects=False)
    except requests.RequestException:
        return False
    return True

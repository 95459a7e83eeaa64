"""The domain error that the API turns into Scale's error body."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tasks.rules.errors import RuleError


class ApiError(Exception):
    """An error meant for the API consumer: `{"status_code": n, "error": message}`."""

    def __init__(self, status_code: int, message: str, **extra: object) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.extra = extra

    def as_json(self) -> dict:
        return {"status_code": self.status_code, "error": self.message, **self.extra}



@contextmanager
def rule_errors() -> Iterator[None]:
    """Report a broken rule to the API consumer as a 400 naming the field."""
    try:
        yield
    except RuleError as exc:
        raise ApiError(400, str(exc)) from exc

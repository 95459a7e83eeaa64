"""Tiny shared checkers for JSON values.

Policy: `null` (None) for any OPTIONAL field, at any depth, means "not given". Predicates
(`is_*`) answer a question; `require_*` functions raise RuleError naming the field's path
and return the (possibly normalized) value.

Numbers: a real number is an int or a finite float, never a bool. Integers accept integral
floats (`5.0` -> 5) because JSON decoders may produce them.
"""

from __future__ import annotations

import math
from typing import Any, TypeGuard

from .errors import RuleError


def absent(value: Any) -> bool:
    """True when an optional value was not given: JSON null (None)."""
    return value is None


def given(mapping: dict[str, Any], key: str) -> bool:
    """True when `mapping[key]` exists and is not None."""
    return not absent(mapping.get(key))


def is_number(value: Any) -> TypeGuard[int | float]:
    """A real, finite number: int or float, not bool, not NaN or Infinity."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value)


def is_int(value: Any) -> TypeGuard[int | float]:
    """An integer (not bool); an integral finite float like 5.0 also counts."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value) and value.is_integer()


def is_bool(value: Any) -> TypeGuard[bool]:
    return isinstance(value, bool)


def _bounds_message(minimum: float | None, maximum: float | None, exclusive: bool) -> str:
    low = ">" if exclusive else ">="
    if minimum is not None and maximum is not None:
        return f"must be a number {low} {minimum:g} and <= {maximum:g}"
    if minimum is not None:
        return f"must be a number {low} {minimum:g}"
    if maximum is not None:
        return f"must be a number <= {maximum:g}"
    return "must be a number"


def require_number(
    value: Any,
    path: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    exclusive_minimum: bool = False,
) -> int | float:
    """A real number within the optional bounds."""
    message = _bounds_message(minimum, maximum, exclusive_minimum)
    if not is_number(value):
        raise RuleError(path, message)
    if minimum is not None and (value <= minimum if exclusive_minimum else value < minimum):
        raise RuleError(path, message)
    if maximum is not None and value > maximum:
        raise RuleError(path, message)
    return value


def require_int(
    value: Any, path: str, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """An integer within the optional bounds; returned as a Python int."""
    if minimum is not None and maximum is not None:
        message = f"must be an integer between {minimum} and {maximum}"
    elif minimum is not None:
        message = f"must be an integer >= {minimum}"
    elif maximum is not None:
        message = f"must be an integer <= {maximum}"
    else:
        message = "must be an integer"
    if not is_int(value):
        raise RuleError(path, message)
    number = int(value)
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise RuleError(path, message)
    return number


def require_non_negative_int(value: Any, path: str, *, maximum: int | None = None) -> int:
    return require_int(value, path, minimum=0, maximum=maximum)


def require_bool(value: Any, path: str) -> bool:
    if not is_bool(value):
        raise RuleError(path, "must be true or false")
    return value


def require_string(
    value: Any, path: str, *, max_length: int | None = None, allow_empty: bool = False
) -> str:
    """A string; non-empty unless allow_empty; at most max_length characters."""
    if not isinstance(value, str):
        raise RuleError(path, "must be a string")
    if not allow_empty and not value:
        raise RuleError(path, "must not be empty")
    if max_length is not None and len(value) > max_length:
        raise RuleError(path, f"must be at most {max_length} characters")
    return value


def require_dict(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise RuleError(path, "must be an object")
    return value


def require_list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise RuleError(path, "must be a list")
    return value


def optional(mapping: dict[str, Any], key: str, default: Any = None) -> Any:
    """mapping[key], or `default` when the key is missing or null."""
    value = mapping.get(key)
    return default if value is None else value

"""What a request may carry that the database cannot keep: `unstorable` finds a NUL character
in parsed JSON (PostgreSQL cannot store it) and numbers beyond 64 bits; the JSON parser, form
bodies, file metadata and the workbench's submit use it. The size of a body is bounded before
any of this, in annotator/body_limits.py.
"""

from __future__ import annotations

NUL = "\x00"


# PostgreSQL stores a large JSON number exactly and hands it back as an integer, which must
# still be writable as JSON (at most 64 bits): numbers stay within ±2^63.
MAX_JSON_NUMBER = 2**63


def unstorable(value: object, path: str = "") -> str | None:
    """Why `value` (parsed JSON) could not be stored and read back as sent — a NUL character
    in a key or string, or a number beyond ±2^63 — naming where; None when it can."""
    stack: list[tuple[object, str]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                return nul_message(where)
        elif isinstance(item, int | float) and not isinstance(item, bool):
            if not -MAX_JSON_NUMBER < item < MAX_JSON_NUMBER:
                return (f"{where or 'The request body'} is a number beyond ±2^63, which this "
                        "server does not accept.")
        elif isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, str) and NUL in key:
                    return nul_message(where or "a key")
                stack.append((child, f"{where}.{key}" if where else str(key)))
        elif isinstance(item, list | tuple):
            stack.extend((child, f"{where}[{i}]") for i, child in enumerate(item))
    return None


def nul_message(where: str) -> str:
    target = where.replace(NUL, "\\u0000") if where else "The request body"
    return (f"{target} contains a NUL character (\\u0000), which this server does not "
            "accept.")

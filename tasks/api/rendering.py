"""JSON in and out through orjson: fast, and strict (no NaN, no Infinity, UTF-8 only)."""

from __future__ import annotations

import orjson
from rest_framework import parsers, renderers
from rest_framework.exceptions import ParseError

from tasks.limits import unstorable

MAX_JSON_DEPTH = 64


def depth(value: object, limit: int = MAX_JSON_DEPTH) -> int:
    """Nesting depth of a parsed JSON value, stopping once it passes `limit`."""
    stack = [(value, 1)]
    deepest = 0
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > limit:
            return deepest
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return deepest


class JSONParser(parsers.BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read()
        if not raw.strip():
            return {}
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise ParseError(f"The request body is not valid JSON: {exc}") from exc
        if depth(data) > MAX_JSON_DEPTH:
            raise ParseError(f"The request body is nested more than {MAX_JSON_DEPTH} levels.")
        # No NUL (\u0000), which PostgreSQL cannot store, and no number beyond 64 bits.
        if (problem := unstorable(data)) is not None:
            raise ParseError(problem)
        return data


class JSONRenderer(renderers.BaseRenderer):
    media_type = "application/json"
    format = "json"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        return orjson.dumps(data)

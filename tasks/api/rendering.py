"""JSON in and out through orjson: fast, and strict (no NaN, no Infinity, UTF-8 only)."""

from __future__ import annotations

import orjson
from rest_framework import parsers, renderers
from rest_framework.exceptions import NotAcceptable, ParseError
from rest_framework.negotiation import DefaultContentNegotiation

from tasks.limits import MAX_JSON_NUMBER, NUL, unstorable

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


def suspect(value: object, limit: int = MAX_JSON_DEPTH) -> bool:
    """One walk for both checks of a parsed body: True when it is nested more than `limit`
    levels or might be unstorable (a NUL, a number beyond ±2^63). No paths are built: the
    exact checks (`depth`, `unstorable`) run only on a body this finds suspect, which saves
    most of their cost on every write (docs/performance.md, "The write path")."""
    stack = [(value, 1)]
    pop, push = stack.pop, stack.append
    while stack:
        item, level = pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, dict):
            if level >= limit:
                return True
            for key, child in item.items():
                if NUL in key:
                    return True
                if not isinstance(child, str | bool) and child is not None:
                    push((child, level + 1))
                elif isinstance(child, str) and NUL in child:
                    return True
        elif isinstance(item, list):
            if level >= limit:
                return True
            for child in item:
                push((child, level + 1))
        elif isinstance(item, int | float) and not isinstance(item, bool) \
                and not -MAX_JSON_NUMBER < item < MAX_JSON_NUMBER:
            return True
    return False


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
        if not suspect(data):
            return data
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


class JSONWhateverAccept(DefaultContentNegotiation):
    """Every answer of the API is JSON: an Accept header that names nothing the API renders, or
    that cannot be read at all, gets JSON anyway (RFC 9110 lets a server disregard it) rather
    than a 406 — a status no operation documents, and one Scale's clients never handle. The
    request body's type is still checked as usual (415)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except NotAcceptable:
            return renderers[0], renderers[0].media_type

"""The draft operations of a segmentation task, checked for shape and bounds
(docs/segmentation.md "Draft operations"). The server never paints them: the page replays
them over the draft's base mask. Pure Python.

`points` is base64url (no padding) of zigzag-LEB128 varints: x0, y0, dx1, dy1, ... in image
pixels.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from .errors import RuleError
from .values import is_bool, is_int, is_number

MAX_OP_BYTES = 64 * 1024
MAX_ID_LENGTH = 40
MIN_RADIUS, MAX_RADIUS = 0.5, 500
MAX_TOLERANCE = 255
MAX_VARINT_BYTES = 5
BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
PAINT_OPS = ("seg.stroke", "seg.polygon", "seg.fill")


def decode_points(text: Any, path: str = "points") -> list[tuple[int, int]]:
    """The absolute points of an encoded list ("" is none: an operation's own check asks for
    enough, check_points); RuleError for a malformed one. The page's codec reads the same
    cases (tests/fixtures/rules/segmentation_points_cases.json)."""
    if not isinstance(text, str):
        raise RuleError(path, "must be a string (base64url of zigzag varints)")
    if not BASE64URL.fullmatch(text):
        raise RuleError(path, "is not base64url (A-Z a-z 0-9 - _, no padding)")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise RuleError(path, "is not base64url") from exc
    values = _varints(data, path)
    if len(values) % 2:
        raise RuleError(path, "holds an odd count of numbers (x, y pairs)")
    points, x, y = [], 0, 0
    for n in range(0, len(values), 2):
        x, y = (values[n], values[n + 1]) if n == 0 else (x + values[n], y + values[n + 1])
        points.append((x, y))
    return points


def encode_points(points: list[tuple[int, int]]) -> str:
    """The inverse of decode_points (tests, the demo)."""
    out = bytearray()
    px = py = 0
    for n, (x, y) in enumerate(points):
        for value in ((x, y) if n == 0 else (x - px, y - py)):
            out += _varint((value << 1) ^ (value >> 63))
        px, py = x, y
    return base64.urlsafe_b64encode(bytes(out)).decode().rstrip("=")


def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _varints(data: bytes, path: str) -> list[int]:
    values: list[int] = []
    current = shift = length = 0
    for byte in data:
        current |= (byte & 0x7F) << shift
        shift += 7
        length += 1
        if length > MAX_VARINT_BYTES:
            raise RuleError(path, "holds a number too long for a pixel coordinate")
        if not byte & 0x80:
            values.append((current >> 1) ^ -(current & 1))
            current = shift = length = 0
    if length:
        raise RuleError(path, "ends inside a number")
    return values


def check_points(text: Any, width: int, height: int, *, minimum: int) -> None:
    """At least `minimum` points, each within the image (0..width, 0..height)."""
    points = decode_points(text)
    if len(points) < minimum:
        raise RuleError("points", f"must hold at least {minimum} point(s)")
    for n, (x, y) in enumerate(points):
        if not (0 <= x <= width and 0 <= y <= height):
            raise RuleError("points", f"point {n} ({x}, {y}) is outside the image "
                                      f"({width} x {height})")


def check_id(value: Any, path: str = "id") -> str:
    if not isinstance(value, str) or not value or len(value) > MAX_ID_LENGTH:
        raise RuleError(path, f"must be a string of 1 to {MAX_ID_LENGTH} characters")
    return value


def check_paint_op(op: dict[str, Any], width: int, height: int) -> dict[str, Any]:
    """A stroke, polygon or fill, its index left to the caller; the clean op (known keys)."""
    kind = op["op"]
    clean: dict[str, Any] = {"op": kind, "id": check_id(op.get("id")),
                             "index": _int(op.get("index"), "index", 0, 255),
                             "protect": _flag(op.get("protect"), "protect")}
    if kind == "seg.stroke":
        tool = op.get("tool")
        if tool not in ("brush", "eraser"):
            raise RuleError("tool", 'must be "brush" or "eraser"')
        radius = op.get("radius")
        if not is_number(radius) or not MIN_RADIUS <= radius <= MAX_RADIUS:
            raise RuleError("radius", f"must be a number from {MIN_RADIUS} to {MAX_RADIUS}")
        check_points(op.get("points"), width, height, minimum=1)
        clean.update(tool=tool, radius=radius, points=op["points"])
        if tool == "eraser":
            clean["index"] = 0
    elif kind == "seg.polygon":
        check_points(op.get("points"), width, height, minimum=3)
        clean["points"] = op["points"]
    else:
        clean["x"] = _int(op.get("x"), "x", 0, width - 1)
        clean["y"] = _int(op.get("y"), "y", 0, height - 1)
        clean["tolerance"] = _int(op.get("tolerance", 0), "tolerance", 0, MAX_TOLERANCE)
    return clean


def _int(value: Any, path: str, low: int, high: int) -> int:
    if not is_int(value) or not low <= value <= high:
        raise RuleError(path, f"must be an integer from {low} to {high}")
    return int(value)


def _flag(value: Any, path: str) -> bool:
    if value is None:
        return False
    if not is_bool(value):
        raise RuleError(path, "must be true or false")
    return value

"""Request bodies several test modules share."""

from __future__ import annotations

import ast
from pathlib import Path

# A copy of the product brief (shared/reference/brief.txt beside the repository), kept here so
# that a clone anywhere runs the tests.
BRIEF = Path(__file__).resolve().parent / "fixtures" / "brief.txt"

# The request example of brief.txt, exactly as written there (Python None = JSON null).
BRIEF_EXAMPLE = {
    "instruction": "**Instructions:** Please label all the things",
    "attachment": "https://i.imgur.com/iDZcXfS.png",
    "geometries": {
        "box": {"min_height": None, "min_width": None, "can_rotate": None,
                "integer_pixels": None},
        "polygon": {"min_vertices": None, "max_vertices": None},
        "line": {"min_vertices": None, "max_vertices": None},
        "cuboid": {
            "min_height": None, "min_width": None,
            "camera_intrinsics": {"fx": None, "fy": None, "cx": None, "cy": None,
                                  "skew": None, "scalefactor": None},
            "camera_rotation_quaternion": {"w": None, "x": None, "y": None, "z": None},
            "camera_height": None,
        },
    },
    "padding": None,
    "paddingX": None,
    "paddingY": None,
    "priority": None,
}


def brief_payload() -> dict:
    """The example as brief.txt writes it, checked against the copy above."""
    text = BRIEF.read_text()
    start = text.index("payload = {") + len("payload = ")
    end = text.index("\nheaders = {")
    payload = ast.literal_eval(text[start:end])
    assert payload == BRIEF_EXAMPLE, "brief.txt's example differs from tests/payloads.py"
    return payload

"""The assists' shared scene: an 800 × 600 PNG of a red ellipse on a noisy background."""

from __future__ import annotations

import pytest

from tests.assist import scenes


@pytest.fixture(scope="module")
def scene():
    """(png bytes, the ellipse's true outline, its centre)."""
    png, mask, centre, _axes, _angle = scenes.ellipse_png(800, 600)
    return png, scenes.outline(mask), centre

"""The task JSON's quality key (docs/api-decisions.md)."""

from __future__ import annotations

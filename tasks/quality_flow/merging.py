"""The merge of a consensus task's replicas, run by the worker (docs/quality.md)."""

from __future__ import annotations

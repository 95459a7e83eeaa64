"""The review's operations on a draft (verdicts and issues), saved per operation like edits
(docs/quality.md)."""

from __future__ import annotations

"""The names of the task types, as the API spells them (`POST /v1/task/<name>`, `Task.type`).

The only place these strings are written (tests/test_architecture.py checks it): everything
else names a type through these constants or asks the task's kind (docs/architecture.md).
"""

from __future__ import annotations

IMAGE = "imageannotation"
VIDEO = "videoannotation"
SEGMENT = "segmentannotation"

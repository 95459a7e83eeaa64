"""Logging filters named in settings.LOGGING."""

from __future__ import annotations

import logging


class OneLineRefusals(logging.Filter):
    """Django logs a view's PermissionDenied with its traceback; a refused request is routine
    (anyone can cause one), so it gets one line: no traceback to amplify into the logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) in (401, 403, 404, 405):
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True

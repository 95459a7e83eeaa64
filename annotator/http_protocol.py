"""uvicorn's HTTP protocol with read deadlines it lacks: a connection must send a request's
headers within ANNOTATOR_HEADER_READ_SECONDS of opening (or of starting that request), and its
body within ANNOTATOR_BODY_READ_SECONDS after the headers; otherwise it is closed. Without them
a client sending a byte now and then holds a connection (and, for a body, a request) forever.
Idle keep-alive connections already close after uvicorn's own 5 s."""

from __future__ import annotations

import asyncio

from django.conf import settings
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class DeadlineHttpProtocol(HttpToolsProtocol):
    _deadline: asyncio.TimerHandle | None = None

    def _set_deadline(self, seconds: float) -> None:
        self._clear_deadline()
        self._deadline = self.loop.call_later(seconds, self._too_slow)

    def _clear_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.logger.info("Closing a connection too slow to send its request.")
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._set_deadline(settings.ANNOTATOR_HEADER_READ_SECONDS)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._set_deadline(settings.ANNOTATOR_HEADER_READ_SECONDS)

    def on_headers_complete(self) -> None:
        upgrading = self.parser.should_upgrade() and self._should_upgrade()
        # A WebSocket has its own pings; a request's body has its own deadline.
        self._clear_deadline()
        if not upgrading:
            self._set_deadline(settings.ANNOTATOR_BODY_READ_SECONDS)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._clear_deadline()
        super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._clear_deadline()
        super().connection_lost(exc)

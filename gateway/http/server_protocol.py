"""uvicorn's httptools protocol with a header read timeout and a header size limit.

uvicorn times out idle keep-alive connections (`timeout_keep_alive`) but not a client that opens
a connection and sends its request line and headers slowly, or never: each such connection is
kept for ever (1,500 half-sent requests were all still open after a minute). This protocol arms
a timer when a connection opens and when a request begins, and answers 408 and closes the
connection if the headers are not complete within `VITRINE_HEADER_TIMEOUT_SECONDS`. The body has
its own timeout, enforced where the app reads it (gateway.http.body).

httptools (llhttp) sets no limit on the size of the headers (a 10 MB header was accepted): past
`MAX_HEADER_BYTES` received before the headers end, the answer is 431 and the connection closes.

`python -m gateway serve` runs uvicorn with `http="gateway.http.server_protocol:HeaderTimeoutProtocol"`.
The timeout comes from the settings in the lifespan's state, so every worker process reads it
from its own environment.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

DEFAULT_HEADER_TIMEOUT_SECONDS = 10.0
MAX_HEADER_BYTES = 64 * 1024


def _response(status: bytes, message: bytes) -> bytes:
    return (
        b"HTTP/1.1 %s\r\ncontent-type: text/plain; charset=utf-8\r\nconnection: close\r\ncontent-length: %d\r\n\r\n%s"
        % (status, len(message), message)
    )


TIMEOUT_RESPONSE = _response(b"408 Request Timeout", b"the request headers took too long to arrive")
TOO_LARGE_RESPONSE = _response(b"431 Request Header Fields Too Large", b"the request headers are too large")


class HeaderTimeoutProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        edge = self.app_state.get("edge")
        settings = getattr(edge, "settings", None)
        self.header_timeout = float(getattr(settings, "header_timeout_seconds", DEFAULT_HEADER_TIMEOUT_SECONDS))
        self._header_timer: asyncio.TimerHandle | None = None
        self._header_bytes = 0

    def data_received(self, data: bytes) -> None:
        waiting = self._header_timer is not None
        super().data_received(data)
        # Still waiting for the end of the headers after this chunk: all of it was headers.
        if waiting and self._header_timer is not None and not self.transport.is_closing():
            self._header_bytes += len(data)
            if self._header_bytes > MAX_HEADER_BYTES:
                self._refuse(TOO_LARGE_RESPONSE)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm_header_timer()

    def on_headers_complete(self) -> None:
        self._cancel_header_timer()
        super().on_headers_complete()

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._header_bytes = 0
        self._header_timer = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        self._refuse(TIMEOUT_RESPONSE)

    def _refuse(self, response: bytes) -> None:
        self._cancel_header_timer()
        if not self.transport.is_closing():
            self.transport.write(response)
            self.transport.close()

"""Log lines: one JSON object a line (or plain text), each with its request id and trace.

`VITRINE_LOG_FORMAT=json` (the default when `VITRINE_ENV=production`) writes, per record:

    {"time": "2026-11-22T10:04:05.123Z", "level": "WARNING", "logger": "gateway.visitors.intake",
     "message": "...", "request_id": "9f1c...", "trace_id": "4bf9...", "span_id": "00f0..."}

(`exception` is added when the record carries a traceback). The request id is the one the HTTP
edge put in `REQUEST_ID` for the request being served (`gateway.http.request_id`); trace and
span ids come from the current OpenTelemetry span, so a log line leads to its trace. Both are
null outside a request (background jobs) or when tracing is off.

Personal data stays out of logs by discipline (log ids, counts and codes, never traits,
emails or names: a test identifies a shopper and reads every line). As a second line of
defence, anything shaped like an email address is replaced by `[email]` in every line.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from contextvars import ContextVar
from typing import IO

import orjson
from opentelemetry import trace

REQUEST_ID: ContextVar[str | None] = ContextVar("vitrine_request_id", default=None)
FORMATS = ("json", "text")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# Loggers that a server (uvicorn) configures with handlers of its own: ours replace them.
SERVER_LOGGERS = ("uvicorn", "uvicorn.error")


def scrub(text: str) -> str:
    return _EMAIL.sub("[email]", text) if "@" in text else text


class RequestContext(logging.Filter):
    """Stamps each record with the request id and the current span's ids (as it is emitted)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        context = trace.get_current_span().get_span_context()
        if context.is_valid:
            record.trace_id = format(context.trace_id, "032x")
            record.span_id = format(context.span_id, "016x")
        else:
            record.trace_id = record.span_id = None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        seconds = int(record.created)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
        entry: dict[str, object] = {
            "time": f"{stamp}.{int((record.created - seconds) * 1000):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
            "request_id": getattr(record, "request_id", None),
            "trace_id": getattr(record, "trace_id", None),
            "span_id": getattr(record, "span_id", None),
        }
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exception"] = scrub(record.exc_text)
        return orjson.dumps(entry, default=str).decode()


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        if getattr(record, "request_id", None) is None:
            record.request_id = "-"
        return scrub(super().format(record))


def log_handler(fmt: str, stream: IO[str] | None = None) -> logging.Handler:
    """A handler writing `fmt` ("json" or "text") lines to `stream` (stderr by default)."""
    if fmt not in FORMATS:
        raise ValueError(f"log format must be one of {FORMATS}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(RequestContext())
    handler.set_name("vitrine")
    return handler


def configure_logging(level: str, fmt: str) -> None:
    """The process's logging: our handler on the root logger, the server's loggers through it.

    Idempotent (the CLI and the ASGI entry point may both call it in one process)."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "vitrine"]:
        root.removeHandler(old)
    root.addHandler(log_handler(fmt))
    root.setLevel(level)
    for name in SERVER_LOGGERS:
        server = logging.getLogger(name)
        server.handlers.clear()
        server.propagate = True

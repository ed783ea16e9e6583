"""Log lines: JSON with request and trace ids, the request id on the response, no personal data."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import orjson
import pytest

from gateway.platform.logs import REQUEST_ID, configure_logging, log_handler
from gateway.settings import load_settings
from tests.platform.test_tracing import TRACE_ID, TRACEPARENT, in_memory_tracing
from tests.support.appclient import running_gateway
from tests.support.identity_helpers import new_device
from tests.support.settings import make_settings

EMAIL = "janina.kowalska-testowa@example.com"
FIRST, LAST = "Janina", "Kowalska-Testowa"
KEYS = {"time", "level", "logger", "message", "request_id", "trace_id", "span_id"}


@pytest.fixture
def captured() -> Iterator[tuple[io.StringIO, list[logging.LogRecord]]]:
    """Every record of every logger at DEBUG: the JSON lines, and the records themselves."""
    stream = io.StringIO()
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    root = logging.getLogger()
    handlers = [log_handler("json", stream), Keep()]
    level = root.level
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream, records
    finally:
        for handler in handlers:
            root.removeHandler(handler)
        root.setLevel(level)


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in stream.getvalue().splitlines()]


def test_a_json_line_has_time_level_logger_message_and_ids() -> None:
    stream = io.StringIO()
    logger = logging.getLogger("vitrine.test")
    logger.addHandler(log_handler("json", stream))
    logger.propagate = False
    try:
        token = REQUEST_ID.set("req-1")
        logger.warning("hello %s", "world")
        REQUEST_ID.reset(token)
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.handlers.clear()
        logger.propagate = True
    first, second = lines(stream)
    assert set(first) == KEYS
    assert first["level"] == "WARNING" and first["logger"] == "vitrine.test" and first["message"] == "hello world"
    assert first["request_id"] == "req-1" and first["trace_id"] is None
    assert str(first["time"]).endswith("Z")
    assert second["request_id"] is None and "ValueError: boom" in str(second["exception"])


def test_email_addresses_never_reach_a_line() -> None:
    stream = io.StringIO()
    logger = logging.getLogger("vitrine.test.scrub")
    logger.addHandler(log_handler("text", stream))
    logger.propagate = False
    try:
        logger.warning("lookup of %s failed", EMAIL)
    finally:
        logger.handlers.clear()
        logger.propagate = True
    assert EMAIL not in stream.getvalue() and "[email]" in stream.getvalue()
    assert "[-]" in stream.getvalue()  # no request: the text format shows "-"


def test_json_is_the_default_in_production() -> None:
    production = {
        "VITRINE_ENV": "production",
        "VITRINE_SECRET_KEY": "s" * 40,
        "VITRINE_IDENTITY_TOKEN_SECRET": "t" * 40,
    }
    assert load_settings(production).log_format == "json"
    assert load_settings({**production, "VITRINE_LOG_FORMAT": "text"}).log_format == "text"
    assert load_settings({}).log_format == "text"


def test_configure_logging_replaces_its_own_handler_and_takes_the_servers_loggers() -> None:
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    try:
        configure_logging("INFO", "json")
        configure_logging("WARNING", "json")
        ours = [h for h in root.handlers if h.get_name() == "vitrine"]
        assert len(ours) == 1 and root.level == logging.WARNING
        assert logging.getLogger("uvicorn.error").propagate and not logging.getLogger("uvicorn").handlers
    finally:
        for handler in list(root.handlers):
            if handler not in before:
                root.removeHandler(handler)
        root.setLevel(level)


async def test_request_ids_come_from_the_caller_or_are_made_and_reach_every_line(
    captured: tuple[io.StringIO, list[logging.LogRecord]],
) -> None:
    stream, _ = captured
    tracing, _ = in_memory_tracing()
    async with running_gateway(make_settings(), tracing=tracing) as gw:
        stream.truncate(0)
        stream.seek(0)
        # A client error is logged at DEBUG by the schema: a line of this request.
        given = await gw.client.post(
            "/graphql",
            json={"query": "{ nope }"},
            headers={"x-request-id": "edge-7f3a", "traceparent": TRACEPARENT},
        )
        made = await gw.client.post("/graphql", json={"query": "{ alsoNope }"})
        hostile = await gw.client.post("/graphql", json={"query": "{ a }"}, headers={"x-request-id": "x\ty" * 5})
    assert given.headers["x-request-id"] == "edge-7f3a"
    generated = made.headers["x-request-id"]
    assert len(generated) == 32 and generated != "edge-7f3a"
    assert hostile.headers["x-request-id"] not in ("x\ty" * 5,)  # not echoed: replaced
    entries = [e for e in lines(stream) if "GraphQL error" in str(e["message"])]
    assert [e["request_id"] for e in entries] == ["edge-7f3a", generated, hostile.headers["x-request-id"]]
    assert entries[0]["trace_id"] == TRACE_ID and entries[0]["span_id"]
    assert all(set(e) == KEYS for e in entries)


async def test_no_email_or_name_in_any_log_line_of_an_identify(
    captured: tuple[io.StringIO, list[logging.LogRecord]],
) -> None:
    stream, records = captured
    async with running_gateway(make_settings()) as gw:
        phone, laptop = await new_device(gw), await new_device(gw)
        traits = {"firstName": FIRST, "lastName": LAST}
        first = await phone.identify("cust-77", e=EMAIL, t=traits)
        assert first["accepted"], first
        # The same customer on a second device: the profiles merge (logged), then a refused claim.
        second = await laptop.identify("cust-77", e=EMAIL, t=traits)
        assert second["accepted"], second
        refused = await laptop.identify("cust-78", proven=False, e=EMAIL, t=traits)
        assert not refused["accepted"]
    assert records, "nothing was logged: the test would prove nothing"
    assert any("merged" in r.getMessage() for r in records)
    text = stream.getvalue()
    raw = [f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in records]
    for secret in (EMAIL, FIRST, LAST, "janina"):
        assert secret.lower() not in text.lower()
        assert not [line for line in raw if secret.lower() in line.lower()], secret

"""Counting store round trips at the clients, on real servers (Saleor's `count_queries`, for us).

`StoreCalls.measure()` records every MongoDB command and every Redis round trip that any client
in this process sends while the block runs, so a test can say "this page costs 1 MongoDB
command and at most 6 Redis round trips" and "asking for 20 items costs what asking for 5
does". Each call is kept as a short label (`find t_x.products`, `EVALSHA`,
`pipeline: HGET×7`) so a failing assertion says what was sent, not only how much.

Where it counts, and why there:
- MongoDB: a `pymongo.monitoring.CommandListener`, registered process-wide with
  `pymongo.monitoring.register` the first time a `StoreCalls` is built (pymongo cannot
  unregister one, so it stays, and ignores events while nothing is measuring). Clients
  created before that are not seen: open the gateway after requesting the fixture. Every
  command counts (`find`, `getMore`, `aggregate`, `endSessions`...); heartbeats are not
  commands, and no code in `gateway/` changes for this.
- Redis: `AbstractConnection.send_packed_command` is wrapped while a `StoreCalls` is open
  (`with`). One call is one write to a socket, so one round trip: a single command, a whole
  pipeline or MULTI/EXEC transaction (redis-py packs it into one write), a pipeline's
  `SCRIPT EXISTS` before it runs scripts. Pub/sub reads send nothing and count nothing.
  What redis-py sends on its own to keep a connection usable (a new pooled connection's
  HELLO / CLIENT SETINFO, the PING of a connection idle past `health_check_interval`)
  depends on how warm the pool is, not on the request: it is listed apart, in
  `Tally.redis_upkeep`.

Requests run to completion inside httpx's ASGI transport, so nothing a request started is
still running when `measure()` ends; `running_gateway` starts no background jobs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from pymongo import monitoring
from redis.asyncio.connection import AbstractConnection

CONNECTION_UPKEEP = frozenset({"HELLO", "AUTH", "SELECT", "CLIENT", "PING"})


@dataclass
class Tally:
    """What one `measure()` block sent, in the order it was sent."""

    mongodb: list[str] = field(default_factory=list)
    redis: list[str] = field(default_factory=list)
    redis_upkeep: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        upkeep = f" (+ connection upkeep {self.redis_upkeep})" if self.redis_upkeep else ""
        return f"MongoDB {len(self.mongodb)} {self.mongodb}; Redis {len(self.redis)} {self.redis}{upkeep}"


class _Recorder:
    """Where both hooks report; it keeps calls only inside `measure()`."""

    def __init__(self) -> None:
        self.current: Tally | None = None

    def mongodb(self, label: str) -> None:
        if self.current is not None:
            self.current.mongodb.append(label)

    def redis(self, label: str) -> None:
        if self.current is not None:
            upkeep = label in CONNECTION_UPKEEP
            (self.current.redis_upkeep if upkeep else self.current.redis).append(label)


_RECORDER = _Recorder()


class _CommandListener(monitoring.CommandListener):
    def started(self, event: monitoring.CommandStartedEvent) -> None:
        target = event.command.get(event.command_name)
        where = f"{event.database_name}.{target}" if isinstance(target, str) else event.database_name
        _RECORDER.mongodb(f"{event.command_name} {where}")

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


_LISTENING = False


def _listen_to_mongodb() -> None:
    global _LISTENING
    if not _LISTENING:
        monitoring.register(_CommandListener())
        _LISTENING = True


def command_names(packed: bytes | str | Iterable[bytes | memoryview]) -> list[str]:
    """The command names in one write of redis-py (RESP arrays of bulk strings)."""
    if isinstance(packed, str):
        data = packed.encode()
    elif isinstance(packed, bytes):
        data = packed
    else:
        data = b"".join(bytes(chunk) for chunk in packed)
    names: list[str] = []
    pos = 0
    while data[pos : pos + 1] == b"*":
        end = data.index(b"\r\n", pos)
        count = int(data[pos + 1 : end])
        pos = end + 2
        for i in range(count):
            end = data.index(b"\r\n", pos)
            size = int(data[pos + 1 : end])
            if i == 0:
                names.append(data[end + 2 : end + 2 + size].decode(errors="replace").upper())
            pos = end + 2 + size + 2
    return names


def redis_label(names: list[str]) -> str:
    """`GET` for one command; `pipeline: MULTI SET EXPIRE EXEC` or `pipeline: HGET×7` for several."""
    if len(names) == 1:
        return names[0]
    counts = Counter(names)
    return "pipeline: " + " ".join(n if counts[n] == 1 else f"{n}×{counts[n]}" for n in dict.fromkeys(names))


class StoreCalls:
    """Counts store round trips while open; `measure()` says which block to count."""

    def __init__(self) -> None:
        _listen_to_mongodb()
        self._original: Any = None

    def __enter__(self) -> StoreCalls:
        original = AbstractConnection.send_packed_command
        self._original = original

        async def send_packed_command(conn: AbstractConnection, command: Any, check_health: bool = True) -> None:
            _RECORDER.redis(redis_label(command_names(command)))
            await original(conn, command, check_health)

        setattr(AbstractConnection, "send_packed_command", send_packed_command)  # noqa: B010 (patched while open)
        return self

    def __exit__(self, *exc: object) -> None:
        AbstractConnection.send_packed_command = self._original  # type: ignore[method-assign]
        _RECORDER.current = None

    @contextmanager
    def measure(self) -> Iterator[Tally]:
        """Record what the block sends; the tally is complete when the block ends."""
        if _RECORDER.current is not None:
            raise RuntimeError("measure() blocks do not nest")
        tally = Tally()
        _RECORDER.current = tally
        try:
            yield tally
        finally:
            _RECORDER.current = None

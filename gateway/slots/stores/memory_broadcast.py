"""In-process broadcasting: every listener of this process gets every message."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator


class MemoryBroadcaster:
    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[str]] = set()

    async def publish(self, message: str) -> None:
        for queue in self._queues:
            queue.put_nowait(message)

    async def listen(self) -> AsyncIterator[str]:
        queue: asyncio.Queue[str] = asyncio.Queue()
        self._queues.add(queue)
        try:
            yield ""  # subscribed (same contract as the Redis broadcaster)
            while True:
                yield await queue.get()
        finally:
            self._queues.discard(queue)

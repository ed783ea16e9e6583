"""Broadcasting through Redis pub/sub: every gateway instance sharing the Redis hears it.

Pub/sub does not queue: a message sent while an instance is disconnected is lost to it. The
listener therefore reloads the latest state whenever it (re)connects (see SlotDefinitions).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from redis.asyncio import Redis

from gateway.platform.redis import translated

STORE = "Redis pub/sub"


class RedisBroadcaster:
    def __init__(self, client: Redis, channel: str) -> None:
        self._redis = client
        self._channel = channel

    async def publish(self, message: str) -> None:
        async with translated(STORE, "publish"):
            await self._redis.publish(self._channel, message)

    async def listen(self) -> AsyncIterator[str]:
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        try:
            async with translated(STORE, "subscribe"):
                await pubsub.subscribe(self._channel)
            yield ""  # subscribed: the caller may now (re)load what it might have missed
            while True:
                async with translated(STORE, "listen"):
                    message = await pubsub.get_message(timeout=1.0)
                if message is not None and message.get("type") == "message":
                    data = message["data"]
                    yield data.decode() if isinstance(data, bytes) else str(data)
        finally:
            async with translated(STORE, "unsubscribe"):
                await pubsub.aclose()

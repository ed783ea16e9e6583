"""What the personalized page costs in store round trips, counted at the clients, for bench.personal_page.

The gateway runs in this process (the same settings and servers as the HTTP benchmark), so
`gateway.testing.store_calls` sees every MongoDB command and every Redis round trip its
clients send. Each visitor asks for the page twice: the first request is the one a visitor
whose state changed since their last page pays (this process has kept nothing for them), the
second the one of a visitor whose state has not changed (the common case between two events).
"""

from __future__ import annotations

import os
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from gateway.app import create_app
from gateway.settings import load_settings
from gateway.testing.asgi import with_state
from gateway.testing.store_calls import StoreCalls, Tally


@dataclass(frozen=True)
class RoundTrips:
    changed: list[Tally]  # the first page of each visitor in this process
    unchanged: list[Tally]  # the same visitor's next page

    def lines(self) -> list[str]:
        out = []
        for name, tallies in (("state changed", self.changed), ("state unchanged", self.unchanged)):
            redis = [len(t.redis) for t in tallies]
            mongo = [len(t.mongodb) for t in tallies]
            out.append(
                f"  {name:16s} Redis {statistics.mean(redis):.2f} per page (max {max(redis)}),"
                f" MongoDB {statistics.mean(mongo):.2f} (max {max(mongo)}) over {len(tallies)} visitors;"
                f" e.g. {tallies[0]}"
            )
        return out


async def count_round_trips(
    env: Mapping[str, str], tokens: Sequence[str], bodies: Sequence[bytes], register: bytes
) -> RoundTrips:
    """Ask for the page as each visitor (token i with body i), twice; `register` is the APQ
    request with the query's text, sent once first."""
    settings = load_settings({**os.environ, **env})
    calls = StoreCalls()  # before the clients open: MongoDB's listener sees only clients made after it
    app = create_app(settings, background=False, freeze_gc=False)
    changed: list[Tally] = []
    unchanged: list[Tally] = []
    with calls:
        async with app.router.lifespan_context(app) as state:
            transport = httpx.ASGITransport(app=with_state(app, state))
            async with httpx.AsyncClient(transport=transport, base_url="http://bench.local") as client:

                async def page(token: str, body: bytes) -> None:
                    headers = {"x-vitrine-visitor": token, "content-type": "application/json"}
                    response = await client.post("/graphql", content=body, headers=headers)
                    answer: Any = orjson.loads(response.content)
                    if response.status_code != 200 or "errors" in answer:
                        raise SystemExit(f"in-process page failed: {response.text[:300]}")

                await page(tokens[0], register)
                await page(tokens[0], bodies[0])  # connection pools warm, scripts loaded
                for token, body in zip(tokens[1:], bodies[1:], strict=True):
                    with calls.measure() as first:
                        await page(token, body)
                    with calls.measure() as second:
                        await page(token, body)
                    changed.append(first)
                    unchanged.append(second)
    return RoundTrips(changed, unchanged)

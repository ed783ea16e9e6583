"""Storefront traffic for experiment results: visitors ask for a slot (the gateway logs their
exposure), some click and order, all through the public GraphQL API as a shop would."""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx

VISIT = """query($key: String!) { viewer { visitorId } slot(key: $key) {
  ... on Banner { decision { id experiment { arm holdout } } } } }"""
TRACK = "mutation($events: [EventInput!]!) { track(events: $events) { accepted rejected } }"


def order(n: int) -> dict[str, Any]:
    return {
        "messageId": f"o-{n}",
        "name": "Order Completed",
        "properties": {"order_id": f"o-{n}", "products": [{"product_id": "p-00001", "quantity": 1}]},
    }


def storefront_traffic(url: str, slot_key: str, visitors: int, convert_every: dict[str, int]) -> Counter[str]:
    """`visitors` new visitors see the slot; in arm A every `convert_every[A]`-th one clicks and
    orders. Returns the exposures per arm the storefront saw."""
    arms: Counter[str] = Counter()
    for n in range(visitors):
        with httpx.Client(base_url=url, timeout=30) as shopper:  # a new cookie jar: a new visitor
            body = shopper.post("/graphql", json={"query": VISIT, "variables": {"key": slot_key}}).json()
            decision = body["data"]["slot"]["decision"]
            experiment = decision["experiment"]
            arm = "holdout" if experiment["holdout"] else experiment["arm"]
            arms[arm] += 1
            every = convert_every.get(arm)
            if every and arms[arm] % every == 0:
                click = {
                    "messageId": f"c-{n}",
                    "name": "Promotion Clicked",
                    "properties": {"decision_id": decision["id"]},
                }
                tracked = shopper.post("/graphql", json={"query": TRACK, "variables": {"events": [click, order(n)]}})
                assert tracked.json()["data"]["track"]["rejected"] == 0, tracked.text
    return arms

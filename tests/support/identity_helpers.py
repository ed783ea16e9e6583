"""Devices talking to a running gateway: each keeps its own signed visitor token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gateway.identity import mint_identity_token
from tests.support.appclient import Gateway
from tests.support.settings import TEST_IDENTITY_SECRET

TRACK = """mutation($events: [EventInput!]!) { track(events: $events) { accepted rejected results { code reason } } }"""
IDENTIFY = """mutation($c: String, $e: String, $l: String, $t: JSON, $k: String, $m: String) {
  identify(customerId: $c, email: $e, loyaltyCardId: $l, traits: $t, identityToken: $k, messageId: $m) {
    accepted code reason profileId viewer { visitorId } } }"""
PROFILE = """{ viewer { visitorId personalized reason
  profile { counters { name count } traits channels { channel name count } engagement { score tier } } } }"""


@dataclass
class Device:
    gw: Gateway
    token: str
    channel: str = "web"

    @property
    def visitor_id(self) -> str:
        return self.token.rpartition(".")[0]

    async def gql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        self.gw.client.cookies.clear()
        headers = {"x-vitrine-visitor": self.token, "x-vitrine-channel": self.channel}
        body = await self.gw.gql(query, variables, headers=headers)
        assert "errors" not in body, body["errors"]
        return body["data"]

    async def view(self, *product_ids: str, prefix: str = "m") -> None:
        events = [
            {"messageId": f"{prefix}{i}", "name": "Product Viewed", "properties": {"product_id": p}}
            for i, p in enumerate(product_ids)
        ]
        data = await self.gql(TRACK, {"events": events})
        assert data["track"]["accepted"] == len(events), data

    def token_for(self, customer: str | None, email: str | None = None, card: str | None = None) -> str:
        """The identity token the shop's backend would issue this device at login."""
        return mint_identity_token(
            TEST_IDENTITY_SECRET, self.visitor_id, customer_id=customer, email=email, loyalty_card_id=card
        )

    async def identify(self, customer: str | None, *, proven: bool = True, **extra: Any) -> dict[str, Any]:
        """identify as the storefront does after a login: with a token naming every identifier
        (`proven=False`: the bare claims, as an attacker would send them)."""
        variables = {"c": customer, **extra}
        if proven and "k" not in variables:
            variables["k"] = self.token_for(customer, extra.get("e"), extra.get("l"))
        data = await self.gql(IDENTIFY, variables)
        result: dict[str, Any] = data["identify"]
        return result

    async def profile(self) -> dict[str, Any]:
        viewer: dict[str, Any] = (await self.gql(PROFILE))["viewer"]
        return viewer


async def new_device(gw: Gateway, channel: str = "web") -> Device:
    gw.client.cookies.clear()
    response = await gw.client.post("/graphql", json={"query": "{ viewer { visitorId } }"})
    return Device(gw, response.headers["x-vitrine-visitor"], channel)


def counters(viewer: dict[str, Any]) -> dict[str, int]:
    return {c["name"]: c["count"] for c in viewer["profile"]["counters"]}

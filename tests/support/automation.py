"""Configuring automation through the admin API, and sending events as a shop's server would."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tests.support.appclient import Gateway
from tests.support.identity_helpers import Device
from tests.support.settings import SERVER, TEST_SERVER_KEY

SAVE = """mutation($k: AutomationKind!, $d: JSON!) {
  saveAutomationDefinition(kind: $k, definition: $d) { ok problems { path message } } }"""
DELETE = """mutation($k: AutomationKind!, $key: String!) {
  deleteAutomationDefinition(kind: $k, key: $key) { ok problems { path message } } }"""
PUBLISH = """mutation($n: String!) { publishAutomation(note: $n) { version } }"""


async def save(gw: Gateway, kind: str, definition: dict[str, Any], key: str = TEST_SERVER_KEY) -> dict[str, Any]:
    body = await gw.admin(SAVE, {"k": kind, "d": definition}, key=key)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["saveAutomationDefinition"]
    return result


async def publish(
    gw: Gateway,
    *,
    events: Sequence[dict[str, Any]] = (),
    channels: Sequence[dict[str, Any]] = (),
    rules: Sequence[dict[str, Any]] = (),
    journeys: Sequence[dict[str, Any]] = (),
    note: str = "",
) -> int:
    """Save each definition into the workspace (asserting it is valid) and publish a release."""
    for kind, items in (("CHANNELS", channels), ("EVENTS", events), ("RULES", rules), ("JOURNEYS", journeys)):
        for definition in items:
            saved = await save(gw, kind, definition)
            assert saved["ok"], saved["problems"]
    body = await gw.admin(PUBLISH, {"n": note}, key=TEST_SERVER_KEY)
    assert "errors" not in body, body
    version: int = body["data"]["publishAutomation"]["version"]
    return version


async def send(device: Device, *events: dict[str, Any], server: bool = True) -> dict[str, Any]:
    """POST /v1/events for the device (as the shop's server: its key vouches for identifiers)."""
    device.gw.client.cookies.clear()
    headers = {"x-vitrine-visitor": device.token, **(SERVER if server else {})}
    response = await device.gw.client.post("/v1/events", json={"events": list(events)}, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body

"""A shop's own events and channels, declared through the admin API and published without a
restart: accepted and checked at the intake, counted in profiles, engagement, segments and rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from gateway.kernel import VisitorId
from gateway.settings import Settings
from gateway.testing.servers import free_port
from tests.support.appclient import running_gateway
from tests.support.automation import publish, send
from tests.support.identity_helpers import new_device
from tests.support.settings import TEST_SERVER_KEY

CHANNELS = [{"name": n} for n in ("email", "sms", "push", "voice")]
EMAIL_OPENED = {
    "name": "Email Opened",
    "description": "Our email service provider saw an open.",
    "properties": {"campaign_id": {"type": "string", "required": True}, "subject": {"type": "string"}},
    "points": 4,
    "channels": ["email"],
}
SEGMENT = (
    """mutation($d: JSON!) { saveSegment(key: "email-engaged", name: "Opens our emails", definition: $d) { ok } }"""
)


def opened(message_id: str, campaign: str = "spring") -> dict[str, object]:
    return {
        "messageId": message_id,
        "name": "Email Opened",
        "channel": "email",
        "properties": {"campaign_id": campaign},
    }


async def test_declared_events_count_everywhere(backend_settings: Settings) -> None:
    settings = replace(
        backend_settings,
        webhook_url=f"http://127.0.0.1:{free_port()}/hooks",
        webhook_secret="webhook-secret-0123456789-abcdefghijklmn",
        trigger_holdout_percent=0.0,
    )
    async with running_gateway(settings) as gw:
        device = await new_device(gw)
        before = await send(device, opened("e0"))
        assert before["results"][0]["code"] == "INVALID_FORMAT"  # channel email: not declared yet

        segment = {
            "all": [
                {"behaviour": {"event": "Email Opened", "withinDays": 7}, "op": "gte", "value": 2},
                {"field": "profile.channels", "op": "contains", "value": "email"},
            ]
        }
        early = await gw.admin(SEGMENT, {"d": segment}, key=TEST_SERVER_KEY)
        assert early["data"]["saveSegment"]["ok"] is False  # a segment may count only names that exist
        rule = {
            "key": "opened-twice",
            "name": "Opened twice: answer by SMS",
            "when": {"event": {"name": "Email Opened", "channel": "email"}},
            "if": {"field": "profile.counters.email:Email Opened", "op": "gte", "value": 2},
            "do": [
                {"webhook": {"channel": "sms", "data": {"template": "thanks"}}},
                {"setTrait": {"name": "lastCampaign", "value": "spring"}},
            ],
        }
        version = await publish(gw, channels=CHANNELS, events=[EMAIL_OPENED], rules=[rule], note="email channel")
        assert gw.runtime.services.automation.current.version == version  # served at once, no restart
        saved = await gw.admin(SEGMENT, {"d": segment}, key=TEST_SERVER_KEY)
        assert saved["data"]["saveSegment"]["ok"] is True  # declared: a segment can count it now

        result = await send(device, opened("e1"), opened("e2"), {**opened("e3"), "properties": {"campain_id": "x"}})
        assert [r["status"] for r in result["results"]] == ["ACCEPTED", "ACCEPTED", "REJECTED"]
        assert result["results"][2]["reason"] == (
            "properties.campaign_id is required for Email Opened; did you mean to send 'campain_id' as 'campaign_id'?"
        )
        wrong_channel = await send(device, {**opened("e4"), "channel": "smss"})
        assert wrong_channel["results"][0]["reason"].endswith("got 'smss'; did you mean 'sms'?")

        (profile,) = await gw.runtime.stores.visitors.profiles.get_many([VisitorId(device.visitor_id)])
        assert profile is not None
        assert profile.counters["Email Opened"] == 2 and profile.counters["email:Email Opened"] == 2
        score, _ = gw.runtime.services.visitors.engagement(profile)
        assert score > 7.9  # 2 x 4 declared points (decayed for seconds)
        (members,) = await gw.runtime.services.segments.of([VisitorId(device.visitor_id)])
        assert "email-engaged" in members

        deliveries = await gw.runtime.stores.triggers.outbox.find(rule="opened-twice")
        (sms,) = deliveries  # the second open met the condition; the first did not
        assert sms.payload["channel"] == "sms" and sms.payload["trigger"]["channel"] == "email"
        assert sms.payload["trigger"]["event"] == "Email Opened" and sms.payload["data"] == {"template": "thanks"}
        assert "email" in sms.payload["channels"]["seen"]
        (profile,) = await gw.runtime.stores.visitors.profiles.get_many([VisitorId(device.visitor_id)])
        assert profile is not None and profile.traits["lastCampaign"] == "spring"
        assert profile.last_seen is not None and profile.last_seen <= datetime.now(UTC)

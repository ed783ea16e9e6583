"""Consent purposes and what each one allows (pure).

- analytics: store behaviour events in the log;
- personalization: enrich the profile (interests, engagement, segments) and personalize answers;
- marketing: send triggered messages (webhooks) about this person.
With consent required (VITRINE_CONSENT_REQUIRED=true) a purpose never decided counts as
refused; otherwise as granted (the operator collects consent elsewhere).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

from gateway.visitors.values.profile import ConsentRecord


class Purpose(Enum):
    ANALYTICS = "analytics"
    PERSONALIZATION = "personalization"
    MARKETING = "marketing"


def allows(consent: Mapping[str, ConsentRecord], purpose: Purpose, *, required: bool) -> bool:
    record = consent.get(purpose.value)
    if record is None:
        return not required
    return record.granted

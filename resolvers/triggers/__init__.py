"""Admin API of the triggers area: automation definitions and releases, deliveries and lift,
journeys, recommendations for a customer."""

from __future__ import annotations

import strawberry

from resolvers.triggers.automation import AutomationMutation, AutomationQuery
from resolvers.triggers.deliveries import DeliveriesMutation, DeliveriesQuery
from resolvers.triggers.journeys import JourneysQuery


@strawberry.type
class TriggersQuery(DeliveriesQuery, AutomationQuery, JourneysQuery):
    pass


@strawberry.type
class TriggersMutation(DeliveriesMutation, AutomationMutation):
    pass


__all__ = ["TriggersMutation", "TriggersQuery"]

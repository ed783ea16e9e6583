"""Triggers: marketing automation. Declared events and channels, rules (when something happens
and conditions hold, do actions) and journeys (steps with waits and branches), versioned as
releases; timers, the webhook outbox and its signed deliveries, holdouts and lift.

Public face of the area: other areas and the resolvers import only what is listed here.
"""

from gateway.platform.releases import ReleaseInfo as AutomationReleaseInfo
from gateway.triggers.actions import Actions
from gateway.triggers.engine import RuleEngine
from gateway.triggers.journeys import JourneyRunner
from gateway.triggers.lift import Lift
from gateway.triggers.messages import MessageContent
from gateway.triggers.people import People
from gateway.triggers.price_watch import PriceWatchingCatalogStore
from gateway.triggers.service import CustomerRecommendations, StepCount, TriggerPolicy, TriggerService
from gateway.triggers.stores import TriggerStores, create_indexes, open_stores
from gateway.triggers.values import Delivery, DeliveryStatus, TriggerKind
from gateway.triggers.values.automation import KINDS as AUTOMATION_KINDS
from gateway.triggers.values.automation import Automation, Owner
from gateway.triggers.values.automation import Change as AutomationChange
from gateway.triggers.values.journeys import Position, PositionStatus
from gateway.triggers.values.when import describe
from gateway.triggers.webhooks import WebhookSender
from gateway.triggers.workspace import AutomationDefinitions, AutomationInvalid

__all__ = [
    "AUTOMATION_KINDS",
    "Actions",
    "Automation",
    "AutomationChange",
    "AutomationDefinitions",
    "AutomationInvalid",
    "AutomationReleaseInfo",
    "CustomerRecommendations",
    "Delivery",
    "DeliveryStatus",
    "JourneyRunner",
    "Lift",
    "MessageContent",
    "Owner",
    "People",
    "Position",
    "PositionStatus",
    "PriceWatchingCatalogStore",
    "RuleEngine",
    "StepCount",
    "TriggerKind",
    "TriggerPolicy",
    "TriggerService",
    "TriggerStores",
    "WebhookSender",
    "create_indexes",
    "describe",
    "open_stores",
]

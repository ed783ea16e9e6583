"""Triggers: timers (abandoned cart, inactivity, favourite product on promotion), the webhook
outbox and its signed deliveries, holdouts and lift.

Public face of the area: other areas and the resolvers import only what is listed here.
"""

from gateway.triggers.lift import trigger_lift
from gateway.triggers.price_watch import PriceWatchingCatalogStore
from gateway.triggers.service import TriggerPolicy, TriggerService
from gateway.triggers.stores import TriggerStores, create_indexes, open_stores
from gateway.triggers.values import Delivery, DeliveryStatus, TriggerKind
from gateway.triggers.webhooks import WebhookSender

__all__ = [
    "Delivery",
    "DeliveryStatus",
    "PriceWatchingCatalogStore",
    "TriggerKind",
    "TriggerPolicy",
    "TriggerService",
    "TriggerStores",
    "WebhookSender",
    "create_indexes",
    "open_stores",
    "trigger_lift",
]

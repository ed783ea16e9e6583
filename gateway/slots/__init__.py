"""Slots: editors' definitions (slots, variants, audiences, experiments), the workspace and its
releases, the per-visitor decision, experiment assignment and statistics.

Public face of the area: other areas and the resolvers import only what is listed here.
"""

from gateway.platform.releases import ReleaseInfo
from gateway.slots.behaviour_counts import BehaviourCounts
from gateway.slots.experiment_tracker import ExperimentTracker
from gateway.slots.facts import RequestFacts
from gateway.slots.preview import HypotheticalVisitor, Preview, PreviewedVisitor, SlotPreviews
from gateway.slots.service import SlotService
from gateway.slots.stores import SlotStores, open_stores
from gateway.slots.values import content
from gateway.slots.values.content import CAROUSEL_STRATEGIES, Banner, ContentKind, ProductCarousel
from gateway.slots.values.decision import Decision, Reason
from gateway.slots.values.experiment_stats import ArmResult, Interval
from gateway.slots.values.experiments import MAX_ARMS, ExperimentStatus
from gateway.slots.values.schedule import DAYS
from gateway.slots.values.slots import CHANNELS, Status
from gateway.slots.workspace import DefinitionInvalid, SlotDefinitions

__all__ = [
    "CAROUSEL_STRATEGIES",
    "CHANNELS",
    "DAYS",
    "MAX_ARMS",
    "ArmResult",
    "Banner",
    "BehaviourCounts",
    "ContentKind",
    "Decision",
    "DefinitionInvalid",
    "ExperimentStatus",
    "ExperimentTracker",
    "HypotheticalVisitor",
    "Interval",
    "Preview",
    "PreviewedVisitor",
    "ProductCarousel",
    "Reason",
    "ReleaseInfo",
    "RequestFacts",
    "SlotDefinitions",
    "SlotPreviews",
    "SlotService",
    "SlotStores",
    "Status",
    "content",
    "open_stores",
]
